package io.ringkv.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code replication} and {@code hints} sections: defaults, values, ranges and relations. */
class ReplicationConfigTest {

  private static List<String> setErrors(String... sets) {
    return ConfigErrors.of(() -> ConfigLoader.fromSets(sets));
  }

  @Test
  void defaults_areTheDocumentedOnes() {
    NodeConfig config = NodeConfig.defaults();

    assertThat(config.replication())
        .isEqualTo(new ReplicationSection(2_000, 2_000, 0.1, true, 500, false));
    assertThat(config.hints())
        .isEqualTo(new HintsSection(true, Optional.empty(), 10_800_000, 1L << 30, 1L << 20));
    assertThat(config.hintsDirectory()).isEqualTo(Path.of("./data/node-1/hints"));
  }

  @Test
  void everyOption_reachesItsField() {
    NodeConfig config =
        ConfigLoader.load(
            null,
            Map.of("RINGKV_HINTS_DIRECTORY", "/var/lib/ringkv/hints"),
            List.of(
                "replication.write_timeout_millis=750",
                "replication.read_timeout_millis=250",
                "replication.read_repair_chance=0",
                "replication.speculative_retry=false",
                "replication.max_clock_skew_millis=100",
                "replication.sloppy_quorum=true",
                "hints.enabled=false",
                "hints.window_millis=60000",
                "hints.max_bytes_per_target=64MiB",
                "hints.throttle_bytes_per_second=0"));

    assertThat(config.replication())
        .isEqualTo(new ReplicationSection(750, 250, 0.0, false, 100, true));
    assertThat(config.hints())
        .isEqualTo(
            new HintsSection(
                false, Optional.of(Path.of("/var/lib/ringkv/hints")), 60_000, 64L << 20, 0));
    assertThat(config.hintsDirectory()).isEqualTo(Path.of("/var/lib/ringkv/hints"));
  }

  @Test
  void hintsDirectory_followsTheNodeWhenEmpty() {
    NodeConfig config =
        ConfigLoader.fromSets("node.data_directory=/srv/ringkv").withNodeId("node-3");

    assertThat(config.hintsDirectory()).isEqualTo(Path.of("/srv/ringkv/node-3/hints"));
  }

  @Test
  void readRepairChance_aboveOne_namesTheRange() {
    assertThat(setErrors("replication.read_repair_chance=1.5"))
        .containsExactly(
            "replication.read_repair_chance is '1.5' (from --set); allowed: a number from 0.0 to"
                + " 1.0");
  }

  @Test
  void writeTimeout_zero_isRefused() {
    assertThat(setErrors("replication.write_timeout_millis=0"))
        .containsExactly(
            "replication.write_timeout_millis is '0' (from --set); allowed: a duration in"
                + " milliseconds from 1 to 600000");
  }

  @Test
  void hintWindow_shorterThanTheWriteTimeout_isRefused() {
    assertThat(setErrors("hints.window_millis=1000"))
        .containsExactly(
            "hints.window_millis is 1000; it must be at least replication.write_timeout_millis"
                + " (2000), or a hint for a write that timed out would be dropped before it was"
                + " kept");
  }

  @Test
  void hintWindow_longerThanTheTombstoneGrace_isRefusedForTheLsmEngine() {
    assertThat(setErrors("storage.tombstone_grace_millis=3600000"))
        .containsExactly(
            "hints.window_millis is 10800000; it must be at most storage.tombstone_grace_millis"
                + " (3600000), or a delete delivered late by a hint could find its tombstone"
                + " purged on the other replicas and deleted data could come back");
  }

  @Test
  void hintRelations_doNotApplyWithHintsDisabled() {
    NodeConfig config =
        ConfigLoader.fromSets(
            "hints.enabled=false",
            "hints.window_millis=1000",
            "storage.tombstone_grace_millis=0",
            "hints.max_bytes_per_target=1MiB");

    assertThat(config.hints().enabled()).isFalse();
  }

  @Test
  void hintWindow_longerThanTheTombstoneGrace_isAcceptedForRocksdb() {
    NodeConfig config =
        ConfigLoader.fromSets("storage.engine=rocksdb", "storage.tombstone_grace_millis=3600000");

    assertThat(config.hints().windowMillis()).isGreaterThan(3_600_000);
  }

  @Test
  void hintBytesPerTarget_smallerThanTheLargestWrite_isRefused() {
    assertThat(setErrors("hints.max_bytes_per_target=1MiB"))
        .containsExactly(
            "hints.max_bytes_per_target is 1048576; it must be at least limits.key_bytes_max +"
                + " limits.value_bytes_max (1024 + 1048576 = 1049600) + 64 KiB of framing, so"
                + " that it holds the largest key and value");
  }

  @Test
  void hintsDirectory_theNodeDirectoryItself_isRefused() {
    assertThat(
            setErrors(
                "node.data_directory=/srv/ringkv",
                "node.id=n1",
                "hints.directory=/srv/ringkv/./n1"))
        .containsExactly(
            "hints.directory is /srv/ringkv/./n1, the node's own directory; give a directory of"
                + " its own, or leave it empty for /srv/ringkv/n1/hints");
  }

  @Test
  void hintsDirectory_withALineBreak_isRefused() {
    assertThat(setErrors("hints.directory=a\nb"))
        .singleElement()
        .asString()
        .startsWith("hints.directory is 'a\nb' (from --set); allowed: empty");
  }
}
