package io.ringkv.cluster.membership;

import java.util.List;
import java.util.Objects;

/**
 * The three messages of one gossip round (Cassandra's GossipDigestSyn, Ack and Ack2):
 *
 * <ol>
 *   <li>{@link Syn}: the initiator's digests, one per endpoint it knows;
 *   <li>{@link Ack}: the receiver's answer, with the states the initiator lacks and digests of what
 *       the receiver needs;
 *   <li>{@link Ack2}: the initiator's states that the receiver asked for.
 * </ol>
 *
 * <p>Every message names its sender and receiver so that the caller can route it and the receiver
 * can check it was meant for it. Lists are copied and unmodifiable; their length is bounded by the
 * receiving node's {@link GossipConfig} (longer lists are truncated on receipt, not refused).
 */
public sealed interface GossipMessage {
  /** The node that sent the message. */
  String from();

  /** The node the message is for. */
  String to();

  /**
   * Opens a round: the digests of every endpoint the sender knows (or a bounded sample of them).
   *
   * @param clusterName receivers of another cluster ignore the message
   */
  record Syn(String from, String to, String clusterName, List<GossipDigest> digests)
      implements GossipMessage {
    public Syn {
      checkRoute(from, to);
      Objects.requireNonNull(clusterName, "clusterName");
      digests = List.copyOf(digests);
    }
  }

  /**
   * Answers a SYN.
   *
   * @param requests what the sender of the ACK wants: for each endpoint, the generation and the
   *     version after which it wants values (0 for all)
   * @param deltas what the SYN's sender lacks, each holding only the newer values
   */
  record Ack(String from, String to, List<GossipDigest> requests, List<EndpointDelta> deltas)
      implements GossipMessage {
    public Ack {
      checkRoute(from, to);
      requests = List.copyOf(requests);
      deltas = List.copyOf(deltas);
    }
  }

  /**
   * Closes a round: what the ACK asked for.
   *
   * @param deltas each holding only the values newer than requested
   */
  record Ack2(String from, String to, List<EndpointDelta> deltas) implements GossipMessage {
    public Ack2 {
      checkRoute(from, to);
      deltas = List.copyOf(deltas);
    }
  }

  private static void checkRoute(String from, String to) {
    EndpointState.checkEndpoint("from", from);
    EndpointState.checkEndpoint("to", to);
    if (from.equals(to)) {
      throw new IllegalArgumentException("from and to must differ, both were '" + from + "'");
    }
  }
}
