package io.ringkv.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.storage.Durability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading from the file, the environment and {@code --set}, and the precedence between them. */
class ConfigLoaderTest {
  @TempDir Path directory;

  private Path yaml(String text) throws IOException {
    return Files.writeString(directory.resolve("ringkv.yaml"), text);
  }

  @Test
  void load_noSources_givesTheDefaults() {
    NodeConfig config = ConfigLoader.load(null, Map.of(), List.of());

    assertThat(config).isEqualTo(NodeConfig.defaults());
    assertThat(config.node().id()).isEqualTo("node-1");
    assertThat(config.node().directory()).isEqualTo(Path.of("./data/node-1"));
    assertThat(config.storage().fsync()).isEqualTo(Durability.PERIODIC);
    assertThat(config.resp().listener()).isEqualTo(ListenerConfig.of("127.0.0.1", 6379));
    assertThat(config.http().listener()).isEqualTo(ListenerConfig.of("127.0.0.1", 8080));
    assertThat(config.grpc().listener()).isEqualTo(ListenerConfig.of("127.0.0.1", 9090));
    assertThat(config.resp().requirepass()).isEmpty();
    assertThat(config.limits()).isEqualTo(LimitsConfig.defaults());
    assertThat(config.limits().keyBytesMax()).isEqualTo(1024);
    assertThat(config.limits().valueBytesMax()).isEqualTo(1024 * 1024);
  }

  @Test
  void load_file_setsItsOptions() throws IOException {
    Path file =
        yaml(
            """
            node:
              id: alpha
              data_directory: /var/lib/ringkv
            storage:
              fsync: sync
              memtable_bytes: 16MiB
            resp:
              port: 7379
              enabled: false
              requirepass: s3cret
            limits:
              value_bytes_max: 512KiB
            """);

    NodeConfig config = ConfigLoader.load(file, Map.of(), List.of());

    assertThat(config.node().directory()).isEqualTo(Path.of("/var/lib/ringkv/alpha"));
    assertThat(config.storage().fsync()).isEqualTo(Durability.SYNC);
    assertThat(config.storage().memtableBytes()).isEqualTo(16L << 20);
    assertThat(config.resp().listener().port()).isEqualTo(7379);
    assertThat(config.resp().enabled()).isFalse();
    assertThat(config.resp().requirepass()).contains("s3cret");
    assertThat(config.limits().valueBytesMax()).isEqualTo(512 << 10);
    assertThat(config.http()).isEqualTo(NodeConfig.defaults().http());
  }

  @Test
  void load_environment_mapsEachVariableToItsOption() {
    Map<String, String> environment =
        Map.of(
            "RINGKV_RESP_PORT", "6380",
            "RINGKV_NODE_DATA_DIRECTORY", "/srv/data",
            "RINGKV_STORAGE_PERIODIC_SYNC_MILLIS", "50",
            "RINGKV_RESP_REQUIREPASS", "pw",
            "RINGKV_HTTP_ENABLED", "false");

    NodeConfig config = ConfigLoader.load(null, environment, List.of());

    assertThat(config.resp().listener().port()).isEqualTo(6380);
    assertThat(config.node().dataDirectory()).isEqualTo(Path.of("/srv/data"));
    assertThat(config.storage().periodicSyncMillis()).isEqualTo(50);
    assertThat(config.resp().requirepass()).contains("pw");
    assertThat(config.http().enabled()).isFalse();
  }

  @Test
  void environmentVariable_ofEveryOption_mapsBackToIt() {
    for (ConfigOption option : ConfigSchema.options()) {
      assertThat(ConfigSchema.pathOfVariable(option.environmentVariable()))
          .as(option.environmentVariable())
          .isEqualTo(option.path());
    }
    assertThat(ConfigSchema.require("storage.level0_stop_trigger").environmentVariable())
        .isEqualTo("RINGKV_STORAGE_LEVEL0_STOP_TRIGGER");
  }

  @Test
  void load_variablesOfTheLauncherAndOthers_areIgnored() {
    Map<String, String> environment =
        Map.of(
            "RINGKV_JAVA_OPTS", "-Xmx1g",
            "RINGKV_JVM_DIR", "/opt/jdks",
            "RINGKV_NO_BUILD", "1",
            "PATH", "/usr/bin",
            "RESP_PORT", "1");

    assertThat(ConfigLoader.load(null, environment, List.of())).isEqualTo(NodeConfig.defaults());
  }

