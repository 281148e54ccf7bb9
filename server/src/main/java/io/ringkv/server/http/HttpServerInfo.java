package io.ringkv.server.http;

import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * What {@code GET /health} reports about the node.
 *
 * @param version the ringkv version this node runs
 * @param nodeId this node's identifier
 * @param healthy whether the node can serve; asked on every health request, so it must be cheap and
 *     thread-safe. False makes {@code /health} answer 503 with status DOWN.
 */
public record HttpServerInfo(String version, String nodeId, BooleanSupplier healthy) {
  public HttpServerInfo {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(healthy, "healthy");
  }
}
