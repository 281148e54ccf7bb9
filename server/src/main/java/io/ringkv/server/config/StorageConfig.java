package io.ringkv.server.config;

import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import java.nio.file.Path;

/**
 * The {@code storage} section: the engine and how it writes. Every field maps onto the {@link
 * EngineOptions} field of the same name (see {@link #toEngineOptions}); {@code fsync} is the {@link
 * Durability} of every client write.
 *
 * @param engine {@code lsm} (ringkv's own) or {@code rocksdb}
 * @param fsync durability of client writes: {@link Durability#SYNC} fsyncs before acknowledging,
 *     {@link Durability#PERIODIC} every {@code periodicSyncMillis}, {@link Durability#NONE} only
 *     when a log segment is sealed, on flush and on shutdown
 * @param periodicSyncMillis how often PERIODIC writes are fsynced
 * @param walSegmentBytes a log segment is sealed past this size
 * @param memtableBytes a memtable is flushed to a table past this size
 * @param immutableMemtablesMax unflushed memtables allowed before writers stall
 * @param blockBytes target size of a table data block
 * @param blockRestartInterval keys between restart points in a block
 * @param bloomBitsPerKey bloom filter bits per key; 0 for no filter
 * @param compression block compression
 * @param blockCacheBytes capacity of the block cache
 * @param tableCacheFiles open table files kept at most
 * @param level0CompactionTrigger level-0 files that start a compaction
 * @param level0SlowdownTrigger level-0 files at which writes are slowed
 * @param level0StopTrigger level-0 files at which writes stall
 * @param levelBaseBytes target size of level 1
 * @param levelMultiplier growth factor between levels
 * @param levelsMax number of levels
 * @param targetFileBytes compaction output file size
 * @param compactionBytesPerSecond compaction write rate limit; 0 for none
 * @param tombstoneGraceMillis how long compaction keeps tombstones and expired cells
 * @param salvage open even when the log is damaged in the middle, dropping what cannot be read
 */
public record StorageConfig(
    String engine,
    Durability fsync,
    long periodicSyncMillis,
    long walSegmentBytes,
    long memtableBytes,
    int immutableMemtablesMax,
    int blockBytes,
    int blockRestartInterval,
    int bloomBitsPerKey,
    EngineOptions.Compression compression,
    long blockCacheBytes,
    int tableCacheFiles,
    int level0CompactionTrigger,
    int level0SlowdownTrigger,
    int level0StopTrigger,
    long levelBaseBytes,
    int levelMultiplier,
    int levelsMax,
    long targetFileBytes,
    long compactionBytesPerSecond,
    long tombstoneGraceMillis,
    boolean salvage) {

  public StorageConfig {
    if (engine == null || fsync == null || compression == null) {
      throw new IllegalArgumentException("engine, fsync and compression must not be null");
    }
  }

  /**
   * The engine options for a node whose storage lives in {@code directory}: the engine's defaults
   * with every field of this section applied, and the engine's key and value bounds set to the
   * node's {@code limits}, so that the engine refuses exactly what the front ends refuse.
   */
  public EngineOptions toEngineOptions(Path directory, LimitsConfig limits) {
    return EngineOptions.defaults(directory).toBuilder()
        .engine(engine)
        .periodicSyncMillis(periodicSyncMillis)
        .walSegmentBytes(walSegmentBytes)
        .memtableBytes(memtableBytes)
        .immutableMemtablesMax(immutableMemtablesMax)
        .blockBytes(blockBytes)
        .blockRestartInterval(blockRestartInterval)
        .bloomBitsPerKey(bloomBitsPerKey)
        .compression(compression)
        .blockCacheBytes(blockCacheBytes)
        .tableCacheFiles(tableCacheFiles)
        .level0CompactionTrigger(level0CompactionTrigger)
        .level0SlowdownTrigger(level0SlowdownTrigger)
        .level0StopTrigger(level0StopTrigger)
        .levelBaseBytes(levelBaseBytes)
        .levelMultiplier(levelMultiplier)
        .levelsMax(levelsMax)
        .targetFileBytes(targetFileBytes)
        .compactionBytesPerSecond(compactionBytesPerSecond)
        .tombstoneGraceMillis(tombstoneGraceMillis)
        .salvage(salvage)
        .keyBytesMax(limits.keyBytesMax())
        .valueBytesMax(limits.valueBytesMax())
        .build();
  }
}
