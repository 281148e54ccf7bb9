package io.ringkv.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every option of the schema reaches the configuration records, and reaches a field of its own. */
class ConfigBinderTest {

  @Test
  void bind_readsEveryOption() {
    assertThat(ConfigBinder.pathsRead()).containsExactlyInAnyOrderElementsOf(ConfigSchema.paths());
  }

  @Test
  void everyOption_setAlone_changesTheConfiguration() {
    NodeConfig defaults = NodeConfig.defaults();
    for (ConfigOption option : ConfigSchema.options()) {
      NodeConfig changed = loadChanged(option);

      assertThat(changed).as(option.path()).isNotEqualTo(defaults);
    }
  }

  @Test
  void everyOption_changesAFieldOfItsOwn() {
    // Setting two different options must give two different configurations: no two options
    // write the same field.
    List<NodeConfig> changed =
        ConfigSchema.options().stream().map(ConfigBinderTest::loadChanged).toList();

    assertThat(changed).doesNotHaveDuplicates();
  }

  /** The defaults with {@code option} moved to a nearby valid value. */
  private static NodeConfig loadChanged(ConfigOption option) {
    for (String value : otherValues(option)) {
      try {
        return ConfigLoader.load(null, Map.of(), List.of(option.path() + "=" + value));
      } catch (ConfigException relationBroken) {
        // Try the next candidate (e.g. a larger value limit needs larger companion limits).
      }
    }
    throw new AssertionError("no other valid value found for " + option.path());
  }

  private static List<String> otherValues(ConfigOption option) {
    Object value = option.defaultValue();
    return switch (option.kind()) {
      case INTEGER, SIZE, MILLIS ->
          List.of(Long.toString((Long) value + 1), Long.toString((Long) value - 1));
      case BOOLEAN -> List.of(Boolean.toString(!(Boolean) value));
      // Host lists and peer maps do not take a trailing "x"; the next candidates fit them.
      case STRING -> List.of(value + "x", "127.0.0.1:7001", "node-9=127.0.0.1:7001");
      case CHOICE ->
          List.of(
              switch ((String) value) {
                case "none" -> "lz4";
                case "lsm" -> "rocksdb";
                case "gossip" -> "raft";
                case "raft" -> "gossip";
                default -> "sync";
              });
      case PATH -> List.of("./elsewhere");
      case SECRET -> List.of("secret");
      case DECIMAL ->
          List.of(Double.toString((Double) value + 0.5), Double.toString((Double) value - 0.5));
    };
  }
}
