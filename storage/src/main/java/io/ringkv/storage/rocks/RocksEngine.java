package io.ringkv.storage.rocks;

import io.ringkv.storage.Cell;
import io.ringkv.storage.CellIterator;
import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.EngineStats;
import io.ringkv.storage.KeyRange;
import io.ringkv.storage.ScanMode;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.WriteBatch;
import io.ringkv.storage.WriteLimits;
import io.ringkv.storage.format.CellCodec;
import io.ringkv.storage.fs.LocalFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyMetaData;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.HistogramType;
import org.rocksdb.LRUCache;
import org.rocksdb.LevelMetaData;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;
import org.rocksdb.WriteOptions;

/**
 * The {@link StorageEngine} on RocksDB (rocksdbjni): the yardstick our own LSM engine is measured
 * against, and a second implementation that keeps the engine contract honest.
 *
 * <p>Mapping: each key is a RocksDB key (RocksDB's default bytewise comparator is the unsigned
 * lexicographic order of the contract); each value is the {@link CellCodec} encoding of the newest
 * {@link Cell}, so a delete is a put of a tombstone cell, never a RocksDB delete. <b>Tombstones and
 * expired cells are never purged by this engine</b>: purging them needs a compaction filter that
 * understands cells and the tombstone grace period, and RocksJava cannot run a compaction filter
 * written in Java. Reads filter them instead ({@link #getLive}, {@link ScanMode#LIVE}).
 *
 * <p>Durability: {@link Durability#SYNC} writes set {@code WriteOptions.sync}, so RocksDB fsyncs
 * the log before acknowledging (its write groups share one fsync); {@link Durability#PERIODIC} and
 * {@link Durability#NONE} writes reach the operating system before they are acknowledged, and a
 * daemon thread fsyncs the log every {@code periodicSyncMillis} when a PERIODIC write is pending. A
 * failed background fsync makes every later write fail until the engine is reopened (the file's
 * state is unknown; STYLE.md §2).
 *
 * <p>Options taken from {@link EngineOptions}: memtable size ({@code write_buffer_size}), block
 * cache capacity (one LRU cache), bloom bits per key, compression (LZ4 or none), and the key and
 * value limits (through {@link WriteLimits}). Everything else is RocksDB's default. Only the real
 * file system is supported: RocksDB opens its files itself.
 *
 * <p>Thread-safety: thread-safe. RocksDB is; what this class adds is a {@link CloseGate} around
 * every native call, so that {@link #close()} frees the native objects only once no call is using
 * them, and calls after close fail with a {@link StorageException} instead of crashing the JVM.
 * Iterators that are still open at close are closed by it.
 */
public final class RocksEngine implements StorageEngine {
  private static final HexFormat HEX = HexFormat.of();

  private final EngineOptions options;
  private final Path directory;
  private final NativeResources natives;
  private final RocksDB db;
  private final CloseGate gate = new CloseGate();
  private final Set<RocksCellIterator> openIterators = ConcurrentHashMap.newKeySet();
  private final LongAdder userBytesWritten = new LongAdder();
  private final ScheduledExecutorService periodicSync;
  private final Object closeLock = new Object();

  /** Set by a PERIODIC write, cleared by the sync that covers it. */
  private volatile boolean periodicWritePending;

  /** The failure of a background log sync; once set, every write fails with it. */
  private volatile StorageException syncFailure;

  /** The counters as they were at close, for {@link #stats()} after close. */
  private EngineStats finalStats;

