package io.ringkv.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.ringkv.server.metrics.NodeMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The routes for operators and tools: {@code /health}, {@code /metrics} (Prometheus text) and
 * {@code /openapi.json} (the hand-written OpenAPI 3.1 document, a resource next to this class).
 * Thread-safe.
 */
final class OperationalRoutes {
  /** The Prometheus text exposition format's media type. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  static final String OPENAPI_RESOURCE = "openapi.json";

  private final NodeMetrics metrics;
  private final HttpServerInfo info;
  private final byte[] openApiDocument;

  OperationalRoutes(NodeMetrics metrics, HttpServerInfo info) {
    this.metrics = metrics;
    this.info = info;
    this.openApiDocument = loadOpenApiDocument();
  }

  /** {@code GET /health}: 200 {@code {"status": "UP", ...}}, or 503 with status DOWN. */
  CompletableFuture<HttpReply> health(HttpExchange exchange) {
    boolean up = info.healthy().getAsBoolean();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", up ? "UP" : "DOWN");
    body.put("nodeId", info.nodeId());
    body.put("version", info.version());
    return CompletableFuture.completedFuture(
        HttpReply.json(up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body));
  }

  /** {@code GET /metrics}: every metric of the node in Prometheus text format. */
  CompletableFuture<HttpReply> metrics(HttpExchange exchange) {
    return CompletableFuture.completedFuture(
        HttpReply.ok(PROMETHEUS_TEXT, metrics.scrape().getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * {@code GET /v1/cluster/status}: this node's view of the ring (docs/api/http.md), or 503 while
   * the cluster service is starting or stopped.
   */
  CompletableFuture<HttpReply> status(HttpExchange exchange) {
    return info.cluster()
        .status()
        .handle(
            (report, failure) -> {
              if (failure == null) {
                return HttpReply.json(HttpResponseStatus.OK, report);
              }
              Throwable cause =
                  failure instanceof CompletionException && failure.getCause() != null
                      ? failure.getCause()
                      : failure;
              return HttpReply.problem(
                  Problem.of(
                      HttpResponseStatus.SERVICE_UNAVAILABLE,
                      ProblemType.UNAVAILABLE,
                      "cluster status unavailable: " + cause.getMessage()),
                  exchange.rawPath());
            });
  }

  /** {@code GET /openapi.json}: the OpenAPI document of this API. */
  CompletableFuture<HttpReply> openApi(HttpExchange exchange) {
    return CompletableFuture.completedFuture(HttpReply.ok(HttpReply.JSON, openApiDocument));
  }

  static byte[] loadOpenApiDocument() {
    try (InputStream in = OperationalRoutes.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + OPENAPI_RESOURCE + " is missing next to " + OperationalRoutes.class);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + OPENAPI_RESOURCE, e);
    }
  }
}
