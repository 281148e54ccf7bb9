package io.ringkv.server.http;

import static io.ringkv.server.http.HttpFixture.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.storage.Durability;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections: keep-alive, pipelining in order (also when the service answers later), the
 * connection limit, the idle timeout, and which errors close the connection and which do not.
 */
class ConnectionBehaviourTest {
  @TempDir Path directory;
  HttpFixture http;

  @AfterEach
  void stopServer() throws Exception {
    if (http != null) {
      http.close();
    }
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      LockSupport.parkNanos(1_000_000);
    }
  }

  @Test
  void keepAlive_servesManyRequestsOnOneConnection() throws IOException {
    http = HttpFixture.start(directory);
    try (RawHttpConnection connection = new RawHttpConnection(http.port())) {
      for (int i = 0; i < 300; i++) {
        assertThat(connection.exchange(RawHttpConnection.put("/v1/kv/k" + i, "v" + i)).status())
            .isEqualTo(200);
        RawHttpConnection.Response read =
            connection.exchange(RawHttpConnection.get("/v1/kv/k" + i));
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.text()).isEqualTo("v" + i);
        assertThat(read.headers()).doesNotContainKey("connection");
      }
      assertThat(http.server.openConnections()).isEqualTo(1);
    }
  }

  @Test
  void pipelining_repliesComeInRequestOrder() throws IOException {
    http = HttpFixture.start(directory);
    StringBuilder requests = new StringBuilder();
    int count = 100;
    for (int i = 0; i < count; i++) {
      requests.append(RawHttpConnection.put("/v1/kv/p" + i, "value " + i));
      requests.append(RawHttpConnection.get("/v1/kv/p" + i));
      requests.append(RawHttpConnection.get("/no-such-route-" + i));
    }
    try (RawHttpConnection connection = new RawHttpConnection(http.port())) {
      connection.send(requests.toString());
      for (int i = 0; i < count; i++) {
        assertThat(connection.read().status()).isEqualTo(200);
        assertThat(connection.read().text()).isEqualTo("value " + i);
        RawHttpConnection.Response missing = connection.read();
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.text()).contains("/no-such-route-" + i);
      }
    }
  }

  @Test
  void pipelining_repliesThatCompleteLaterStillComeInOrder() throws IOException {
    // With SYNC durability the service answers writes from other threads, after the request
    // returns; /health answers at once. More requests than PIPELINED_REQUESTS_MAX are in flight.
    http = HttpFixture.start(directory, options -> options.durability = Durability.SYNC);
    int count = 3 * HttpServer.PIPELINED_REQUESTS_MAX;
    StringBuilder requests = new StringBuilder();
    for (int i = 0; i < count; i++) {
      requests.append(RawHttpConnection.put("/v1/kv/s" + i, "synced " + i));
      requests.append(RawHttpConnection.get("/health"));
      requests.append(RawHttpConnection.get("/v1/kv/s" + i));
    }
    try (RawHttpConnection connection = new RawHttpConnection(http.port())) {
      connection.send(requests.toString());
      for (int i = 0; i < count; i++) {
        RawHttpConnection.Response put = connection.read();
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.text()).contains("\"key\":\"s" + i + "\"");
        assertThat(connection.read().text()).contains("\"status\":\"UP\"");
        assertThat(connection.read().text()).isEqualTo("synced " + i);
      }
    }
  }

  @Test
  void maxConnections_refusesWith503ThenAcceptsOnceOneCloses() throws IOException {
    http =
        HttpFixture.start(
            directory, options -> options.listener = new ListenerConfig("127.0.0.1", 0, 2, 0));
    RawHttpConnection first = new RawHttpConnection(http.port());
    try (RawHttpConnection second = new RawHttpConnection(http.port())) {
      assertThat(first.exchange(RawHttpConnection.get("/health")).status()).isEqualTo(200);
      assertThat(second.exchange(RawHttpConnection.get("/health")).status()).isEqualTo(200);
      assertThat(http.server.openConnections()).isEqualTo(2);

      HttpResponse<byte[]> refused = http.get("/health");
      JsonNode problem = assertProblem(refused, 503, "limit-exceeded");
      assertThat(problem.path("limit").asText()).isEqualTo("max_connections");
      assertThat(problem.path("max").asInt()).isEqualTo(2);
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      assertThat(refused.headers().firstValue("Connection")).hasValue("close");

      try (RawHttpConnection third = new RawHttpConnection(http.port())) {
        assertThat(third.exchange(RawHttpConnection.get("/v1/kv/x")).status()).isEqualTo(503);
        assertThat(third.closedByServer()).isTrue();
      }
      // The held connections were not disturbed.
      assertThat(second.exchange(RawHttpConnection.get("/health")).status()).isEqualTo(200);

      first.close();
      await("the closed connection to be counted out", () -> http.server.openConnections() < 2);
      assertThat(http.get("/health").statusCode()).isEqualTo(200);
    } finally {
      first.close();
    }
  }

  @Test
  void idleTimeout_closesAnIdleConnection() throws IOException {
    http =
        HttpFixture.start(
            directory, options -> options.listener = new ListenerConfig("127.0.0.1", 0, 100, 200));
    try (RawHttpConnection connection = new RawHttpConnection(http.port())) {
      assertThat(connection.exchange(RawHttpConnection.get("/health")).status()).isEqualTo(200);
      assertThat(connection.closedByServer()).isTrue();
    }
    await("the idle connection to be counted out", () -> http.server.openConnections() == 0);
  }

  @Test
  void connectionClose_andHttp10_closeAfterTheReply() throws IOException {
    http = HttpFixture.start(directory);
    try (RawHttpConnection connection = new RawHttpConnection(http.port())) {
      RawHttpConnection.Response response =
          connection.exchange("GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.headers().get("connection")).isEqualTo("close");
      assertThat(connection.closedByServer()).isTrue();
    }
    try (RawHttpConnection connection = new RawHttpConnection(http.port())) {
      assertThat(connection.exchange("GET /health HTTP/1.0\r\n\r\n").status()).isEqualTo(200);
      assertThat(connection.closedByServer()).isTrue();
    }
  }

  @Test
  void oversizedBody_withContentLength_isSkippedAndTheConnectionCarriesOn() throws IOException {
    LimitsConfig defaults = LimitsConfig.defaults();
    http =
        HttpFixture.start(
            directory,
            options ->
                options.limits =
                    new LimitsConfig(
                        defaults.keyBytesMax(),
                        defaults.valueBytesMax(),
                        defaults.respBulkBytesMax(),
                        defaults.respArgumentsMax(),
                        defaults.respInlineBytesMax(),
                        1024,
                        defaults.grpcMessageBytesMax()));
    String body = "b".repeat(5000);
    try (RawHttpConnection connection = new RawHttpConnection(http.port())) {
      connection.send(
          RawHttpConnection.put("/v1/kv/big", body) + RawHttpConnection.put("/v1/kv/small", "ok"));
      RawHttpConnection.Response tooLarge = connection.read();
      assertThat(tooLarge.status()).isEqualTo(413);
      assertThat(tooLarge.text()).contains("http_body_bytes_max");
      assertThat(tooLarge.headers()).doesNotContainKey("connection");
      assertThat(connection.read().status()).isEqualTo(200);
      assertThat(connection.exchange(RawHttpConnection.get("/v1/kv/small")).text()).isEqualTo("ok");
      assertThat(connection.exchange(RawHttpConnection.get("/v1/kv/big")).status()).isEqualTo(404);
    }
  }

  @Test
  void expectContinue_overTheBodyLimit_is413InsteadOf100() throws IOException {
    LimitsConfig defaults = LimitsConfig.defaults();
    http =
        HttpFixture.start(
            directory,
            options ->
                options.limits =
                    new LimitsConfig(
                        defaults.keyBytesMax(),
                        defaults.valueBytesMax(),
                        defaults.respBulkBytesMax(),
                        defaults.respArgumentsMax(),
                        defaults.respInlineBytesMax(),
                        1024,
                        defaults.grpcMessageBytesMax()));
    try (RawHttpConnection connection = new RawHttpConnection(http.port())) {
      RawHttpConnection.Response refused =
          connection.exchange(
              "PUT /v1/kv/e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                  + "Content-Length: 2048\r\n\r\n");
      assertThat(refused.status()).isEqualTo(413);
      assertThat(refused.headers().get("content-type")).isEqualTo(HttpReply.PROBLEM_JSON);
      assertThat(refused.text()).contains("2048 bytes (Content-Length)");

      RawHttpConnection.Response proceed =
          connection.exchange(
              "PUT /v1/kv/e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                  + "Content-Length: 2\r\n\r\n");
      assertThat(proceed.status()).isEqualTo(100);
      connection.send("ok");
      assertThat(connection.read().status()).isEqualTo(200);

      RawHttpConnection.Response unknown =
          connection.exchange(
              "PUT /v1/kv/e HTTP/1.1\r\nHost: t\r\nExpect: telepathy\r\n"
                  + "Content-Length: 2\r\n\r\n");
      assertThat(unknown.status()).isEqualTo(417);
      assertThat(unknown.text()).contains("unsupported expectation 'telepathy'");
    }
    assertThat(http.get("/v1/kv/e").body()).isEqualTo("ok".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void oversizedChunkedBody_is413ThenClosed() throws IOException {
    LimitsConfig defaults = LimitsConfig.defaults();
    http =
        HttpFixture.start(
            directory,
            options ->
                options.limits =
                    new LimitsConfig(
                        defaults.keyBytesMax(),
                        defaults.valueBytesMax(),
                        defaults.respBulkBytesMax(),
                        defaults.respArgumentsMax(),
                        defaults.respInlineBytesMax(),
                        1024,
                        defaults.grpcMessageBytesMax()));
    String chunk = "c".repeat(800);
    String request =
        "PUT /v1/kv/chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
            + Integer.toHexString(chunk.length())
            + "\r\n"
            + chunk
            + "\r\n"
            + Integer.toHexString(chunk.length())
            + "\r\n"
            + chunk
            + "\r\n0\r\n\r\n";
    try (RawHttpConnection connection = new RawHttpConnection(http.port())) {
      RawHttpConnection.Response response = connection.exchange(request);
      assertThat(response.status()).isEqualTo(413);
      assertThat(response.text()).contains("the request body is more than http_body_bytes_max");
      assertThat(response.headers().get("connection")).isEqualTo("close");
      assertThat(connection.closedByServer()).isTrue();
    }
    assertProblem(http.get("/v1/kv/chunked"), 404, "key-not-found");
  }

  @Test
  void malformedRequest_is400ThenClosed() throws IOException {
    http = HttpFixture.start(directory);
    List<String> garbage = new ArrayList<>();
    garbage.add("GET /health HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n");
    garbage.add("GET /health HTTP/1.1\r\nHost: t\r\nBad Header Without Colon\r\n\r\n");
    for (String request : garbage) {
      try (RawHttpConnection connection = new RawHttpConnection(http.port())) {
        RawHttpConnection.Response response = connection.exchange(request);
        assertThat(response.status()).as(request).isEqualTo(400);
        JsonNode problem = HttpFixture.parse(response.text());
        assertThat(problem.path("type").asText())
            .isEqualTo(ProblemType.URI_PREFIX + "malformed-http");
        assertThat(connection.closedByServer()).isTrue();
      }
    }
    assertThat(new String(http.get("/health").body(), StandardCharsets.UTF_8)).contains("UP");
  }
}
