package io.ringkv.server.internode;

import java.util.Objects;

/**
 * One frame of the internode protocol, decoded: a handshake step, a message, or a failure response.
 * docs/format/internode.md gives each one's bytes; {@link InternodeCodec} converts.
 */
sealed interface Frame {
  /**
   * The first frame of an outbound connection: who connects, for which cluster, which versions, and
   * the port it listens on for internode connections (with the connection's source address, where
   * the acceptor can reach it back before gossip has told it).
   */
  record Hello(int versionMin, int versionMax, String clusterName, String nodeId, int listenPort)
      implements Frame {
    public Hello {
      Objects.requireNonNull(clusterName, "clusterName");
      Objects.requireNonNull(nodeId, "nodeId");
    }
  }

  /** The acceptor's yes: the version both will speak and the acceptor's node id. */
  record HelloAccept(int version, String nodeId) implements Frame {
    public HelloAccept {
      Objects.requireNonNull(nodeId, "nodeId");
    }
  }

  /** The acceptor's no, with the versions it speaks (for the connector's message) and why. */
  record HelloRefuse(HandshakeRefusal reason, int versionMin, int versionMax, String detail)
      implements Frame {
    public HelloRefuse {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /**
   * A message: one way (request id 0), a request or a response (request id positive).
   *
   * @param requestId chosen by the requester, echoed by the response
   */
  record Message(FrameKind kind, long requestId, InternodeMessage message) implements Frame {
    public Message {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(message, "message");
      if (kind == FrameKind.ONE_WAY ? requestId != 0 : requestId <= 0) {
        throw new IllegalArgumentException(
            "a " + kind + " frame cannot carry request id " + requestId);
      }
    }
  }

  /** The answer to a request the peer could not answer, with its reason. Always a response. */
  record Failure(long requestId, String reason) implements Frame {
    public Failure {
      Objects.requireNonNull(reason, "reason");
      if (requestId <= 0) {
        throw new IllegalArgumentException(
            "a failure needs a positive request id, was " + requestId);
      }
    }
  }

  static Message oneWay(InternodeMessage message) {
    return new Message(FrameKind.ONE_WAY, 0, message);
  }

  static Message request(long requestId, InternodeMessage message) {
    return new Message(FrameKind.REQUEST, requestId, message);
  }

  static Message response(long requestId, InternodeMessage message) {
    return new Message(FrameKind.RESPONSE, requestId, message);
  }
}
