package io.ringkv.cluster.replication;

import io.ringkv.cluster.version.Lww;
import io.ringkv.storage.Cell;
import io.ringkv.storage.CellIterator;
import io.ringkv.storage.Durability;
import io.ringkv.storage.KeyRange;
import io.ringkv.storage.ScanMode;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * This node as a replica: answers {@link ReplicaRequest}s from its storage engine. A write keeps
 * the winner by {@link Lww} of what is stored and what arrives, under a per-key stripe lock, so
 * that a late or repeated message (a hint, a read repair, a retry) never replaces a newer cell;
 * replicas that have seen the same cells in any order hold the same one.
 *
 * <p>The engine orders versions by arrival, not by timestamp, so every write reads the key first. A
 * key the node does not hold costs one bloom-filter probe per table; an overwrite costs a read.
 *
 * <p>Not pure (it calls the engine), but does no network I/O and reads no clock of its own: {@code
 * wallMillis} is the node's clock for hint windows. Thread-safe.
 */
public final class LocalReplica {
  /** Stripes of the per-key lock; a power of two. */
  static final int LOCK_STRIPES = 1024;

  /** The default {@link #scanReplyBytesMax()}: 4 MiB. */
  public static final long DEFAULT_SCAN_REPLY_BYTES_MAX = 4L << 20;

  /** Bytes counted per scanned cell beyond its key and value (timestamps, lengths, flags). */
  static final int SCAN_CELL_OVERHEAD_BYTES = 32;

  private final StorageEngine engine;
  private final Durability durability;
  private final HintSink hints;
  private final LongSupplier wallMillis;
  private final long scanReplyBytesMax;
  private final ReentrantLock[] stripes = new ReentrantLock[LOCK_STRIPES];

  /**
   * @param engine the node's storage
   * @param durability how durable a write is before it is acknowledged
   * @param hints where stand-in writes (sloppy quorum) go
   * @param wallMillis the node's wall clock, epoch milliseconds
   */
  public LocalReplica(
      StorageEngine engine, Durability durability, HintSink hints, LongSupplier wallMillis) {
    this(engine, durability, hints, wallMillis, DEFAULT_SCAN_REPLY_BYTES_MAX);
  }

  /**
   * @param scanReplyBytesMax a scan's answer stops taking cells once their keys and values pass
   *     this many bytes (it always holds at least one cell): the answer must fit a message
   */
  public LocalReplica(
      StorageEngine engine,
      Durability durability,
      HintSink hints,
      LongSupplier wallMillis,
      long scanReplyBytesMax) {
    if (scanReplyBytesMax < 0) {
      throw new IllegalArgumentException(
          "scanReplyBytesMax must be >= 0, was " + scanReplyBytesMax);
    }
    this.engine = engine;
    this.durability = durability;
    this.hints = hints;
    this.wallMillis = wallMillis;
    this.scanReplyBytesMax = scanReplyBytesMax;
    for (int i = 0; i < LOCK_STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /** The engine underneath (for stats and scans of the node's own data). */
  public StorageEngine engine() {
    return engine;
  }

  public Durability durability() {
    return durability;
  }

  /** The byte budget of a scan's answer. */
  public long scanReplyBytesMax() {
    return scanReplyBytesMax;
  }

  /**
   * Carries out {@code request}.
   *
   * @throws StorageException if the engine fails
   * @throws IOException if a stand-in write's hint cannot be stored
   * @throws HintRefusedException if a stand-in write's hint was not kept (bound full)
   */
  public ReplicaReply handle(ReplicaRequest request) throws StorageException, IOException {
    return switch (request) {
      case ReplicaRequest.Write write -> {
        apply(write.key(), write.cell());
        yield new ReplicaReply.Written();
      }
      case ReplicaRequest.WriteBatch batch -> {
        for (KeyedCell cell : batch.cells()) {
          apply(cell.key(), cell.cell());
        }
        yield new ReplicaReply.Written();
      }
      case ReplicaRequest.StandInWrite standIn -> {
        if (!hints.store(standIn.target(), standIn.key(), standIn.cell(), wallMillis.getAsLong())) {
          throw new HintRefusedException(
              "stand-in write for " + standIn.target() + " refused: its hints are full or off");
        }
        yield new ReplicaReply.Written();
      }
      case ReplicaRequest.Read read -> {
        Cell cell = engine.get(read.key());
        yield new ReplicaReply.ReadResult(read.digestOnly() ? null : cell, Lww.digest(cell));
      }
      case ReplicaRequest.Scan scan -> scan(scan);
    };
  }

  /**
   * Keeps {@code cell} under {@code key} if it wins over the stored cell.
   *
   * @return true if it was stored, false if the stored cell already wins (or equals it)
   */
  public boolean apply(byte[] key, Cell cell) throws StorageException {
    ReentrantLock lock = stripes[(Arrays.hashCode(key) * 0x9E3779B9 >>> 22) & (LOCK_STRIPES - 1)];
    lock.lock();
    try {
      Cell current = engine.get(key);
      if (!Lww.supersedes(cell, current)) {
        return false;
      }
      engine.put(key, cell, durability);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The newest cell of {@code key}, tombstones and expired cells included; null if none. */
  public Cell read(byte[] key) throws StorageException {
    return engine.get(key);
  }

  private ReplicaReply.ScanResult scan(ReplicaRequest.Scan scan) throws StorageException {
    List<KeyedCell> cells = new ArrayList<>(Math.min(scan.limit(), 1024));
    long bytes = 0;
    try (CellIterator it = engine.scan(new KeyRange(scan.from(), scan.to()), ScanMode.ALL)) {
      // The byte budget cuts the answer short like the limit does: not exhausted, so the
      // coordinator resumes after the last key (RangeScanCoordination's merge is exact for it).
      while (cells.size() < scan.limit() && bytes < scanReplyBytesMax && it.hasNext()) {
        CellIterator.KeyCell next = it.next();
        cells.add(new KeyedCell(next.key(), next.cell()));
        bytes += next.key().length + SCAN_CELL_OVERHEAD_BYTES;
        bytes += next.cell().isTombstone() ? 0 : next.cell().value().length;
        bytes += next.cell().version().length;
      }
      if (cells.isEmpty() && it.hasNext()) {
        CellIterator.KeyCell next = it.next(); // a budget of 0: still one cell per answer
        cells.add(new KeyedCell(next.key(), next.cell()));
      }
      return new ReplicaReply.ScanResult(cells, !it.hasNext());
    } catch (CellIterator.UncheckedStorageException e) {
      throw e.getCause();
    }
  }

  /** A stand-in write whose hint was not kept. */
  public static final class HintRefusedException extends IOException {
    public HintRefusedException(String message) {
      super(message);
    }
  }
}
