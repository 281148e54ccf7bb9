package io.ringkv.storage;

/**
 * An ordered byte-key store (unsigned lexicographic order) of {@link Cell}s: the contract that both
 * engines, the LSM tree of our own ({@code lsm}) and the RocksDB one ({@code rocks}), fulfil, and
 * that {@code StorageEngineContract} tests.
 *
 * <p>Thread-safe: any number of threads may read and write at once. A write returns only once it is
 * as durable as its {@link Durability} says. Operating errors are {@link StorageException}s; once a
 * write to the log has failed in a way that leaves its state unknown (a failed fsync), every later
 * write fails too, until the engine is reopened (LevelDB's sticky background error).
 */
public interface StorageEngine extends AutoCloseable {

  /** Stores {@code cell} (a value or a tombstone) under {@code key}. */
  void put(byte[] key, Cell cell, Durability durability) throws StorageException;

  /** Stores a tombstone for {@code key} written at {@code timestamp}. */
  default void delete(byte[] key, long timestamp, Durability durability) throws StorageException {
    put(key, Cell.tombstone(timestamp), durability);
  }

  /** Applies every write of {@code batch} atomically. */
  void write(WriteBatch batch, Durability durability) throws StorageException;

  /**
   * The newest cell stored under {@code key}, tombstones and expired cells included (the cluster
   * needs them to reconcile), or null when there is none. Use {@link Cell#isLive} for what a client
   * should see, or {@link #getLive}.
   */
  Cell get(byte[] key) throws StorageException;

  /** The newest cell under {@code key} if it is a live value now, else null. */
  Cell getLive(byte[] key) throws StorageException;

  /** The newest cell of each key in {@code range}, in key order, at one point in time. */
  CellIterator scan(KeyRange range, ScanMode mode) throws StorageException;

  /** Writes everything in memory to durable tables and waits until that is done. */
  void flush() throws StorageException;

  /** Compacts everything as far as it goes and waits until that is done. */
  void compact() throws StorageException;

  /** Makes every write acknowledged so far durable (fsyncs the log). */
  void sync() throws StorageException;

  /** Counters and gauges, for metrics and benchmarks. */
  EngineStats stats();

  /** Syncs and releases everything; idempotent. */
  @Override
  void close() throws StorageException;
}
