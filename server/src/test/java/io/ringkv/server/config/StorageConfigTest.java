package io.ringkv.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The {@code storage} section and the limits map onto the engine's options field by field. */
class StorageConfigTest {
  private static final Path DIRECTORY = Path.of("/tmp/ringkv-test/node-1/storage");

  private static EngineOptions engineOptions(String... sets) {
    NodeConfig config = ConfigLoader.fromSets(sets);
    return config.storage().toEngineOptions(DIRECTORY, config.limits());
  }

  @Test
  void defaults_areTheEngineDefaultsWithTheNodeLimits() {
    EngineOptions expected =
        EngineOptions.defaults(DIRECTORY).toBuilder()
            .keyBytesMax(LimitsConfig.defaults().keyBytesMax())
            .valueBytesMax(LimitsConfig.defaults().valueBytesMax())
            .build();

    EngineOptions actual = engineOptions();

    // File system and clock are fresh objects in each; compare everything else.
    assertThat(actual)
        .usingRecursiveComparison()
        .ignoringFields("fileSystem", "clock")
        .isEqualTo(expected);
    assertThat(actual.clock()).isEqualTo(expected.clock());
  }

  @Test
  void everyStorageOption_reachesTheEngineField() {
    EngineOptions options =
        engineOptions(
            "storage.engine=rocksdb",
            "storage.periodic_sync_millis=250",
            "storage.wal_segment_bytes=32MiB",
            "storage.memtable_bytes=8MiB",
            "storage.immutable_memtables_max=3",
            "storage.block_bytes=16KiB",
            "storage.block_restart_interval=8",
            "storage.bloom_bits_per_key=12",
            "storage.compression=lz4",
            "storage.block_cache_bytes=1GiB",
            "storage.table_cache_files=500",
            "storage.level0_compaction_trigger=2",
            "storage.level0_slowdown_trigger=6",
            "storage.level0_stop_trigger=9",
            "storage.level_base_bytes=128MiB",
            "storage.level_multiplier=8",
            "storage.levels_max=5",
            "storage.target_file_bytes=32MiB",
            "storage.compaction_bytes_per_second=50MiB",
            "storage.tombstone_grace_millis=3600000",
            "storage.salvage=true",
            "limits.key_bytes_max=2KiB",
            "limits.value_bytes_max=2MiB",
            "limits.resp_bulk_bytes_max=3MiB");

    assertThat(options.engine()).isEqualTo("rocksdb");
    assertThat(options.directory()).isEqualTo(DIRECTORY);
    assertThat(options.periodicSyncMillis()).isEqualTo(250);
    assertThat(options.walSegmentBytes()).isEqualTo(32L << 20);
    assertThat(options.memtableBytes()).isEqualTo(8L << 20);
    assertThat(options.immutableMemtablesMax()).isEqualTo(3);
    assertThat(options.blockBytes()).isEqualTo(16 << 10);
    assertThat(options.blockRestartInterval()).isEqualTo(8);
    assertThat(options.bloomBitsPerKey()).isEqualTo(12);
    assertThat(options.compression()).isEqualTo(EngineOptions.Compression.LZ4);
    assertThat(options.blockCacheBytes()).isEqualTo(1L << 30);
    assertThat(options.tableCacheFiles()).isEqualTo(500);
    assertThat(options.level0CompactionTrigger()).isEqualTo(2);
    assertThat(options.level0SlowdownTrigger()).isEqualTo(6);
    assertThat(options.level0StopTrigger()).isEqualTo(9);
    assertThat(options.levelBaseBytes()).isEqualTo(128L << 20);
    assertThat(options.levelMultiplier()).isEqualTo(8);
    assertThat(options.levelsMax()).isEqualTo(5);
    assertThat(options.targetFileBytes()).isEqualTo(32L << 20);
    assertThat(options.compactionBytesPerSecond()).isEqualTo(50L << 20);
    assertThat(options.tombstoneGraceMillis()).isEqualTo(3_600_000);
    assertThat(options.salvage()).isTrue();
    assertThat(options.keyBytesMax()).isEqualTo(2 << 10);
    assertThat(options.valueBytesMax()).isEqualTo(2 << 20);
    options.validate();
  }

  @Test
  void fsync_isTheDurabilityOfEveryWrite() {
    assertThat(ConfigLoader.fromSets("storage.fsync=sync").storage().fsync())
        .isEqualTo(Durability.SYNC);
    assertThat(ConfigLoader.fromSets("storage.fsync=periodic").storage().fsync())
        .isEqualTo(Durability.PERIODIC);
    assertThat(ConfigLoader.fromSets("storage.fsync=none").storage().fsync())
        .isEqualTo(Durability.NONE);
  }

  @Test
  void limits_defaultsAreTheSharedLimitsConfigDefaults() {
    assertThat(NodeConfig.defaults().limits()).isEqualTo(LimitsConfig.defaults());
  }
}
