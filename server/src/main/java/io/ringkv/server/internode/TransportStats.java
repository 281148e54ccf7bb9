package io.ringkv.server.internode;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A snapshot of the transport's counters: per peer, in total, and transport-wide. The same numbers
 * are exported to Micrometer (names in docs/format/internode.md, "Metrics").
 *
 * @param total every peer's counts added up, plus events that belong to no known peer (an inbound
 *     connection that failed before its handshake named the peer)
 * @param peers counts per peer node id, for peers this node sent to or heard from (at most 4,096;
 *     beyond, events count in {@code total} only)
 * @param inboundConnectionsRejected accepted connections closed at once because {@link
 *     InternodeConfig#inboundConnectionsMax()} were open
 * @param unknownResponses responses whose request id was not pending (it timed out, or the peer is
 *     confused), ignored
 * @param requestsRejected requests failed at once with {@link InternodeOverloadedException}
 * @param inboundConnections inbound connections open now
 * @param pendingRequests requests in flight now
 */
public record TransportStats(
    Counts total,
    SortedMap<String, Counts> peers,
    long inboundConnectionsRejected,
    long unknownResponses,
    long requestsRejected,
    int inboundConnections,
    int pendingRequests) {

  public TransportStats {
    Objects.requireNonNull(total, "total");
    peers = Collections.unmodifiableSortedMap(new TreeMap<>(peers));
  }

  /** The counts of one peer; all zero if the transport never dealt with it. */
  public Counts peer(String peer) {
    return peers.getOrDefault(peer, Counts.ZERO);
  }

  /**
   * Counters of one peer (or of all).
   *
   * @param messagesSent messages (one-way, requests and responses) written to a connection
   * @param messagesReceived messages received after the handshake
   * @param droppedQueueFull messages dropped because the peer's outbound queue was full
   * @param droppedUnroutable messages dropped because no address was known, the transport was
   *     closed, or the message could not be encoded (over {@code frameBytesMax} or a wire bound)
   * @param requestTimeouts requests that timed out
   * @param connectFailures outbound connection attempts that failed (refused or timed out)
   * @param connectionsRefused of those, attempts actively refused (nothing listens there)
   * @param framesTooLarge frames received over the limit (their connections were closed)
   * @param handshakeFailures handshakes that failed or timed out, on either side
   * @param protocolErrors malformed frames received after the handshake (connections closed)
   * @param queuedMessages messages waiting in the outbound queue now
   */
  public record Counts(
      long messagesSent,
      long messagesReceived,
      long droppedQueueFull,
      long droppedUnroutable,
      long requestTimeouts,
      long connectFailures,
      long connectionsRefused,
      long framesTooLarge,
      long handshakeFailures,
      long protocolErrors,
      long queuedMessages) {

    /** No events at all. */
    public static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Messages dropped for any reason. */
    public long messagesDropped() {
      return droppedQueueFull + droppedUnroutable;
    }
  }
}
