package io.ringkv.server.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response before it meets the wire. Immutable, so a handler may build it on any thread (a
 * service future may complete off the event loop) and the connection writes it later, in request
 * order. The body stays a {@code byte[]} until written: a reply dropped because its connection
 * closed holds no buffer to release.
 *
 * @param status the HTTP status
 * @param contentType the body's media type; null when there is no body
 * @param body the body bytes; empty for none
 * @param headers extra response headers (Allow, Retry-After, ...), in order
 * @param error whether the request counts as failed in metrics
 * @param close whether the connection closes after this reply (its input cannot be trusted)
 */
record HttpReply(
    HttpResponseStatus status,
    String contentType,
    byte[] body,
    Map<String, String> headers,
    boolean error,
    boolean close) {

  static final String JSON = "application/json";
  static final String PROBLEM_JSON = "application/problem+json";
  static final String OCTET_STREAM = "application/octet-stream";
  private static final byte[] EMPTY = new byte[0];

  static HttpReply json(HttpResponseStatus status, Object value) {
    return new HttpReply(status, JSON, HttpJson.write(value), Map.of(), false, false);
  }

  static HttpReply ok(String contentType, byte[] body) {
    return new HttpReply(HttpResponseStatus.OK, contentType, body, Map.of(), false, false);
  }

  static HttpReply noContent() {
    return new HttpReply(HttpResponseStatus.NO_CONTENT, null, EMPTY, Map.of(), false, false);
  }

  /** {@code problem} as {@code application/problem+json}; {@code instance} is the request path. */
  static HttpReply problem(Problem problem, String instance) {
    return new HttpReply(
        problem.status(),
        PROBLEM_JSON,
        HttpJson.write(problem.members(instance)),
        Map.of(),
        problem.type().countsAsError(),
        false);
  }

  HttpReply withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new HttpReply(status, contentType, body, more, error, close);
  }

  /** This reply, after which the connection closes. */
  HttpReply closing() {
    return new HttpReply(status, contentType, body, headers, error, true);
  }

  /** The Netty response; its buffer wraps {@link #body} without a copy. */
  FullHttpResponse toResponse() {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    HttpHeaders responseHeaders = response.headers();
    if (contentType != null) {
      responseHeaders.set(HttpHeaderNames.CONTENT_TYPE, contentType);
    }
    if (status.code() != HttpResponseStatus.NO_CONTENT.code()) {
      responseHeaders.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    }
    for (Map.Entry<String, String> header : headers.entrySet()) {
      responseHeaders.set(header.getKey(), header.getValue());
    }
    if (close) {
      responseHeaders.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return response;
  }
}
