package io.ringkv.server.http;

import static io.ringkv.server.http.HttpFixture.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.kv.KvException;
import io.ringkv.server.testing.ScriptedService;
import io.ringkv.server.testing.ScriptedService.Call;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The per-request consistency level over real HTTP: every key-value route passes the level of
 * {@code X-Consistency-Level} or {@code ?consistency=} to the data service, refuses a bad one with
 * a 400 naming the allowed levels, and maps the coordinator's UNAVAILABLE and TIMEOUT to 503 and
 * 504 problems.
 */
class HttpConsistencyTest {
  private static final String HEADER = "X-Consistency-Level";

  /** Every key-value route, as a request that succeeds on a store holding key {@code k}. */
  enum Route {
    API_GET("get"),
    API_PUT("write"),
    KV_LIST("scan"),
    KV_GET("get"),
    KV_PUT("write"),
    KV_DELETE("delete");

    final String operation;

    Route(String operation) {
      this.operation = operation;
    }

    boolean read() {
      return operation.equals("get") || operation.equals("scan");
    }

    HttpResponse<byte[]> send(HttpFixture http, String query, String... headers) {
      return switch (this) {
        case API_GET ->
            http.get("/api/v1/get?key=k" + (query.isEmpty() ? "" : "&" + query), headers);
        case API_PUT ->
            http.post(path("/api/v1/put", query), "{\"key\":\"k\",\"value\":1}", headers);
        case KV_LIST -> http.get(path("/v1/kv", query), headers);
        case KV_GET -> http.get(path("/v1/kv/k", query), headers);
        case KV_PUT ->
            http.put(path("/v1/kv/k", query), "v".getBytes(StandardCharsets.UTF_8), headers);
        case KV_DELETE -> http.delete(path("/v1/kv/k", query), headers);
      };
    }

    private static String path(String path, String query) {
      return query.isEmpty() ? path : path + "?" + query;
    }
  }

  @TempDir Path directory;
  private HttpFixture http;
  private ScriptedService service;

  @BeforeEach
  void start() {
    http =
        HttpFixture.start(
            directory,
            options ->
                options.wrap =
                    real -> {
                      service = new ScriptedService(real);
                      return service;
                    });
    assertThat(http.put("/v1/kv/k", "v".getBytes(StandardCharsets.UTF_8)).statusCode())
        .isEqualTo(200);
    service.clearCalls();
  }

  @AfterEach
  void stop() throws Exception {
    http.close();
  }

  @ParameterizedTest
  @EnumSource(Route.class)
  void header_reachesTheService(Route route) {
    HttpResponse<byte[]> response = route.send(http, "", HEADER, "two");

    assertThat(response.statusCode()).as(HttpFixture.describe(response)).isLessThan(300);
    assertThat(service.calls()).containsExactly(new Call(route.operation, ConsistencyLevel.TWO));
  }

  @ParameterizedTest
  @EnumSource(Route.class)
  void queryParameter_reachesTheService(Route route) {
    HttpResponse<byte[]> response = route.send(http, "consistency=local-quorum");

    assertThat(response.statusCode()).as(HttpFixture.describe(response)).isLessThan(300);
    assertThat(service.calls())
        .containsExactly(new Call(route.operation, ConsistencyLevel.LOCAL_QUORUM));
  }

  @ParameterizedTest
  @EnumSource(Route.class)
  void noLevel_leavesTheKeyspaceDefault(Route route) {
    route.send(http, "");

    assertThat(service.calls()).containsExactly(new Call(route.operation, null));
  }

