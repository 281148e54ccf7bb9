package io.ringkv.server.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One request as the route handlers see it: method, path, query parameters, headers and the body
 * copied out of Netty's buffer, so the request can be released as soon as the handler returns
 * (handlers read their input before they call the service). Confined to the connection's event
 * loop.
 *
 * <p>Query parameters are decoded byte-exactly: {@link #parameterBytes} gives the bytes a client
 * percent-encoded (UTF-8 for text, anything for binary keys); {@link #parameter} reads them as
 * UTF-8.
 */
final class HttpExchange {
  /** Query parameters decoded at most; more are ignored (Netty's bound). */
  static final int QUERY_PARAMETERS_MAX = 64;

  private static final byte[] EMPTY = new byte[0];

  private final HttpMethod method;
  private final String uri;
  private final HttpHeaders headers;
  private final byte[] body;
  private final QueryStringDecoder query;
  private Map<String, List<String>> parameters;
  private String pathParameter;

  HttpExchange(FullHttpRequest request) {
    this.method = request.method();
    this.uri = request.uri();
    this.headers = request.headers();
    this.body = request.content().isReadable() ? ByteBufUtil.getBytes(request.content()) : EMPTY;
    // ISO-8859-1 maps each decoded byte to one char and back, so no byte is lost to a charset.
    this.query =
        new QueryStringDecoder(
            uri, StandardCharsets.ISO_8859_1, true, QUERY_PARAMETERS_MAX, /* semicolons */ true);
  }

  HttpMethod method() {
    return method;
  }

  /** The path as sent, still percent-encoded; also the {@code instance} of problems. */
  String rawPath() {
    return query.rawPath();
  }

  byte[] body() {
    return body;
  }

  String header(CharSequence name) {
    return headers.get(name);
  }

  /** Every value of the header {@code name}, in order; empty if it is absent. */
  List<String> headers(CharSequence name) {
    return headers.getAll(name);
  }

  /** The raw (still percent-encoded) text the route's trailing path parameter matched. */
  String pathParameter() {
    return pathParameter;
  }

  void pathParameter(String raw) {
    this.pathParameter = raw;
  }

  /** The parameter's value as UTF-8 text, or null if absent. */
  String parameter(String name) {
    byte[] bytes = parameterBytes(name);
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * The parameter's value as the bytes the client encoded, or null if absent.
   *
   * @throws ProblemException if the query string is malformed or the parameter is repeated
   */
  byte[] parameterBytes(String name) {
    List<String> values = parameters().get(name);
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw Problem.badParameter(
              "query parameter '" + name + "' is given " + values.size() + " times; give it once")
          .with("parameter", name)
          .toException();
    }
    return values.get(0).getBytes(StandardCharsets.ISO_8859_1);
  }

  private Map<String, List<String>> parameters() {
    if (parameters == null) {
      try {
        parameters = query.parameters();
      } catch (IllegalArgumentException e) {
        throw Problem.badParameter("malformed query string: " + e.getMessage()).toException();
      }
    }
    return parameters;
  }
}