  private RocksEngine(EngineOptions options, NativeResources natives, RocksDB db) {
    this.options = options;
    this.directory = options.directory();
    this.natives = natives;
    this.db = db;
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "ringkv-rocks-wal-sync " + directory);
              thread.setDaemon(true);
              return thread;
            });
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    long periodMillis = options.periodicSyncMillis();
    executor.scheduleWithFixedDelay(
        this::syncPeriodicWrites, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    this.periodicSync = executor;
  }

  /**
   * Opens (creating if missing) the RocksDB database in {@code options.directory()}.
   *
   * @throws IllegalArgumentException if the options are invalid or name a file system other than
   *     {@link LocalFileSystem}
   * @throws StorageException if RocksDB cannot open the directory (locked, damaged, unreadable)
   */
  public static RocksEngine open(EngineOptions options) throws StorageException {
    options.validate();
    if (!(options.fileSystem() instanceof LocalFileSystem)) {
      throw new IllegalArgumentException(
          "storage.fileSystem is "
              + options.fileSystem().getClass().getName()
              + "; the rocksdb engine opens its files itself and supports only "
              + LocalFileSystem.class.getName());
    }
    NativeLibrary.load();
    Path directory = options.directory();
    try {
      options.fileSystem().createDirectories(directory);
    } catch (IOException e) {
      throw new StorageException("cannot create " + directory + ": " + e.getMessage(), e);
    }
    NativeResources natives = NativeResources.create(options);
    try {
      RocksDB db = RocksDB.open(natives.options, directory.toString());
      return new RocksEngine(options, natives, db);
    } catch (RocksDBException e) {
      natives.close();
      throw new StorageException("cannot open rocksdb in " + directory + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      natives.close();
      throw e;
    }
  }

  @Override
  public void put(byte[] key, Cell cell, Durability durability) throws StorageException {
    WriteLimits.check(key, cell, options);
    byte[] encoded = CellCodec.encode(cell.stampDeletionTime(options.clock().epochMillis()));
    enter();
    try {
      checkWritable();
      db.put(natives.writeOptions(durability), key, encoded);
    } catch (RocksDBException e) {
      throw failure("put", e);
    } finally {
      gate.exit();
    }
    afterWrite(durability, key.length + userValueBytes(cell));
  }

  @Override
  public void write(WriteBatch batch, Durability durability) throws StorageException {
    WriteLimits.check(batch, options);
    if (batch.isEmpty()) {
      return;
    }
    long bytes = 0;
    // RocksDB applies a batch in order, so a later entry for the same key wins, as the contract
    // asks. The native batch is built before entering the gate: it does not touch the database.
    try (org.rocksdb.WriteBatch rocksBatch = new org.rocksdb.WriteBatch()) {
      for (WriteBatch.Entry entry : batch.entries()) {
        rocksBatch.put(
            entry.key(),
            CellCodec.encode(entry.cell().stampDeletionTime(options.clock().epochMillis())));
        bytes += entry.key().length + userValueBytes(entry.cell());
      }
      enter();
      try {
        checkWritable();
        db.write(natives.writeOptions(durability), rocksBatch);
      } finally {
        gate.exit();
      }
    } catch (RocksDBException e) {
      throw failure("write", e);
    }
    afterWrite(durability, bytes);
  }

  @Override
  public Cell get(byte[] key) throws StorageException {
    Objects.requireNonNull(key, "key");
    byte[] encoded;
    enter();
    try {
      encoded = db.get(key);
    } catch (RocksDBException e) {
      throw failure("get", e);
    } finally {
      gate.exit();
    }
    return encoded == null ? null : decode(key, encoded);
  }

  @Override
  public Cell getLive(byte[] key) throws StorageException {
    Cell cell = get(key);
    return cell != null && cell.isLive(options.clock().epochMillis()) ? cell : null;
  }

  @Override
  public CellIterator scan(KeyRange range, ScanMode mode) throws StorageException {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(mode, "mode");
    // One reading of the clock for the whole scan, so that it is a view at one point in time.
    long nowMillis = options.clock().epochMillis();
    enter();
    try {
      RocksCellIterator iterator = new RocksCellIterator(this, db, range, mode, nowMillis);
      openIterators.add(iterator);
      return iterator;
    } finally {
      gate.exit();
    }
  }

  @Override
  public void flush() throws StorageException {
    enter();
    try {
      db.flush(natives.flushOptions);
    } catch (RocksDBException e) {
      throw failure("flush", e);
    } finally {
      gate.exit();
    }
  }

  @Override
  public void compact() throws StorageException {
    enter();
    try {
      db.compactRange();
    } catch (RocksDBException e) {
      throw failure("compact", e);
    } finally {
      gate.exit();
    }
  }

  @Override
  public void sync() throws StorageException {
    enter();
    try {
      db.flushWal(true);
    } catch (RocksDBException e) {
      throw failure("sync", e);
    } finally {
      gate.exit();
    }
  }

  @Override
  public EngineStats stats() {
    if (!gate.enter()) {
      // Closing or closed: wait for close to finish and report the counters it saved.
      synchronized (closeLock) {
        return finalStats != null ? finalStats : emptyStats();
      }
    }
    try {
      return readStats();
    } finally {
      gate.exit();
    }
  }

  /**
   * Syncs the log, closes open iterators and frees every native object. Waits for calls in flight
   * to finish first. Idempotent; a second call returns at once.
   */
  @Override
  public void close() throws StorageException {
    synchronized (closeLock) {
      if (!gate.closeAndDrain()) {
        return;
      }
      periodicSync.shutdownNow();
      for (RocksCellIterator iterator : openIterators) {
        iterator.release();
      }
      openIterators.clear();
      StorageException failure = null;
      try {
        finalStats = readStats();
      } catch (RuntimeException e) {
        finalStats = emptyStats();
      }
      try {
        db.flushWal(true);
      } catch (RocksDBException e) {
        failure = failure("sync at close", e);
      }
      try {
        db.closeE();
      } catch (RocksDBException e) {
        if (failure == null) {
          failure = failure("close", e);
        }
      } finally {
        natives.close();
      }
      if (failure != null) {
        throw failure;
      }
    }
  }

  @Override
  public String toString() {
    return "RocksEngine{" + directory + (gate.isClosed() ? ", closed" : "") + "}";
  }

  // --- for RocksCellIterator ---

  CloseGate gate() {
    return gate;
  }

  void forget(RocksCellIterator iterator) {
    openIterators.remove(iterator);
  }

  /** Decodes the stored cell of {@code key}; bytes that are not a cell are corruption. */
  Cell decode(byte[] key, byte[] encoded) throws CorruptionException {
    try {
      return CellCodec.decode(encoded);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw corruptValue(key, e.getMessage(), e);
    }
  }

  CorruptionException corruptValue(byte[] key, String problem, Throwable cause) {
    String shownKey = key.length <= 64 ? HEX.formatHex(key) : key.length + "-byte key";
    return new CorruptionException(
        directory, -1, "the value under key " + shownKey + " is not a cell: " + problem, cause);
  }

  StorageException failure(String operation, RocksDBException e) {
    return new StorageException(
        "rocksdb " + operation + " failed in " + directory + ": " + e.getMessage(), e);
  }

  static StorageException closedException() {
    return new StorageException("engine is closed");
  }

  // --- internals ---

  private void enter() throws StorageException {
    if (!gate.enter()) {
      throw closedException();
    }
  }

  private void checkWritable() throws StorageException {
    StorageException failed = syncFailure;
    if (failed != null) {
      throw new StorageException(
          "writes are refused until the engine is reopened: " + failed.getMessage(), failed);
    }
  }

  private void afterWrite(Durability durability, long bytes) {
    userBytesWritten.add(bytes);
    // Read before writing, so that a stream of PERIODIC writes does not bounce the cache line.
    if (durability == Durability.PERIODIC && !periodicWritePending) {
      periodicWritePending = true;
    }
  }

  /** The background task of {@link Durability#PERIODIC}. */
  private void syncPeriodicWrites() {
    if (!periodicWritePending || !gate.enter()) {
      return;
    }
    try {
      // Cleared before the sync: a write that races with it sets the flag again and is covered
      // by the next round.
      periodicWritePending = false;
      db.flushWal(true);
    } catch (RocksDBException e) {
      syncFailure = failure("periodic log sync", e);
    } finally {
      gate.exit();
    }
  }

  /** Bytes the caller wrote besides the key: the value (none for a tombstone) and the version. */
  private static long userValueBytes(Cell cell) {
    return (cell.isTombstone() ? 0 : cell.value().length) + cell.version().length;
  }

  /** Reads the counters; the caller holds the gate (or has drained it). */
  private EngineStats readStats() {
    Statistics statistics = natives.statistics;
    List<Integer> filesPerLevel = new ArrayList<>();
    List<Long> bytesPerLevel = new ArrayList<>();
    ColumnFamilyMetaData metaData = db.getColumnFamilyMetaData();
    for (LevelMetaData level : metaData.levels()) {
      filesPerLevel.add(level.files().size());
      bytesPerLevel.add(level.size());
    }
    return new EngineStats(
        userBytesWritten.sum(),
        statistics.getTickerCount(TickerType.WAL_FILE_BYTES),
        statistics.getTickerCount(TickerType.FLUSH_WRITE_BYTES),
        statistics.getTickerCount(TickerType.COMPACT_WRITE_BYTES),
        statistics.getTickerCount(TickerType.COMPACT_READ_BYTES),
        statistics.getHistogramData(HistogramType.FLUSH_TIME).getCount(),
        statistics.getHistogramData(HistogramType.COMPACTION_TIME).getCount(),
        statistics.getHistogramData(HistogramType.WRITE_STALL).getCount(),
        statistics.getTickerCount(TickerType.STALL_MICROS) * 1_000,
        writeStallStat("total-delays"),
        statistics.getTickerCount(TickerType.BLOCK_CACHE_HIT),
        statistics.getTickerCount(TickerType.BLOCK_CACHE_MISS),
        filesPerLevel,
        bytesPerLevel,
        longProperty("rocksdb.cur-size-all-mem-tables"),
        longProperty("rocksdb.live-sst-files-size"),
        longProperty("rocksdb.estimate-num-keys"));
  }

  /**
   * A counter of RocksDB's write-stall statistics ({@code total-delays}: times the column family
   * entered the slowed-down state), or 0 if this RocksDB does not report it.
   */
  private long writeStallStat(String name) {
    try {
      String value = db.getMapProperty("rocksdb.cf-write-stall-stats").get(name);
      return value == null ? 0 : Long.parseLong(value);
    } catch (RocksDBException | NumberFormatException e) {
      return 0;
    }
  }

  private long longProperty(String name) {
    try {
      return db.getLongProperty(name);
    } catch (RocksDBException e) {
      return 0;
    }
  }

  private static EngineStats emptyStats() {
    return new EngineStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of(), List.of(), 0, 0, 0);
  }

  /** Loads the RocksDB native library once per class loader, on first use. */
  private static final class NativeLibrary {
    static {
      RocksDB.loadLibrary();
    }

    static void load() {
      // Calling this runs the static initializer above exactly once.
    }
  }

  /**
   * The native objects an open database needs besides itself, freed together after it. Each is
   * read-only once created, so threads share them.
   */
  private static final class NativeResources {
    final Statistics statistics;
    final LRUCache blockCache;
    final BloomFilter bloomFilter;
    final Options options;
    final WriteOptions syncWrite;
    final WriteOptions asyncWrite;
    final FlushOptions flushOptions;

    private NativeResources(
        Statistics statistics,
        LRUCache blockCache,
        BloomFilter bloomFilter,
        Options options,
        WriteOptions syncWrite,
        WriteOptions asyncWrite,
        FlushOptions flushOptions) {
      this.statistics = statistics;
      this.blockCache = blockCache;
      this.bloomFilter = bloomFilter;
      this.options = options;
      this.syncWrite = syncWrite;
      this.asyncWrite = asyncWrite;
      this.flushOptions = flushOptions;
    }

    static NativeResources create(EngineOptions engineOptions) {
      Statistics statistics = new Statistics();
      LRUCache blockCache =
          engineOptions.blockCacheBytes() > 0
              ? new LRUCache(engineOptions.blockCacheBytes())
              : null;
      BloomFilter bloomFilter =
          engineOptions.bloomBitsPerKey() > 0
              ? new BloomFilter(engineOptions.bloomBitsPerKey())
              : null;
      BlockBasedTableConfig table = new BlockBasedTableConfig();
      if (blockCache != null) {
        table.setBlockCache(blockCache);
      } else {
        table.setNoBlockCache(true);
      }
      if (bloomFilter != null) {
        table.setFilterPolicy(bloomFilter);
      }
      Options options =
          new Options()
              .setCreateIfMissing(true)
              .setStatistics(statistics)
              .setWriteBufferSize(engineOptions.memtableBytes())
              .setCompressionType(
                  switch (engineOptions.compression()) {
                    case NONE -> CompressionType.NO_COMPRESSION;
                    case LZ4 -> CompressionType.LZ4_COMPRESSION;
                  })
              .setTableFormatConfig(table);
      return new NativeResources(
          statistics,
          blockCache,
          bloomFilter,
          options,
          new WriteOptions().setSync(true),
          new WriteOptions().setSync(false),
          new FlushOptions().setWaitForFlush(true));
    }

    WriteOptions writeOptions(Durability durability) {
      return switch (durability) {
        case SYNC -> syncWrite;
        case PERIODIC, NONE -> asyncWrite;
      };
    }

    /** Frees everything, after the database that used it is closed. */
    void close() {
      flushOptions.close();
      asyncWrite.close();
      syncWrite.close();
      options.close();
      if (bloomFilter != null) {
        bloomFilter.close();
      }
      if (blockCache != null) {
        blockCache.close();
      }
      statistics.close();
    }
  }
}
