package io.ringkv.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link HttpRouter}: literal paths, a trailing parameter that takes the rest, 404 and 405. */
class HttpRouterTest {
  private static final HttpRouter.Handler NOTHING =
      exchange -> CompletableFuture.completedFuture(HttpReply.noContent());

  private static HttpRouter.Route route(HttpMethod method, String template, String operation) {
    return new HttpRouter.Route(method, template, operation, NOTHING);
  }

  private final HttpRouter router =
      new HttpRouter(
          List.of(
              route(HttpMethod.GET, "/v1/kv", "list"),
              route(HttpMethod.GET, "/v1/kv/{key}", "get"),
              route(HttpMethod.PUT, "/v1/kv/{key}", "put"),
              route(HttpMethod.GET, "/v1/kv/special", "special"),
              route(HttpMethod.GET, "/v1/kv/nested/{id}", "nested")));

  private String operation(HttpMethod method, String path) {
    return switch (router.match(method, path)) {
      case HttpRouter.Match.Found found -> found.route().operation() + ":" + found.parameter();
      case HttpRouter.Match.MethodNotAllowed notAllowed -> "405 " + notAllowed.allowed();
      case HttpRouter.Match.NotFound notFound -> "404";
    };
  }

  @Test
  void match_literalsAndParameters() {
    assertThat(operation(HttpMethod.GET, "/v1/kv")).isEqualTo("list:null");
    assertThat(operation(HttpMethod.GET, "/v1/kv/a")).isEqualTo("get:a");
    assertThat(operation(HttpMethod.PUT, "/v1/kv/a/b/c")).isEqualTo("put:a/b/c");
    assertThat(operation(HttpMethod.GET, "/v1/kv/")).isEqualTo("get:");
    assertThat(operation(HttpMethod.GET, "/v1/kv/special")).isEqualTo("special:null");
    assertThat(operation(HttpMethod.GET, "/v1/kv/nested/7")).isEqualTo("nested:7");
  }

  @Test
  void match_wrongMethod_listsTheAllowedOnes() {
    assertThat(operation(HttpMethod.DELETE, "/v1/kv/a")).isEqualTo("405 [GET, PUT]");
    assertThat(operation(HttpMethod.POST, "/v1/kv")).isEqualTo("405 [GET]");
  }

  @Test
  void match_unknownPath_isNotFound() {
    assertThat(operation(HttpMethod.GET, "/v1/kvx")).isEqualTo("404");
    assertThat(operation(HttpMethod.GET, "/V1/kv")).isEqualTo("404");
    assertThat(operation(HttpMethod.GET, "")).isEqualTo("404");
  }

  @Test
  void constructor_refusesDuplicatesAndMidPathParameters() {
    assertThatThrownBy(
            () ->
                new HttpRouter(
                    List.of(route(HttpMethod.GET, "/a", "x"), route(HttpMethod.GET, "/a", "y"))))
        .hasMessageContaining("duplicate route GET /a");
    assertThatThrownBy(() -> new HttpRouter(List.of(route(HttpMethod.GET, "/a/{id}/b", "x"))))
        .hasMessageContaining("whole last segment");
  }
}
