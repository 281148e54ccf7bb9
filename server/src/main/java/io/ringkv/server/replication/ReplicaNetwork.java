package io.ringkv.server.replication;

import io.ringkv.server.internode.InternodeMessage;
import java.util.concurrent.CompletableFuture;

/**
 * How the replication service reaches other nodes: a request with a timeout, answered on a
 * transport thread ({@code ClusterService::request} in a node, an {@code InternodeTransport} in
 * tests). Must not block.
 */
@FunctionalInterface
public interface ReplicaNetwork {
  /**
   * Sends {@code message} to {@code peer}; completes with the answer, or fails (timeout,
   * unreachable, the peer's failure).
   */
  CompletableFuture<InternodeMessage> request(
      String peer, InternodeMessage message, long timeoutMillis);
}
