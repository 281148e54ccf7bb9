package io.ringkv.server.http;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The route table: which handler serves which method and path. It is the single source of truth for
 * what the API serves; the OpenAPI document is checked against {@link #routes()} by a test.
 *
 * <p>A template is a literal path ({@code /health}) or a literal prefix ending in one parameter
 * that takes the rest of the path, slashes included ({@code /v1/kv/{key}} matches {@code
 * /v1/kv/users/42} with key {@code users/42}); a literal path wins over a prefix, and a longer
 * prefix over a shorter one. Matching is exact: no trailing-slash or case folding. Immutable and
 * thread-safe.
 */
final class HttpRouter {

  /** Handles one request; parses its input before returning, answers through the future. */
  @FunctionalInterface
  interface Handler {
    CompletableFuture<HttpReply> handle(HttpExchange exchange);
  }

  /**
   * One method on one path.
   *
   * @param method the HTTP method
   * @param template the path, in OpenAPI's notation
   * @param operation the metric and OpenAPI operationId name, e.g. {@code kv_get}
   * @param handler what serves it
   */
  record Route(HttpMethod method, String template, String operation, Handler handler) {
    /** The literal part of the template: all of it, or what precedes its parameter. */
    String prefix() {
      int brace = template.indexOf('{');
      return brace < 0 ? template : template.substring(0, brace);
    }

    boolean hasParameter() {
      return template.indexOf('{') >= 0;
    }
  }

  /** What a request's method and path select. */
  sealed interface Match {
    /** A route serves it; {@code parameter} is the raw path parameter, or null. */
    record Found(Route route, String parameter) implements Match {}

    /** The path exists but not with this method; {@code allowed} lists the methods it has. */
    record MethodNotAllowed(Set<HttpMethod> allowed) implements Match {}

    /** No route has this path. */
    record NotFound() implements Match {}
  }

  private static final Match NOT_FOUND = new Match.NotFound();

  private final List<Route> routes;
  private final Map<String, List<Route>> literal = new HashMap<>();
  private final Map<String, List<Route>> parameterized = new HashMap<>();

  HttpRouter(List<Route> routes) {
    this.routes = List.copyOf(routes);
    Set<String> seen = new LinkedHashSet<>();
    for (Route route : this.routes) {
      if (!seen.add(route.method() + " " + route.template())) {
        throw new IllegalArgumentException(
            "duplicate route " + route.method() + " " + route.template());
      }
      String template = route.template();
      int brace = template.indexOf('{');
      if (brace >= 0) {
        if (template.charAt(brace - 1) != '/' || template.indexOf('}') != template.length() - 1) {
          throw new IllegalArgumentException(
              "a parameter must be a whole last segment: " + template);
        }
        parameterized.computeIfAbsent(route.prefix(), p -> new ArrayList<>()).add(route);
      } else {
        literal.computeIfAbsent(template, t -> new ArrayList<>()).add(route);
      }
    }
  }

  /** Every route, in the order given. */
  List<Route> routes() {
    return routes;
  }

  Match match(HttpMethod method, String rawPath) {
    List<Route> candidates = literal.get(rawPath);
    String parameter = null;
    if (candidates == null) {
      String longest = null;
      for (String prefix : parameterized.keySet()) {
        if (rawPath.startsWith(prefix) && (longest == null || prefix.length() > longest.length())) {
          longest = prefix;
        }
      }
      if (longest == null) {
        return NOT_FOUND;
      }
      candidates = parameterized.get(longest);
      parameter = rawPath.substring(longest.length());
    }
    for (Route route : candidates) {
      if (route.method().equals(method)) {
        return new Match.Found(route, parameter);
      }
    }
    Set<HttpMethod> allowed = new LinkedHashSet<>();
    for (Route route : candidates) {
      allowed.add(route.method());
    }
    return new Match.MethodNotAllowed(allowed);
  }
}