  @Test
  void load_precedence_isFileThenEnvironmentThenSet() throws IOException {
    Path file = yaml("resp:\n  port: 1111\n  host: 0.0.0.0\n");
    Map<String, String> environment = Map.of("RINGKV_RESP_PORT", "2222");
    List<String> sets = List.of("resp.port=3333");

    assertThat(ConfigLoader.load(file, Map.of(), List.of()).resp().listener().port())
        .isEqualTo(1111);
    assertThat(ConfigLoader.load(file, environment, List.of()).resp().listener().port())
        .isEqualTo(2222);
    NodeConfig all = ConfigLoader.load(file, environment, sets);
    assertThat(all.resp().listener().port()).isEqualTo(3333);
    // What only the file sets survives the overrides of other options.
    assertThat(all.resp().listener().host()).isEqualTo("0.0.0.0");
  }

  @Test
  void load_laterSet_winsOverAnEarlierOne() {
    assertThat(ConfigLoader.fromSets("resp.port=1", "resp.port=2").resp().listener().port())
        .isEqualTo(2);
  }

  @Test
  void load_overriddenBadFileValue_isNotAnError() throws IOException {
    Path file = yaml("resp:\n  port: not-a-port\n");

    NodeConfig config = ConfigLoader.load(file, Map.of(), List.of("resp.port=7100"));

    assertThat(config.resp().listener().port()).isEqualTo(7100);
  }

  @Test
  void load_sizes_acceptNumbersAndBinaryUnits() {
    NodeConfig config =
        ConfigLoader.fromSets(
            "storage.memtable_bytes=1048576",
            "storage.block_cache_bytes=3 GiB",
            "storage.block_bytes=4kib",
            "limits.key_bytes_max=512B");

    assertThat(config.storage().memtableBytes()).isEqualTo(1L << 20);
    assertThat(config.storage().blockCacheBytes()).isEqualTo(3L << 30);
    assertThat(config.storage().blockBytes()).isEqualTo(4096);
    assertThat(config.limits().keyBytesMax()).isEqualTo(512);
  }

  @Test
  void load_sizeTooLargeForItsUnit_isRefusedNotWrapped() {
    assertThat(
            ConfigErrors.of(() -> ConfigLoader.fromSets("storage.block_cache_bytes=99999999TiB")))
        .singleElement()
        .asString()
        .startsWith("storage.block_cache_bytes is '99999999TiB' (from --set); allowed: a size");
  }

  @Test
  void load_emptyFileAndEmptySection_giveTheDefaults() throws IOException {
    assertThat(ConfigLoader.load(yaml(""), Map.of(), List.of())).isEqualTo(NodeConfig.defaults());
    assertThat(ConfigLoader.load(yaml("# nothing\nresp:\n"), Map.of(), List.of()))
        .isEqualTo(NodeConfig.defaults());
  }

  @Test
  void load_yamlScalarsOfOtherTypes_areReadAsTheOptionNeeds() throws IOException {
    Path file =
        yaml(
            """
            node:
              id: 7
            resp:
              port: "6390"
              enabled: "true"
              requirepass: 12345
            """);

    NodeConfig config = ConfigLoader.load(file, Map.of(), List.of());

    assertThat(config.node().id()).isEqualTo("7");
    assertThat(config.resp().listener().port()).isEqualTo(6390);
    assertThat(config.resp().enabled()).isTrue();
    assertThat(config.resp().requirepass()).contains("12345");
  }

  @Test
  void load_emptyPassword_meansNone() {
    assertThat(ConfigLoader.fromSets("resp.requirepass=").resp().requirepass()).isEmpty();
    assertThat(
            ConfigLoader.load(null, Map.of("RINGKV_RESP_REQUIREPASS", ""), List.of())
                .resp()
                .requirepass())
        .isEmpty();
  }

  @Test
  void toString_neverShowsThePassword() {
    NodeConfig config = ConfigLoader.fromSets("resp.requirepass=hunter2");

    assertThat(config.toString()).doesNotContain("hunter2").contains("requirepass=(set)");
  }

  @Test
  void chooseFile_prefersTheExplicitFile() {
    Path explicit = directory.resolve("other.yaml");

    assertThat(ConfigLoader.chooseFile(explicit)).isEqualTo(Optional.of(explicit));
  }

  @Test
  void withPortOffset_movesEveryPortButZero() {
    NodeConfig config = ConfigLoader.fromSets("grpc.port=0").withPortOffset(2);

    assertThat(config.resp().listener().port()).isEqualTo(6381);
    assertThat(config.http().listener().port()).isEqualTo(8082);
    assertThat(config.grpc().listener().port()).isZero();
  }

  @Test
  void withNodeId_movesTheNodeDirectory() {
    NodeConfig config = NodeConfig.defaults().withNodeId("node-3");

    assertThat(config.node().directory()).isEqualTo(Path.of("./data/node-3"));
  }
}
