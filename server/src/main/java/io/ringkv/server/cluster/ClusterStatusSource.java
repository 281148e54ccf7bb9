package io.ringkv.server.cluster;

import java.util.concurrent.CompletableFuture;

/** Where front ends get the cluster's status; the node's {@link ClusterService} in production. */
@FunctionalInterface
public interface ClusterStatusSource {
  /** This node's view of the ring, computed on the cluster loop. */
  CompletableFuture<ClusterStatusReport> status();

  /** A source for nodes that run without the cluster (tests of a front end alone). */
  static ClusterStatusSource unavailable() {
    return () ->
        CompletableFuture.failedFuture(
            new IllegalStateException("this node runs without the cluster service"));
  }
}
