package io.ringkv.server.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.storage.Durability;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RespServerLifecycleTest {
  @TempDir Path directory;
  private RespFixture fixture;

  @BeforeEach
  void start() throws Exception {
    fixture = RespFixture.start(directory);
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private RespServer another(int port) {
    return new RespServer(
        ListenerConfig.of("127.0.0.1", port),
        LimitsConfig.defaults(),
        fixture.service,
        fixture.metrics,
        new RespServerInfo(
            "test",
            "node-2",
            RespServerInfo.randomRunId(),
            0,
            0,
            "dir",
            "",
            "lsm",
            Durability.NONE));
  }

  @Test
  void name_isResp() {
    assertThat(fixture.server.name()).isEqualTo("resp");
  }

  @Test
  void close_closesConnectedClientsAndIsIdempotent() throws Exception {
    try (RawRespClient client = fixture.raw()) {
      assertThat(client.call("SET", "k", "v")).isEqualTo("OK");
      fixture.server.close();
      assertThat(client.closedByServer()).isTrue();
      fixture.server.close();
    }
  }

  @Test
  void start_onAPortInUseNamesTheAddress() {
    int port = fixture.address().getPort();
    RespServer second = another(port);
    assertThatThrownBy(second::start)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("127.0.0.1:" + port);
    second.close();
  }

  @Test
  void boundAddress_beforeStartIsRefused() {
    RespServer notStarted = another(0);
    assertThatThrownBy(notStarted::boundAddress).isInstanceOf(IllegalStateException.class);
    notStarted.close();
  }
}
