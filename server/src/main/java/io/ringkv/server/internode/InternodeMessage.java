package io.ringkv.server.internode;

import io.ringkv.cluster.membership.GossipMessage;
import io.ringkv.cluster.replication.ReplicaReply;
import io.ringkv.cluster.replication.ReplicaRequest;
import java.util.Objects;

/**
 * Messages between nodes. Each record has a type code in {@link InternodeFormat} and one branch in
 * {@link InternodeCodec} (encode and decode); adding a message type is a matter of a record here,
 * its code, its codec branch and its section in docs/format/internode.md.
 *
 * <p>Whether a message travels one way, as a request or as a response is said by the frame, not by
 * the message: {@link InternodeTransport#send} sends one way, {@link InternodeTransport#request}
 * sends a request, and the peer's {@link InternodeHandler#onRequest} answer travels back as the
 * response.
 */
public sealed interface InternodeMessage {
  /** A gossip round's message (SYN, ACK or ACK2), one way. */
  record Gossip(GossipMessage message) implements InternodeMessage {
    public Gossip {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * A liveness probe, sent as a request; the peer answers {@link EchoReply} with the same value.
   *
   * @param sentNanos the sender's clock when it sent the probe, opaque to the receiver
   */
  record Echo(long sentNanos) implements InternodeMessage {}

  /**
   * The answer to an {@link Echo}.
   *
   * @param sentNanos the value of the echo answered
   * @param wallMillis the answering node's wall clock (epoch milliseconds) when it answered, from
   *     which the prober measures how far their clocks are apart ({@code PeerClocks})
   */
  record EchoReply(long sentNanos, long wallMillis) implements InternodeMessage {}

  /**
   * A replication request (a write, stand-in write, write batch, read or scan), sent as a request;
   * the replica answers {@link ReplicaAnswer}, or fails.
   *
   * @param hlc the sender's hybrid logical clock reading when it sent the request, which the
   *     receiver merges into its own ({@code Hlc.observe})
   * @param request what the replica is asked to do
   */
  record Replica(long hlc, ReplicaRequest request) implements InternodeMessage {
    public Replica {
      Objects.requireNonNull(request, "request");
    }

    /** By content: the keys and cells inside are compared byte by byte. */
    @Override
    public boolean equals(Object other) {
      return other instanceof Replica that
          && hlc == that.hlc
          && ReplicaContent.equal(request, that.request);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(hlc) * 31 + ReplicaContent.hash(request);
    }
  }

  /**
   * A replica's answer to a {@link Replica} request.
   *
   * @param hlc the replica's hybrid logical clock reading when it answered
   * @param reply the answer
   */
  record ReplicaAnswer(long hlc, ReplicaReply reply) implements InternodeMessage {
    public ReplicaAnswer {
      Objects.requireNonNull(reply, "reply");
    }

    /** By content: the keys and cells inside are compared byte by byte. */
    @Override
    public boolean equals(Object other) {
      return other instanceof ReplicaAnswer that
          && hlc == that.hlc
          && ReplicaContent.equal(reply, that.reply);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(hlc) * 31 + ReplicaContent.hash(reply);
    }
  }
}
