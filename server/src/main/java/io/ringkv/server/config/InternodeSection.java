package io.ringkv.server.config;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The {@code internode} section: the listener other nodes connect to, and the bounds of internode
 * messaging (docs/format/internode.md).
 *
 * @param host listen address
 * @param port listen port (0: any free port)
 * @param maxConnections inbound connections accepted at once
 * @param frameBytesMax the largest frame sent or accepted
 * @param outboundQueueMessagesMax messages queued per peer before more are dropped and counted
 * @param connectionsPerPeer outbound connections per peer
 * @param connectTimeoutMillis how long a connection attempt may take
 * @param handshakeTimeoutMillis how long the version handshake may take
 * @param requestTimeoutMillis how long a request waits for its answer by default
 * @param pendingRequestsMax requests awaiting an answer at once, over all peers
 * @param peerAddresses per-peer overrides of where to reach a node (node id → host:port), winning
 *     over what gossip says; for fault-injecting proxies and NAT
 */
public record InternodeSection(
    String host,
    int port,
    int maxConnections,
    long frameBytesMax,
    int outboundQueueMessagesMax,
    int connectionsPerPeer,
    long connectTimeoutMillis,
    long handshakeTimeoutMillis,
    long requestTimeoutMillis,
    int pendingRequestsMax,
    Map<String, HostPort> peerAddresses) {
  public InternodeSection {
    Objects.requireNonNull(host, "host");
    peerAddresses = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(peerAddresses));
  }

  /** This section listening on {@code newPort}. */
  public InternodeSection withPort(int newPort) {
    return new InternodeSection(
        host,
        newPort,
        maxConnections,
        frameBytesMax,
        outboundQueueMessagesMax,
        connectionsPerPeer,
        connectTimeoutMillis,
        handshakeTimeoutMillis,
        requestTimeoutMillis,
        pendingRequestsMax,
        peerAddresses);
  }
}
