package io.ringkv.storage.rocks;

import io.ringkv.storage.Cell;
import io.ringkv.storage.CellIterator;
import io.ringkv.storage.KeyRange;
import io.ringkv.storage.ScanMode;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.format.CellCodec;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;

/**
 * A {@link CellIterator} over a RocksDB snapshot: the iterator reads through {@code
 * ReadOptions.snapshot}, so writes, flushes and compactions after it was opened are invisible to
 * it. The range's end is RocksDB's {@code iterate_upper_bound}, which lets RocksDB stop at the
 * bound instead of reading past it; its start is a seek.
 *
 * <p>Holds a snapshot, read options, an optional bound slice and a RocksDB iterator, all native;
 * {@link #close()} frees them. If the engine is closed first, it frees them, and every later move
 * fails with "engine is closed". Every native call runs inside the engine's {@link CloseGate}.
 *
 * <p>Not thread-safe, like every {@link CellIterator}.
 */
final class RocksCellIterator implements CellIterator {
  private final RocksEngine engine;
  private final RocksDB db;
  private final ScanMode mode;
  private final long nowMillis;
  private final Snapshot snapshot;
  private final ReadOptions readOptions;
  private final Slice upperBound;
  private final RocksIterator iterator;
  private final AtomicBoolean released = new AtomicBoolean();

  /** The next entry to return, already positioned past; null when not yet looked for. */
  private KeyCell next;

  /** True once the underlying iterator has run out (or {@link #close()} was called). */
  private boolean exhausted;

  /** Opens the iterator; the caller holds the engine's gate. */
  RocksCellIterator(RocksEngine engine, RocksDB db, KeyRange range, ScanMode mode, long nowMillis) {
    this.engine = engine;
    this.db = db;
    this.mode = mode;
    this.nowMillis = nowMillis;
    this.snapshot = db.getSnapshot();
    this.readOptions = new ReadOptions().setSnapshot(snapshot);
    this.upperBound = range.to() == null ? null : new Slice(range.to());
    if (upperBound != null) {
      readOptions.setIterateUpperBound(upperBound);
    }
    this.iterator = db.newIterator(readOptions);
    if (range.from() == null) {
      iterator.seekToFirst();
    } else {
      iterator.seek(range.from());
    }
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (exhausted) {
      return false;
    }
    if (!engine.gate().enter()) {
      throw new UncheckedStorageException(RocksEngine.closedException());
    }
    try {
      next = advance();
      if (next == null) {
        exhausted = true;
      }
      return next != null;
    } catch (StorageException e) {
      throw new UncheckedStorageException(e);
    } finally {
      engine.gate().exit();
    }
  }

  @Override
  public KeyCell next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    KeyCell result = next;
    next = null;
    return result;
  }

  /**
   * Frees the native objects. Inside the gate when the engine is open; when the engine is closing,
   * its close frees them instead, after every call in flight is done.
   */
  @Override
  public void close() {
    exhausted = true;
    next = null;
    if (released.get() || !engine.gate().enter()) {
      return;
    }
    try {
      engine.forget(this);
      release();
    } finally {
      engine.gate().exit();
    }
  }

  /** Frees the native objects once; the caller holds the gate or has drained it. */
  void release() {
    if (!released.compareAndSet(false, true)) {
      return;
    }
    iterator.close();
    db.releaseSnapshot(snapshot);
    readOptions.close();
    if (upperBound != null) {
      upperBound.close();
    }
    snapshot.close();
  }

  /** Returns the next entry the mode lets through and moves past it, or null at the end. */
  private KeyCell advance() throws StorageException {
    if (released.get()) {
      // Freed by the engine's close while this iterator stayed open.
      throw RocksEngine.closedException();
    }
    while (iterator.isValid()) {
      byte[] value = iterator.value();
      if (mode == ScanMode.LIVE && !isLive(value)) {
        iterator.next();
        continue;
      }
      byte[] key = iterator.key();
      Cell cell = engine.decode(key, value);
      iterator.next();
      return new KeyCell(key, cell);
    }
    try {
      iterator.status();
    } catch (RocksDBException e) {
      throw engine.failure("scan", e);
    }
    return null;
  }

  /**
   * True if the encoded cell reads as a live value at the scan's time; looks at the header only, so
   * that skipped cells are not decoded. Cells too short to hold their header are decoded (and so
   * reported as corrupt) rather than skipped.
   */
  private boolean isLive(byte[] value) {
    if (value.length < CellCodec.FIXED_BYTES) {
      return true;
    }
    if (CellCodec.isTombstone(value, 0)) {
      return false;
    }
    boolean hasExpiry = (value[0] & CellCodec.FLAG_EXPIRY) != 0;
    if (!hasExpiry || value.length < CellCodec.FIXED_BYTES + 8) {
      return true;
    }
    long expiresAtMillis = CellCodec.expiresAtMillis(value, 0);
    // A non-positive expiry is malformed: let the decoder report it rather than skip the cell.
    return expiresAtMillis <= 0 || nowMillis < expiresAtMillis;
  }
}
