package io.ringkv.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.config.ListenerConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting, binding and closing an {@link HttpServer}. */
class HttpServerLifecycleTest {
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

  private HttpServer another(int port) {
    return new HttpServer(
        ListenerConfig.of("127.0.0.1", port),
        LimitsConfig.defaults(),
        http.service,
        http.metrics,
        new HttpServerInfo("v", "n", () -> true));
  }

  @Test
  void start_onAPortInUse_failsNamingTheAddress() {
    try (HttpServer second = another(http.port())) {
      assertThatThrownBy(second::start)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("cannot listen for HTTP on 127.0.0.1:" + http.port());
    }
    assertThat(http.get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void start_twice_isRefused() {
    assertThatThrownBy(http.server::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void boundAddress_beforeStart_isRefused() {
    try (HttpServer unstarted = another(0)) {
      assertThat(unstarted.name()).isEqualTo("http");
      assertThatThrownBy(unstarted::boundAddress).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void close_isIdempotentAndStopsListening() throws IOException {
    int port = http.port();
    http.server.close();
    http.server.close();
    assertThatThrownBy(() -> new RawHttpConnection(port).close()).isInstanceOf(IOException.class);
  }

  @Test
  void constructor_refusesAZeroConnectionLimit() {
    assertThatThrownBy(
            () ->
                new HttpServer(
                    new ListenerConfig("127.0.0.1", 0, 0, 0),
                    LimitsConfig.defaults(),
                    http.service,
                    http.metrics,
                    new HttpServerInfo("v", "n", () -> true)))
        .hasMessageContaining("max_connections must be at least 1, was 0");
  }
}
