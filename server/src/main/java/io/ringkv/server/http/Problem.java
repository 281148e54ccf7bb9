package io.ringkv.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One problem detail (RFC 9457) before its {@code instance} is known: status, type, a detail that
 * names the cause precisely (the field, the parameter, the limit and its value, the position in the
 * JSON), and extension members such as {@code limit} and {@code max} for limit problems. Immutable.
 *
 * @param status the HTTP status
 * @param type the kind, which gives the {@code type} URI and {@code title}
 * @param detail what went wrong with this request, for people
 * @param extensions extra members, in order; never null
 */
record Problem(
    HttpResponseStatus status, ProblemType type, String detail, Map<String, Object> extensions) {

  Problem {
    extensions = Map.copyOf(extensions);
  }

  static Problem of(HttpResponseStatus status, ProblemType type, String detail) {
    return new Problem(status, type, detail, Map.of());
  }

  static Problem badParameter(String detail) {
    return of(HttpResponseStatus.BAD_REQUEST, ProblemType.INVALID_PARAMETER, detail);
  }

  static Problem badBody(String detail) {
    return of(HttpResponseStatus.BAD_REQUEST, ProblemType.INVALID_BODY, detail);
  }

  /**
   * A limit violation: the extension members {@code limit} (the limit's configuration name) and
   * {@code max} (its value) let clients react without parsing the detail.
   */
  static Problem limit(HttpResponseStatus status, String limitName, long max, String detail) {
    return new Problem(
        status, ProblemType.LIMIT_EXCEEDED, detail, Map.of("limit", limitName, "max", max));
  }

  /** This problem with one more extension member. */
  Problem with(String name, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(extensions);
    more.put(name, value);
    return new Problem(status, type, detail, more);
  }

  /** This problem as an exception, for parsing code deep in a handler to abort the request. */
  ProblemException toException() {
    return new ProblemException(this);
  }

  /** The RFC 9457 members in their usual order, then the extensions (sorted, for stable output). */
  Map<String, Object> members(String instance) {
    Map<String, Object> members = new LinkedHashMap<>();
    members.put("type", type.uri());
    members.put("title", type.title());
    members.put("status", status.code());
    members.put("detail", detail);
    members.put("instance", instance);
    extensions.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(entry -> members.put(entry.getKey(), entry.getValue()));
    return members;
  }
}
