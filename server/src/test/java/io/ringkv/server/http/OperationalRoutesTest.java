package io.ringkv.server.http;

import static io.ringkv.server.http.HttpFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /health}, {@code /metrics} and {@code /openapi.json}. */
class OperationalRoutesTest {
  @TempDir Path directory;
  HttpFixture http;

  @BeforeEach
  void startServer() {
    http = HttpFixture.start(directory);
  }

  @AfterEach
  void stopServer() throws Exception {
    http.close();
  }

  @Test
  void health_reportsUpOrDown() {
    HttpResponse<byte[]> up = http.get("/health");
    assertThat(up.statusCode()).isEqualTo(200);
    assertThat(up.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode body = json(up);
    assertThat(body.path("status").asText()).isEqualTo("UP");
    assertThat(body.path("nodeId").asText()).isEqualTo("node-1");
    assertThat(body.path("version").asText()).isEqualTo("test-version");

    http.healthy.set(false);
    HttpResponse<byte[]> down = http.get("/health");
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(json(down).path("status").asText()).isEqualTo("DOWN");
  }

  @Test
  void metrics_isPrometheusTextWithRequestsPerRoute() {
    http.put("/v1/kv/k", new byte[] {1});
    http.get("/v1/kv/k");
    http.get("/v1/kv/absent");
    http.get("/no-such-route");

    HttpResponse<byte[]> scrape = http.get("/metrics");
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    String text = new String(scrape.body(), StandardCharsets.UTF_8);
    assertThat(text).contains("ringkv_requests_seconds");
    assertThat(text)
        .containsPattern(
            "ringkv_requests_seconds_count\\{[^}]*frontend=\"http\",[^}]*operation=\"kv_put\",outcome=\"ok\"[^}]*\\} 1");
    // A miss is an ordinary outcome; an unknown route is an error.
    assertThat(text)
        .containsPattern(
            "ringkv_requests_seconds_count\\{[^}]*operation=\"kv_get\",outcome=\"ok\"[^}]*\\} 2");
    assertThat(text)
        .containsPattern(
            "ringkv_requests_seconds_count\\{[^}]*operation=\"unrouted\",outcome=\"error\"[^}]*\\} 1");
    assertThat(text).contains("jvm_memory_used_bytes");
  }

  @Test
  void openApi_isServedAsJsonWithTheBuildVersion() {
    HttpResponse<byte[]> response = http.get("/openapi.json");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode document = json(response);
    assertThat(document.path("openapi").asText()).isEqualTo("3.1.0");
    assertThat(document.path("info").path("version").asText()).isNotEmpty().doesNotContain("${");
  }
}
