package io.ringkv.server.http;

/**
 * The kinds of problem this API reports, each a stable {@code type} URI of RFC 9457 that clients
 * may match on; docs/api/http.md lists them. The HTTP status usually follows from the kind; {@link
 * #LIMIT_EXCEEDED} carries the status that fits the limit (400, 413, 414, 431 or 503).
 */
enum ProblemType {
  INVALID_JSON("invalid-json", "Invalid JSON", true),
  INVALID_BODY("invalid-body", "Invalid request body", true),
  INVALID_PARAMETER("invalid-parameter", "Invalid parameter", true),
  INVALID_REQUEST("invalid-request", "Invalid request", true),
  LIMIT_EXCEEDED("limit-exceeded", "Limit exceeded", true),
  MALFORMED_HTTP("malformed-http", "Malformed HTTP request", true),
  /** A read of an absent key: an ordinary outcome, not counted as an error in metrics. */
  KEY_NOT_FOUND("key-not-found", "Key not found", false),
  ROUTE_NOT_FOUND("route-not-found", "No such route", true),
  METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", true),
  WRONG_TYPE("wrong-type", "Wrong type of value", true),
  CONFLICT("conflict", "Refused by the key's state", true),
  KEYSPACE_NOT_FOUND("keyspace-not-found", "No such keyspace", true),
  UNAVAILABLE("unavailable", "Unavailable", true),
  TIMEOUT("timeout", "Timed out", true),
  INTERNAL("internal", "Internal error", true);

  /** Prefix of every type URI; the slug follows. */
  static final String URI_PREFIX = "urn:ringkv:problem:";

  private final String uri;
  private final String title;
  private final boolean countsAsError;

  ProblemType(String slug, String title, boolean countsAsError) {
    this.uri = URI_PREFIX + slug;
    this.title = title;
    this.countsAsError = countsAsError;
  }

  String uri() {
    return uri;
  }

  String title() {
    return title;
  }

  /** Whether the request counts as failed in {@code ringkv_requests} (outcome="error"). */
  boolean countsAsError() {
    return countsAsError;
  }
}
