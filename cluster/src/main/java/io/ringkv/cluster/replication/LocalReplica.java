package io.ringkv.cluster.replication;

import io.ringkv.cluster.version.Actor;
import io.ringkv.cluster.version.CausalCells;
import io.ringkv.cluster.version.CausalFormatException;
import io.ringkv.cluster.version.CausalOperation;
import io.ringkv.cluster.version.DvvSet;
import io.ringkv.cluster.version.Lww;
import io.ringkv.cluster.version.OrSet;
import io.ringkv.storage.Cell;
import io.ringkv.storage.CellIterator;
import io.ringkv.storage.Durability;
import io.ringkv.storage.KeyRange;
import io.ringkv.storage.ScanMode;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * <p>Causal mode (docs/design/causal.md): a write of a causal cell, or over one, keeps the join of
 * the two ({@link CausalCells#merge}) instead of the LWW winner; a {@link
 * ReplicaRequest.CausalUpdate} makes this node the dot replica: under the same key lock it applies
 * the operation as this node's {@link Actor} ({@link CausalCells#apply}) and stores the result. A
 * replica built without an actor refuses causal updates.
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
  private final Actor actor;
  private final int siblingsMax;
  private final int causalObjectBytesMax;
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
    this(
        engine,
        durability,
        hints,
        wallMillis,
        scanReplyBytesMax,
        null,
        DvvSet.SIBLINGS_MAX_DEFAULT,
        CausalCells.OBJECT_BYTES_MAX_DEFAULT);
  }

  /**
   * @param actor who this node is as a dot replica (its node id and incarnation), or null to refuse
   *     causal updates
   * @param siblingsMax the sibling cap of a causal register write ({@link DvvSet#tryUpdate})
   * @param causalObjectBytesMax the largest causal object a causal update may leave (above it the
   *     update is refused): the cell must fit in a frame and a hint segment
   */
  public LocalReplica(
      StorageEngine engine,
      Durability durability,
      HintSink hints,
      LongSupplier wallMillis,
      long scanReplyBytesMax,
      Actor actor,
      int siblingsMax,
      int causalObjectBytesMax) {
    if (causalObjectBytesMax < 1) {
      throw new IllegalArgumentException(
          "causalObjectBytesMax must be >= 1, was " + causalObjectBytesMax);
    }
    this.causalObjectBytesMax = causalObjectBytesMax;
    if (siblingsMax < 1) {
      throw new IllegalArgumentException("siblingsMax must be >= 1, was " + siblingsMax);
    }
    this.actor = actor;
    this.siblingsMax = siblingsMax;
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
      case ReplicaRequest.CausalUpdate update -> causalUpdate(update);
    };
  }

  /** This node as the dot replica of a causal write. */
  private ReplicaReply causalUpdate(ReplicaRequest.CausalUpdate update) throws StorageException {
    if (actor == null) {
      return new ReplicaReply.CausalRefused(
          CausalCells.Refusal.NOT_CAUSAL, "this node has no causal actor: causal mode is not on");
    }
    ReentrantLock lock = stripe(update.key());
    lock.lock();
    try {
      Cell current = engine.get(update.key());
      return switch (CausalCells.apply(
          current,
          update.operation(),
          actor,
          update.timestamp(),
          siblingsMax,
          causalObjectBytesMax)) {
        case CausalCells.Result.Applied applied -> {
          if (applied.changed()) {
            engine.put(update.key(), applied.cell(), durability);
          }
          yield new ReplicaReply.CausalApplied(
              applied.cell(),
              applied.duplicate(),
              changedMembers(update.operation(), current, applied.cell()));
        }
        case CausalCells.Result.Refused refused ->
            new ReplicaReply.CausalRefused(refused.reason(), refused.message());
      };
    } finally {
      lock.unlock();
    }
  }

  /**
   * How many of a set write's distinct elements it changed: for an add, those absent from {@code
   * before}; for a remove, those present in {@code before} and absent from {@code after}. 0 for
   * other operations (and for a cell that is not a set, which {@link CausalCells#apply} refused
   * already).
   */
  private static int changedMembers(CausalOperation operation, Cell before, Cell after) {
    List<byte[]> elements =
        switch (operation) {
          case CausalOperation.SetAdd add -> add.elements();
          case CausalOperation.SetRemove remove -> remove.elements();
          default -> List.of();
        };
    if (elements.isEmpty()) {
      return 0;
    }
    try {
      OrSet previous = CausalCells.isCausal(before) ? CausalCells.set(before) : OrSet.empty();
      OrSet next = CausalCells.set(after);
      Set<ByteBuffer> counted = new HashSet<>();
      int changed = 0;
      for (byte[] element : elements) {
        if (!counted.add(ByteBuffer.wrap(element))) {
          continue; // SADD k a a counts a once
        }
        boolean was = previous.contains(element);
        boolean is = next.contains(element);
        if (operation instanceof CausalOperation.SetAdd ? !was && is : was && !is) {
          changed++;
        }
      }
      return changed;
    } catch (CausalFormatException e) {
      throw new IllegalStateException("a set cell just applied cannot be decoded: " + e, e);
    }
  }

  /** Who this node is as a dot replica; null if it refuses causal updates. */
  public Actor actor() {
    return actor;
  }

  /**
   * Keeps {@code cell} under {@code key} if it wins over the stored cell (LWW), or the join of the
   * two if either is causal.
   *
   * @return true if something was stored, false if the stored cell already wins (or holds it)
   */
  public boolean apply(byte[] key, Cell cell) throws StorageException {
    ReentrantLock lock = stripe(key);
    lock.lock();
    try {
      Cell current = engine.get(key);
      Cell keep;
      if (CausalCells.isCausal(cell) || CausalCells.isCausal(current)) {
        keep = CausalCells.merge(current, cell); // the join; the very argument if nothing is new
        if (keep == current) {
          return false;
        }
      } else {
        if (!Lww.supersedes(cell, current)) {
          return false;
        }
        keep = cell;
      }
      engine.put(key, keep, durability);
      return true;
    } finally {
      lock.unlock();
    }
  }

  private ReentrantLock stripe(byte[] key) {
    return stripes[(Arrays.hashCode(key) * 0x9E3779B9 >>> 22) & (LOCK_STRIPES - 1)];
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
