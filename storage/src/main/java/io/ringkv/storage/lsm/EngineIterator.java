package io.ringkv.storage.lsm;

import io.ringkv.storage.Cell;
import io.ringkv.storage.CellIterator;
import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.KeyRange;
import io.ringkv.storage.ScanMode;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.format.CellCodec;
import io.ringkv.storage.format.InternalIterator;
import io.ringkv.storage.format.InternalKey;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * What {@code scan} returns: turns the merged stream of every version into the newest cell per user
 * key visible at one snapshot sequence, within a key range, hiding dead cells in {@link
 * ScanMode#LIVE}. Closing it releases the snapshot and the pinned version. Not thread-safe.
 */
final class EngineIterator implements CellIterator {
  private final InternalIterator merged;
  private final long snapshotSequence;
  private final KeyRange range;
  private final ScanMode mode;
  private final long nowMillis;
  private final Runnable onClose;
  private byte[] lastUserKey;
  private KeyCell pending;
  private boolean closed;

  EngineIterator(
      InternalIterator merged,
      long snapshotSequence,
      KeyRange range,
      ScanMode mode,
      long nowMillis,
      Runnable onClose)
      throws StorageException {
    this.merged = merged;
    this.snapshotSequence = snapshotSequence;
    this.range = range;
    this.mode = mode;
    this.nowMillis = nowMillis;
    this.onClose = onClose;
    if (range.from() == null) {
      merged.seekToFirst();
    } else {
      merged.seek(
          InternalKey.encode(range.from(), InternalKey.SEQUENCE_MAX, InternalKey.KIND_SEEK));
    }
    advance();
  }

  @Override
  public boolean hasNext() {
    return pending != null;
  }

  @Override
  public KeyCell next() {
    if (pending == null) {
      throw new NoSuchElementException();
    }
    KeyCell result = pending;
    try {
      advance();
    } catch (StorageException e) {
      pending = null;
      throw new UncheckedStorageException(e);
    }
    return result;
  }

  private void advance() throws StorageException {
    pending = null;
    while (!closed && merged.isValid()) {
      byte[] key = merged.key();
      if (range.to() != null && InternalKey.compareUserKey(key, range.to()) >= 0) {
        return;
      }
      long sequence = InternalKey.sequence(key);
      if (sequence > snapshotSequence
          || (lastUserKey != null
              && Arrays.equals(
                  key,
                  0,
                  key.length - InternalKey.TRAILER_BYTES,
                  lastUserKey,
                  0,
                  lastUserKey.length))) {
        merged.next();
        continue;
      }
      lastUserKey = InternalKey.userKey(key);
      Cell cell;
      try {
        cell = CellCodec.decode(merged.value());
      } catch (IllegalArgumentException e) {
        throw new CorruptionException(Path.of("(scan)"), -1, "undecodable cell: " + e.getMessage());
      }
      merged.next();
      if (mode == ScanMode.ALL || cell.isLive(nowMillis)) {
        pending = new KeyCell(lastUserKey, cell);
        return;
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    pending = null;
    try {
      merged.close();
    } finally {
      onClose.run();
    }
  }
}
