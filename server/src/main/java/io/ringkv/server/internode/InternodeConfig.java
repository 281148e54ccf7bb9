package io.ringkv.server.internode;

import io.ringkv.cluster.membership.EndpointState;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Settings and bounds of the {@link InternodeTransport}, all in one place (STYLE.md §4). Validated
 * here: a bad value is refused with a message naming the field, the value and the limit.
 *
 * @param host the address to listen on
 * @param port the port to listen on; 0 picks an ephemeral port (tests)
 * @param inboundConnectionsMax accepted connections beyond this are closed at once and counted
 * @param frameBytesMax the largest frame (header and body, after the 4-byte length) sent or
 *     received; a larger frame received closes its connection (counted, logged once per peer), a
 *     larger one to send is dropped (counted)
 * @param outboundQueueMessagesMax messages waiting per peer (while connecting, or while the
 *     connection is not writable); beyond, a message is dropped and counted and {@link
 *     InternodeTransport#send} returns false
 * @param connectionsPerPeer outbound connections per peer, messages spread round-robin (1 keeps
 *     messages to a peer in order)
 * @param connectTimeoutMillis how long a TCP connect may take
 * @param handshakeTimeoutMillis how long a connection may stay without a completed handshake
 * @param requestTimeoutMillis the timeout of {@link InternodeTransport#request(String,
 *     InternodeMessage)}
 * @param pendingRequestsMax requests in flight across all peers; beyond, a request fails at once
 * @param peerAddresses per-peer addresses that win over addresses learnt from gossip (for example a
 *     fault-injecting proxy in tests)
 */
public record InternodeConfig(
    String host,
    int port,
    int inboundConnectionsMax,
    int frameBytesMax,
    int outboundQueueMessagesMax,
    int connectionsPerPeer,
    long connectTimeoutMillis,
    long handshakeTimeoutMillis,
    long requestTimeoutMillis,
    int pendingRequestsMax,
    Map<String, InetSocketAddress> peerAddresses) {

  /** The default listen port (DESIGN.md, "Ports and names"). */
  public static final int DEFAULT_PORT = 7000;

  /** The default {@link #frameBytesMax}: 16 MiB, twice a worst-case gossip ACK. */
  public static final int DEFAULT_FRAME_BYTES_MAX = 16 << 20;

  /** The largest {@link #frameBytesMax} accepted: 256 MiB. */
  public static final int FRAME_BYTES_LIMIT = 256 << 20;

  /**
   * The smallest {@link #frameBytesMax} accepted: a frame must at least hold any handshake frame.
   */
  public static final int FRAME_BYTES_MIN = InternodeFormat.HANDSHAKE_FRAME_BYTES_MAX;

  /** The largest count accepted for connection, queue and pending-request bounds. */
  public static final int COUNT_LIMIT = 1_000_000;

  /** The most connections per peer. */
  public static final int CONNECTIONS_PER_PEER_LIMIT = 8;

  /** The longest timeout accepted: one hour. */
  public static final long TIMEOUT_MILLIS_LIMIT = 3_600_000;

  public InternodeConfig {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank, was '" + host + "'");
    }
    checkRange("port", port, 0, 65_535);
    checkRange("inboundConnectionsMax", inboundConnectionsMax, 1, COUNT_LIMIT);
    checkRange("frameBytesMax", frameBytesMax, FRAME_BYTES_MIN, FRAME_BYTES_LIMIT);
    checkRange("outboundQueueMessagesMax", outboundQueueMessagesMax, 1, COUNT_LIMIT);
    checkRange("connectionsPerPeer", connectionsPerPeer, 1, CONNECTIONS_PER_PEER_LIMIT);
    checkRange("connectTimeoutMillis", connectTimeoutMillis, 1, TIMEOUT_MILLIS_LIMIT);
    checkRange("handshakeTimeoutMillis", handshakeTimeoutMillis, 1, TIMEOUT_MILLIS_LIMIT);
    checkRange("requestTimeoutMillis", requestTimeoutMillis, 1, TIMEOUT_MILLIS_LIMIT);
    checkRange("pendingRequestsMax", pendingRequestsMax, 1, COUNT_LIMIT);
    Objects.requireNonNull(peerAddresses, "peerAddresses");
    TreeMap<String, InetSocketAddress> copy = new TreeMap<>();
    for (Map.Entry<String, InetSocketAddress> entry : peerAddresses.entrySet()) {
      String peer = EndpointState.checkEndpoint("peerAddresses key", entry.getKey());
      InetSocketAddress address =
          Objects.requireNonNull(entry.getValue(), "peerAddresses[" + peer + "]");
      if (address.getPort() == 0) {
        throw new IllegalArgumentException(
            "peerAddresses[" + peer + "] must have a port in [1, 65535], was 0");
      }
      copy.put(peer, address);
    }
    peerAddresses = Collections.unmodifiableSortedMap(copy);
  }

  /**
   * Listen on {@code host:port}; 1,024 inbound connections; 16 MiB frames; 8,192 queued messages
   * per peer; one connection per peer; connect within 2 s, handshake within 5 s; requests time out
   * after 2 s; 65,536 requests in flight; no address overrides.
   */
  public static InternodeConfig defaults(String host, int port) {
    return new InternodeConfig(
        host,
        port,
        1_024,
        DEFAULT_FRAME_BYTES_MAX,
        8_192,
        1,
        2_000,
        5_000,
        2_000,
        65_536,
        Map.of());
  }

  /** This config with other per-peer address overrides. */
  public InternodeConfig withPeerAddresses(Map<String, InetSocketAddress> addresses) {
    return new InternodeConfig(
        host,
        port,
        inboundConnectionsMax,
        frameBytesMax,
        outboundQueueMessagesMax,
        connectionsPerPeer,
        connectTimeoutMillis,
        handshakeTimeoutMillis,
        requestTimeoutMillis,
        pendingRequestsMax,
        addresses);
  }

  /** This config with other bounds on connections, frames, queues and requests in flight. */
  public InternodeConfig withBounds(
      int inboundConnections, int frameBytes, int outboundQueueMessages, int pendingRequests) {
    return new InternodeConfig(
        host,
        port,
        inboundConnections,
        frameBytes,
        outboundQueueMessages,
        connectionsPerPeer,
        connectTimeoutMillis,
        handshakeTimeoutMillis,
        requestTimeoutMillis,
        pendingRequests,
        peerAddresses);
  }

  /** This config with another number of connections per peer. */
  public InternodeConfig withConnectionsPerPeer(int connections) {
    return new InternodeConfig(
        host,
        port,
        inboundConnectionsMax,
        frameBytesMax,
        outboundQueueMessagesMax,
        connections,
        connectTimeoutMillis,
        handshakeTimeoutMillis,
        requestTimeoutMillis,
        pendingRequestsMax,
        peerAddresses);
  }

  /** This config with other timeouts. */
  public InternodeConfig withTimeouts(
      long connectMillis, long handshakeMillis, long requestMillis) {
    return new InternodeConfig(
        host,
        port,
        inboundConnectionsMax,
        frameBytesMax,
        outboundQueueMessagesMax,
        connectionsPerPeer,
        connectMillis,
        handshakeMillis,
        requestMillis,
        pendingRequestsMax,
        peerAddresses);
  }

  static void checkRange(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "], was " + value);
    }
  }
}
