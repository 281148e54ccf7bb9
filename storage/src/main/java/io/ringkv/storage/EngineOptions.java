package io.ringkv.storage;

import io.ringkv.common.Clock;
import io.ringkv.common.SystemClock;
import io.ringkv.storage.fs.FileSystem;
import io.ringkv.storage.fs.LocalFileSystem;
import java.nio.file.Path;

/**
 * Everything an engine can be told, with the defaults a node uses. Every bound has a name here
 * (STYLE.md §4) and {@link #validate()} checks each value and the relations between them, naming
 * the field, the value and what is allowed.
 *
 * @param engine which implementation: {@code lsm} (ours) or {@code rocksdb}
 * @param directory where the engine keeps its files
 * @param fileSystem how the engine reaches files (the real one, or a fault-injecting one in tests)
 * @param clock time for expiry, tombstone grace and periodic sync
 * @param periodicSyncMillis how often {@link Durability#PERIODIC} writes are fsynced
 * @param walSegmentBytes a log segment is sealed and a new one started past this size
 * @param memtableBytes a memtable becomes immutable and is flushed past this size
 * @param immutableMemtablesMax unflushed immutable memtables allowed before writers stall
 * @param blockBytes target uncompressed size of an SSTable data block
 * @param blockRestartInterval keys between restart points in a block (prefix compression)
 * @param bloomBitsPerKey bloom filter bits per key (10 gives about 1% false positives)
 * @param compression block compression
 * @param blockCacheBytes capacity of the shared block cache
 * @param tableCacheFiles open SSTable readers kept at most
 * @param level0CompactionTrigger level-0 files that start a compaction
 * @param level0SlowdownTrigger level-0 files at which each write is delayed a little
 * @param level0StopTrigger level-0 files at which writes stall until compaction catches up
 * @param levelBaseBytes target size of level 1; each deeper level is {@code levelMultiplier} times
 *     larger
 * @param levelMultiplier growth factor between levels
 * @param levelsMax number of levels, level 0 included
 * @param targetFileBytes size at which compaction output is cut into a new file
 * @param compactionBytesPerSecond compaction write rate limit; 0 for none
 * @param tombstoneGraceMillis tombstones and expired cells younger than this are kept by compaction
 *     even at the bottom level (the cluster sets it to its repair interval)
 * @param salvage open even when the log is damaged in the middle, dropping what cannot be read
 * @param keyBytesMax largest key accepted
 * @param valueBytesMax largest value accepted
 */
