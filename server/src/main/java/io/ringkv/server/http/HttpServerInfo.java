package io.ringkv.server.http;

import io.ringkv.server.cluster.ClusterStatusSource;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * What {@code GET /health} reports about the node.
 *
 * @param version the ringkv version this node runs
 * @param nodeId this node's identifier
 * @param healthy whether the node can serve; asked on every health request, so it must be cheap and
 *     thread-safe. False makes {@code /health} answer 503 with status DOWN.
 * @param cluster what {@code GET /v1/cluster/status} reports
 */
public record HttpServerInfo(
    String version, String nodeId, BooleanSupplier healthy, ClusterStatusSource cluster) {
  public HttpServerInfo {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(healthy, "healthy");
    Objects.requireNonNull(cluster, "cluster");
  }

  /** Information for a server without the cluster service (tests of the HTTP front end). */
  public HttpServerInfo(String version, String nodeId, BooleanSupplier healthy) {
    this(version, nodeId, healthy, ClusterStatusSource.unavailable());
  }
}
