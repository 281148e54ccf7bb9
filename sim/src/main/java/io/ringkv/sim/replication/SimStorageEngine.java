package io.ringkv.sim.replication;

import io.ringkv.common.Rng;
import io.ringkv.storage.Cell;
import io.ringkv.storage.CellIterator;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineStats;
import io.ringkv.storage.KeyRange;
import io.ringkv.storage.ScanMode;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.WriteBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The storage engine of a simulated node: an in-memory {@link StorageEngine} that keeps exactly
 * what the durability contract promises across a crash. The real LSM engine cannot run in the
 * deterministic simulator (its flushes, compactions and periodic syncs run on background threads
 * and real time), and the replication protocol needs only the contract, which this honours.
 *
 * <p>The model is a write-ahead log. Every write is applied to what readers see (the page cache)
 * and appended to the log. A {@link Durability#SYNC} write then fsyncs the log, which makes it and
 * every earlier record durable, as the real WAL's fsync does; {@link Durability#PERIODIC} and
 * {@link Durability#NONE} writes stay unsynced until the next sync ({@link #sync}, a later SYNC
 * write, or {@link #periodicSync} which the node calls on its timer for PERIODIC).
 *
 * <ul>
 *   <li>A process kill ({@link #reopen} without a power loss) loses nothing: the page cache
 *       survives.
 *   <li>A power loss ({@link #powerLoss}) keeps the durable state and a random prefix of the
 *       unsynced records, as a torn log keeps a prefix of its records; what readers saw is reset to
 *       that.
 *   <li>A failed fsync ({@link #failNextSync}) throws, makes nothing durable, and leaves the engine
 *       refusing every later write until it is reopened (LevelDB's sticky error): the state of the
 *       log is unknown.
 * </ul>
 *
 * <p>Bounds: at most {@link #UNSYNCED_RECORDS_MAX} unsynced records; the next write past it syncs
 * first, as sealing a full WAL segment would.
 *
 * <p>Not thread-safe in spirit (the simulator has one thread), but {@link StorageEngine} says
 * thread-safe, so the public methods are synchronized; they are never contended.
 */
public final class SimStorageEngine implements StorageEngine {
  /** Unsynced log records kept before a write forces a sync. */
  public static final int UNSYNCED_RECORDS_MAX = 100_000;

  private record LogRecord(byte[] key, Cell cell) {}

  private final NavigableMap<byte[], Cell> current = new TreeMap<>(Arrays::compareUnsigned);
  private final NavigableMap<byte[], Cell> durable = new TreeMap<>(Arrays::compareUnsigned);
  private final List<LogRecord> unsynced = new ArrayList<>();
  private final LongSupplier wallMillis;
  private int syncFailuresArmed;
  private String stickyError;
  private long userBytesWritten;
  private long syncs;
  private long recordsLost;

  /**
   * @param wallMillis the node's wall clock, for stamping tombstones without a deletion time and
   *     for {@link #getLive}
   */
  public SimStorageEngine(LongSupplier wallMillis) {
    this.wallMillis = wallMillis;
  }

  @Override
  public synchronized void put(byte[] key, Cell cell, Durability durability)
      throws StorageException {
    checkWritable();
    Cell stored = cell.stampDeletionTime(wallMillis.getAsLong());
    if (unsynced.size() >= UNSYNCED_RECORDS_MAX) {
      syncLog();
    }
    byte[] copy = key.clone();
    current.put(copy, stored);
    unsynced.add(new LogRecord(copy, stored));
    userBytesWritten += key.length + (stored.value() == null ? 0 : stored.value().length);
    if (durability == Durability.SYNC) {
      syncLog();
    }
  }

  @Override
  public synchronized void write(WriteBatch batch, Durability durability) throws StorageException {
    checkWritable();
    for (WriteBatch.Entry entry : batch.entries()) {
      Cell stored = entry.cell().stampDeletionTime(wallMillis.getAsLong());
      byte[] copy = entry.key().clone();
      current.put(copy, stored);
      unsynced.add(new LogRecord(copy, stored));
    }
    if (durability == Durability.SYNC || unsynced.size() >= UNSYNCED_RECORDS_MAX) {
      syncLog();
    }
  }

  @Override
  public synchronized Cell get(byte[] key) {
    return current.get(key);
  }

  @Override
  public synchronized Cell getLive(byte[] key) {
    Cell cell = current.get(key);
    return cell != null && cell.isLive(wallMillis.getAsLong()) ? cell : null;
  }

  @Override
  public synchronized CellIterator scan(KeyRange range, ScanMode mode) {
    NavigableMap<byte[], Cell> view = current;
    if (range.from() != null && range.to() != null) {
      view = current.subMap(range.from(), true, range.to(), false);
    } else if (range.from() != null) {
      view = current.tailMap(range.from(), true);
    } else if (range.to() != null) {
      view = current.headMap(range.to(), false);
    }
    long now = wallMillis.getAsLong();
    List<CellIterator.KeyCell> cells = new ArrayList<>();
    for (Map.Entry<byte[], Cell> entry : view.entrySet()) {
      if (mode == ScanMode.ALL || entry.getValue().isLive(now)) {
        cells.add(new CellIterator.KeyCell(entry.getKey(), entry.getValue()));
      }
    }
    Iterator<CellIterator.KeyCell> snapshot = cells.iterator();
    return new CellIterator() {
      @Override
      public boolean hasNext() {
        return snapshot.hasNext();
      }

      @Override
      public KeyCell next() {
        return snapshot.next();
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public void flush() throws StorageException {
    sync();
  }

  @Override
  public void compact() {}

  @Override
  public synchronized void sync() throws StorageException {
    checkWritable();
    syncLog();
  }

  /** The PERIODIC policy's timer: syncs if anything is unsynced; a failure is sticky. */
  public synchronized void periodicSync() throws StorageException {
    if (stickyError == null && !unsynced.isEmpty()) {
      syncLog();
    }
  }

  @Override
  public synchronized EngineStats stats() {
    return new EngineStats(
        userBytesWritten,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        List.of(),
        List.of(),
        0,
        0,
        current.size());
  }

  @Override
  public void close() {}

  // --- faults, for the simulator ---

  /** The next {@code count} fsyncs fail; each leaves the engine refusing writes until reopened. */
  public synchronized void failNextSyncs(int count) {
    syncFailuresArmed = count;
  }

  /**
   * The machine lost power: only the durable records and a prefix of the unsynced ones (its length
   * drawn from {@code rng}) survive. Call {@link #reopen} before use.
   *
   * @return the number of unsynced records lost
   */
  public synchronized int powerLoss(Rng rng) {
    int kept = unsynced.isEmpty() ? 0 : rng.nextInt(unsynced.size() + 1);
    for (LogRecord record : unsynced.subList(0, kept)) {
      durable.put(record.key(), record.cell());
    }
    int lost = unsynced.size() - kept;
    recordsLost += lost;
    unsynced.clear();
    current.clear();
    current.putAll(durable);
    return lost;
  }

  /**
   * After a failed fsync the log's unsynced tail is of unknown state; like the kernel dropping the
   * dirty pages of a failed writeback, the simulator drops it (fsyncgate): as a power loss that
   * keeps none of the unsynced records.
   *
   * @return the number of unsynced records lost
   */
  public synchronized int dropUnsynced() {
    int lost = unsynced.size();
    recordsLost += lost;
    unsynced.clear();
    current.clear();
    current.putAll(durable);
    return lost;
  }

  /** A new process opens the engine: the sticky error is cleared. */
  public synchronized void reopen() {
    stickyError = null;
  }

  /** Whether a failed fsync left the engine refusing writes. */
  public synchronized boolean hasFailed() {
    return stickyError != null;
  }

  /** Unsynced records a power loss could drop now. */
  public synchronized int unsyncedRecords() {
    return unsynced.size();
  }

  /** Records lost to power losses and failed fsyncs so far. */
  public synchronized long recordsLost() {
    return recordsLost;
  }

  /** Every key and its newest cell, in key order: what a reader sees now. For checkers. */
  public synchronized NavigableMap<byte[], Cell> cells() {
    NavigableMap<byte[], Cell> copy = new TreeMap<>(Arrays::compareUnsigned);
    copy.putAll(current);
    return Collections.unmodifiableNavigableMap(copy);
  }

  /** Forgets {@code key} behind the protocol's back, durably. For checker tests only. */
  public synchronized void eraseForTest(byte[] key) {
    current.remove(key);
    durable.remove(key);
  }

  /** Replaces {@code key}'s cell behind the protocol's back, durably. For checker tests only. */
  public synchronized void overwriteForTest(byte[] key, Cell cell) {
    current.put(key.clone(), cell);
    durable.put(key.clone(), cell);
  }

  private void checkWritable() throws StorageException {
    if (stickyError != null) {
      throw new StorageException("the engine refuses writes after a failed fsync: " + stickyError);
    }
  }

  private void syncLog() throws StorageException {
    if (syncFailuresArmed > 0) {
      syncFailuresArmed--;
      stickyError = "fsync failed (injected)";
      throw new StorageException(
          "fsync failed (injected); the engine refuses writes until reopened");
    }
    for (LogRecord record : unsynced) {
      durable.put(record.key(), record.cell());
    }
    unsynced.clear();
    syncs++;
  }

  /** Fsyncs that succeeded. */
  public synchronized long syncs() {
    return syncs;
  }
}