public record EngineOptions(
    String engine,
    Path directory,
    FileSystem fileSystem,
    Clock clock,
    long periodicSyncMillis,
    long walSegmentBytes,
    long memtableBytes,
    int immutableMemtablesMax,
    int blockBytes,
    int blockRestartInterval,
    int bloomBitsPerKey,
    Compression compression,
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
    boolean salvage,
    int keyBytesMax,
    int valueBytesMax) {

  /** Block compression of SSTables. */
  public enum Compression {
    NONE,
    LZ4
  }

  public static final String ENGINE_LSM = "lsm";
  public static final String ENGINE_ROCKSDB = "rocksdb";

  /**
   * The largest {@code key_bytes_max}: 1 MiB of user key plus room for a short prefix a caller puts
   * in front of every key (the node stores each key under its 8-byte token).
   */
  public static final int KEY_BYTES_MAX_LIMIT = (1 << 20) + 64;

  /** The defaults for an engine in {@code directory} on the real file system. */
  public static EngineOptions defaults(Path directory) {
    return new EngineOptions(
        ENGINE_LSM,
        directory,
        new LocalFileSystem(),
        SystemClock.INSTANCE,
        1_000,
        128L << 20,
        64L << 20,
        2,
        8 << 10,
        // 4, not LevelDB's 16: the node's keys start with an 8-byte hash token, so neighbours in a
        // block share almost no prefix and a restart point costs ~1% of space, while a GET's seek
        // scans 4 entries at most instead of 16 (4% fewer event-loop instructions per pipelined
        // RESP GET, 2026-11-22, docs/benchmarks/resp-vs-redis.md).
        4,
        10,
        Compression.NONE,
        256L << 20,
        1_000,
        4,
        12,
        20,
        256L << 20,
        10,
        7,
        64L << 20,
        256L << 20,
        10L * 24 * 3600 * 1000,
        false,
        64 << 10,
        64 << 20);
  }

  /**
   * Checks every field and the relations between them.
   *
   * @throws IllegalArgumentException naming the field, the value and what is allowed
   */
  public EngineOptions validate() {
    if (!ENGINE_LSM.equals(engine) && !ENGINE_ROCKSDB.equals(engine)) {
      throw new IllegalArgumentException(
          "storage.engine is '" + engine + "'; allowed: " + ENGINE_LSM + ", " + ENGINE_ROCKSDB);
    }
    require(directory != null, "storage.directory", "null", "a path");
    require(fileSystem != null, "storage.fileSystem", "null", "a file system");
    require(clock != null, "storage.clock", "null", "a clock");
    atLeast("periodic_sync_millis", periodicSyncMillis, 1);
    atLeast("wal_segment_bytes", walSegmentBytes, 64 << 10);
    atLeast("memtable_bytes", memtableBytes, 64 << 10);
    atLeast("immutable_memtables_max", immutableMemtablesMax, 1);
    atLeast("block_bytes", blockBytes, 512);
    atMost("block_bytes", blockBytes, 1 << 20);
    atLeast("block_restart_interval", blockRestartInterval, 1);
    atLeast("bloom_bits_per_key", bloomBitsPerKey, 0);
    atMost("bloom_bits_per_key", bloomBitsPerKey, 64);
    require(compression != null, "compression", "null", "NONE or LZ4");
    atLeast("block_cache_bytes", blockCacheBytes, 0);
    atLeast("table_cache_files", tableCacheFiles, 16);
    atLeast("level0_compaction_trigger", level0CompactionTrigger, 1);
    if (level0SlowdownTrigger < level0CompactionTrigger) {
      throw new IllegalArgumentException(
          "level0_slowdown_trigger is "
              + level0SlowdownTrigger
              + "; it must be >= level0_compaction_trigger ("
              + level0CompactionTrigger
              + ")");
    }
    if (level0StopTrigger < level0SlowdownTrigger) {
      throw new IllegalArgumentException(
          "level0_stop_trigger is "
              + level0StopTrigger
              + "; it must be >= level0_slowdown_trigger ("
              + level0SlowdownTrigger
              + ")");
    }
    atLeast("level_base_bytes", levelBaseBytes, 1 << 20);
    atLeast("level_multiplier", levelMultiplier, 2);
    atLeast("levels_max", levelsMax, 2);
    atMost("levels_max", levelsMax, 12);
    atLeast("target_file_bytes", targetFileBytes, 64 << 10);
    atLeast("compaction_bytes_per_second", compactionBytesPerSecond, 0);
    atLeast("tombstone_grace_millis", tombstoneGraceMillis, 0);
    atLeast("key_bytes_max", keyBytesMax, 1);
    atMost("key_bytes_max", keyBytesMax, KEY_BYTES_MAX_LIMIT);
    atLeast("value_bytes_max", valueBytesMax, 0);
    atMost("value_bytes_max", valueBytesMax, 128 << 20); // a log record holds at most 256 MiB
    if ((long) keyBytesMax + valueBytesMax > walSegmentBytes) {
      throw new IllegalArgumentException(
          "key_bytes_max + value_bytes_max ("
              + ((long) keyBytesMax + valueBytesMax)
              + ") must fit in wal_segment_bytes ("
              + walSegmentBytes
              + ")");
    }
    return this;
  }

  private static void require(boolean ok, String field, String value, String allowed) {
    if (!ok) {
      throw new IllegalArgumentException(field + " is " + value + "; allowed: " + allowed);
    }
  }

  private static void atLeast(String field, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(field + " is " + value + "; it must be >= " + min);
    }
  }

  private static void atMost(String field, long value, long max) {
    if (value > max) {
      throw new IllegalArgumentException(field + " is " + value + "; it must be <= " + max);
    }
  }

  public EngineOptions withEngine(String engine) {
    return new Builder(this).engine(engine).build();
  }

  public EngineOptions withFileSystem(FileSystem fileSystem) {
    return new Builder(this).fileSystem(fileSystem).build();
  }

  public EngineOptions withClock(Clock clock) {
    return new Builder(this).clock(clock).build();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Changes some options of an existing set. */
  public static final class Builder {
    private String engine;
    private Path directory;
    private FileSystem fileSystem;
    private Clock clock;
    private long periodicSyncMillis;
    private long walSegmentBytes;
    private long memtableBytes;
    private int immutableMemtablesMax;
    private int blockBytes;
    private int blockRestartInterval;
    private int bloomBitsPerKey;
    private Compression compression;
    private long blockCacheBytes;
    private int tableCacheFiles;
    private int level0CompactionTrigger;
    private int level0SlowdownTrigger;
    private int level0StopTrigger;
    private long levelBaseBytes;
    private int levelMultiplier;
    private int levelsMax;
    private long targetFileBytes;
    private long compactionBytesPerSecond;
    private long tombstoneGraceMillis;
    private boolean salvage;
    private int keyBytesMax;
    private int valueBytesMax;

    Builder(EngineOptions o) {
      engine = o.engine;
      directory = o.directory;
      fileSystem = o.fileSystem;
      clock = o.clock;
      periodicSyncMillis = o.periodicSyncMillis;
      walSegmentBytes = o.walSegmentBytes;
      memtableBytes = o.memtableBytes;
      immutableMemtablesMax = o.immutableMemtablesMax;
      blockBytes = o.blockBytes;
      blockRestartInterval = o.blockRestartInterval;
      bloomBitsPerKey = o.bloomBitsPerKey;
      compression = o.compression;
      blockCacheBytes = o.blockCacheBytes;
      tableCacheFiles = o.tableCacheFiles;
      level0CompactionTrigger = o.level0CompactionTrigger;
      level0SlowdownTrigger = o.level0SlowdownTrigger;
      level0StopTrigger = o.level0StopTrigger;
      levelBaseBytes = o.levelBaseBytes;
      levelMultiplier = o.levelMultiplier;
      levelsMax = o.levelsMax;
      targetFileBytes = o.targetFileBytes;
      compactionBytesPerSecond = o.compactionBytesPerSecond;
      tombstoneGraceMillis = o.tombstoneGraceMillis;
      salvage = o.salvage;
      keyBytesMax = o.keyBytesMax;
      valueBytesMax = o.valueBytesMax;
    }

    public Builder engine(String v) {
      engine = v;
      return this;
    }

    public Builder directory(Path v) {
      directory = v;
      return this;
    }

    public Builder fileSystem(FileSystem v) {
      fileSystem = v;
      return this;
    }

    public Builder clock(Clock v) {
      clock = v;
      return this;
    }

    public Builder periodicSyncMillis(long v) {
      periodicSyncMillis = v;
      return this;
    }

    public Builder walSegmentBytes(long v) {
      walSegmentBytes = v;
      return this;
    }

    public Builder memtableBytes(long v) {
      memtableBytes = v;
      return this;
    }

    public Builder immutableMemtablesMax(int v) {
      immutableMemtablesMax = v;
      return this;
    }

    public Builder blockBytes(int v) {
      blockBytes = v;
      return this;
    }

    public Builder blockRestartInterval(int v) {
      blockRestartInterval = v;
      return this;
    }

    public Builder bloomBitsPerKey(int v) {
      bloomBitsPerKey = v;
      return this;
    }

    public Builder compression(Compression v) {
      compression = v;
      return this;
    }

    public Builder blockCacheBytes(long v) {
      blockCacheBytes = v;
      return this;
    }

    public Builder tableCacheFiles(int v) {
      tableCacheFiles = v;
      return this;
    }

    public Builder level0CompactionTrigger(int v) {
      level0CompactionTrigger = v;
      return this;
    }

    public Builder level0SlowdownTrigger(int v) {
      level0SlowdownTrigger = v;
      return this;
    }

    public Builder level0StopTrigger(int v) {
      level0StopTrigger = v;
      return this;
    }

    public Builder levelBaseBytes(long v) {
      levelBaseBytes = v;
      return this;
    }

    public Builder levelMultiplier(int v) {
      levelMultiplier = v;
      return this;
    }

    public Builder levelsMax(int v) {
      levelsMax = v;
      return this;
    }

    public Builder targetFileBytes(long v) {
      targetFileBytes = v;
      return this;
    }

    public Builder compactionBytesPerSecond(long v) {
      compactionBytesPerSecond = v;
      return this;
    }

    public Builder tombstoneGraceMillis(long v) {
      tombstoneGraceMillis = v;
      return this;
    }

    public Builder salvage(boolean v) {
      salvage = v;
      return this;
    }

    public Builder keyBytesMax(int v) {
      keyBytesMax = v;
      return this;
    }

    public Builder valueBytesMax(int v) {
      valueBytesMax = v;
      return this;
    }

    public EngineOptions build() {
      return new EngineOptions(
          engine,
          directory,
          fileSystem,
          clock,
          periodicSyncMillis,
          walSegmentBytes,
          memtableBytes,
          immutableMemtablesMax,
          blockBytes,
          blockRestartInterval,
          bloomBitsPerKey,
          compression,
          blockCacheBytes,
          tableCacheFiles,
          level0CompactionTrigger,
          level0SlowdownTrigger,
          level0StopTrigger,
          levelBaseBytes,
          levelMultiplier,
          levelsMax,
          targetFileBytes,
          compactionBytesPerSecond,
          tombstoneGraceMillis,
          salvage,
          keyBytesMax,
          valueBytesMax);
    }
  }
}