  @ParameterizedTest
  @EnumSource(Route.class)
  void unknownLevel_is400NamingTheAllowedLevels(Route route) {
    JsonNode problem =
        assertProblem(route.send(http, "", HEADER, "MOST"), 400, "invalid-parameter");

    assertThat(problem.path("detail").asText())
        .isEqualTo(
            "header X-Consistency-Level: unknown consistency level 'MOST'; allowed: ONE, TWO,"
                + " THREE, QUORUM, ALL, LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM, ANY");
    assertThat(problem.path("parameter").asText()).isEqualTo("consistency");
    assertThat(problem.path("allowed").asText())
        .isEqualTo("ONE, TWO, THREE, QUORUM, ALL, LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM, ANY");
    assertThat(service.calls()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Route.class)
  void any_isForWritesOnly(Route route) {
    HttpResponse<byte[]> response = route.send(http, "consistency=ANY");

    if (route.read()) {
      JsonNode problem = assertProblem(response, 400, "invalid-parameter");
      assertThat(problem.path("detail").asText())
          .isEqualTo(
              "consistency level ANY is for writes only; reads allow ONE, TWO, THREE, QUORUM,"
                  + " ALL, LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM");
      assertThat(service.calls()).isEmpty();
    } else {
      assertThat(response.statusCode()).isLessThan(300);
      assertThat(service.calls()).containsExactly(new Call(route.operation, ConsistencyLevel.ANY));
    }
  }

  @ParameterizedTest
  @EnumSource(Route.class)
  void unavailable_is503WithRetryAfter(Route route) {
    service.failWith(KvException.Kind.UNAVAILABLE, "QUORUM needs 2 live replicas, 1 is");

    HttpResponse<byte[]> response = route.send(http, "consistency=QUORUM");

    JsonNode problem = assertProblem(response, 503, "unavailable");
    assertThat(problem.path("detail").asText())
        .isEqualTo(
            "QUORUM needs 2 live replicas, 1 is; nothing was attempted, retrying later may"
                + " succeed");
    assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
  }

  @ParameterizedTest
  @EnumSource(Route.class)
  void timeout_is504AndAWriteSaysItMayHaveApplied(Route route) {
    service.failWith(KvException.Kind.TIMEOUT, "1 of 2 replicas answered in 2000 ms");

    JsonNode problem = assertProblem(route.send(http, ""), 504, "timeout");

    String detail = problem.path("detail").asText();
    assertThat(detail).startsWith("1 of 2 replicas answered in 2000 ms");
    if (route.read()) {
      assertThat(detail).isEqualTo("1 of 2 replicas answered in 2000 ms");
    } else {
      assertThat(detail).contains("the write may or may not have been applied");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Route.class,
      names = {"API_PUT", "KV_PUT", "KV_DELETE"})
  void sessionTimestampHeader_reachesTheServiceOnWrites(Route route) {
    HttpResponse<byte[]> response = route.send(http, "", "X-Session-Timestamp", "123456789");

    assertThat(response.statusCode()).as(HttpFixture.describe(response)).isLessThan(300);
    assertThat(service.sessionTimestamps()).containsExactly(123456789L);
  }

  @ParameterizedTest
  @EnumSource(
      value = Route.class,
      names = {"API_PUT", "KV_PUT", "KV_DELETE"})
  void sessionTimestampHeader_notATimestamp_is400NamingTheHeader(Route route) {
    for (String bad : new String[] {"-1", "soon"}) {
      JsonNode problem =
          assertProblem(route.send(http, "", "X-Session-Timestamp", bad), 400, "invalid-parameter");

      assertThat(problem.path("detail").asText())
          .contains("header X-Session-Timestamp must be a timestamp from a response")
          .contains("'" + bad + "'");
    }
    assertThat(service.calls()).isEmpty();
  }

  @Test
  void delete_answersTheTombstonesTimestamp() {
    HttpResponse<byte[]> response = http.delete("/v1/kv/k");

    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.headers().firstValueAsLong("X-Ringkv-Timestamp").orElse(0)).isPositive();
  }

  @Test
  void failure_leavesTheConnectionAndTheServerUsable() {
    service.failWith(KvException.Kind.TIMEOUT, "slow");
    assertProblem(http.get("/v1/kv/k"), 504, "timeout");

    service.failWith(null, null);

    assertThat(http.get("/v1/kv/k").statusCode()).isEqualTo(200);
  }
}
