package io.ringkv.storage.sstable;

import io.ringkv.storage.StorageException;
import io.ringkv.storage.format.InternalIterator;
import io.ringkv.storage.format.InternalKey;
import java.util.Arrays;

/**
 * Iterates over a table's entries: a position in the index (which data block) and a {@link
 * BlockCursor} within the block, moving to the next block when one ends.
 *
 * <p>{@link #key()} and {@link #value()} are copies made on first request at each position, so the
 * caller may keep them. As it moves, the iterator checks that each key sorts strictly after the
 * previous one (one compare per entry): compaction reads through here, and this stops a bad table
 * from being copied onwards as if it were good (STYLE.md §3: check data again after reading it
 * back). Not thread-safe.
 */
final class SstableIterator implements InternalIterator {
  private final SstableReader reader;
  private final boolean fillCache;
  private final TableIndex index;
  private final BlockCursor cursor = new BlockCursor();
  private int block = -1;
  private boolean valid;
  private byte[] key;
  private byte[] value;
  private byte[] previousKey = new byte[64];
  private int previousKeyLength;

  SstableIterator(SstableReader reader, boolean fillCache) {
    this.reader = reader;
    this.fillCache = fillCache;
    this.index = reader.index();
  }

  @Override
  public boolean isValid() {
    return valid;
  }

  @Override
  public void seekToFirst() throws StorageException {
    enterBlock(0);
    try {
      cursor.seekToFirst();
    } catch (BlockFormatException e) {
      throw failed(e);
    }
    settle();
  }

  @Override
  public void seek(byte[] internalKey) throws StorageException {
    if (internalKey.length < InternalKey.TRAILER_BYTES) {
      throw new IllegalArgumentException(
          "seek key of " + internalKey.length + " bytes is not an internal key");
    }
    int userLength = internalKey.length - InternalKey.TRAILER_BYTES;
    long trailer = InternalKey.trailer(internalKey);
    int target = index.findBlock(internalKey, userLength, trailer);
    if (target == index.size()) {
      invalidate();
      return;
    }
    enterBlock(target);
    try {
      cursor.seek(internalKey, userLength, trailer);
    } catch (BlockFormatException e) {
      throw failed(e);
    }
    settle();
  }

  @Override
  public void next() throws StorageException {
    if (!valid) {
      throw new IllegalStateException("next() on an iterator that is not positioned");
    }
    int length = cursor.keyLength();
    if (previousKey.length < length) {
      previousKey = new byte[Math.max(length, previousKey.length * 2)];
    }
    System.arraycopy(cursor.key(), 0, previousKey, 0, length);
    previousKeyLength = length;
    try {
      cursor.next();
    } catch (BlockFormatException e) {
      throw failed(e);
    }
    settle();
    if (valid
        && InternalKey.compare(
                previousKey, 0, previousKeyLength, cursor.key(), 0, cursor.keyLength())
            >= 0) {
      valid = false;
      throw reader.corruption(block, "an entry does not sort after the entry before it");
    }
  }

  @Override
  public byte[] key() {
    checkValid();
    if (key == null) {
      key = cursor.copyKey();
    }
    return key;
  }

  @Override
  public byte[] value() {
    checkValid();
    if (value == null) {
      value = cursor.copyValue();
    }
    return value;
  }

  @Override
  public void close() {
    invalidate();
    cursor.release();
  }

  /** Moves on to the first entry of following blocks while the cursor is past its block's end. */
  private void settle() throws StorageException {
    key = null;
    value = null;
    while (!cursor.isValid()) {
      if (block + 1 >= index.size()) {
        invalidate();
        return;
      }
      enterBlock(block + 1);
      try {
        cursor.seekToFirst();
      } catch (BlockFormatException e) {
        throw failed(e);
      }
    }
    valid = true;
  }

  private void enterBlock(int i) throws StorageException {
    valid = false;
    block = i;
    try {
      cursor.reset(reader.dataBlock(i, fillCache));
    } catch (StorageException e) {
      cursor.release();
      throw e;
    }
  }

  private void invalidate() {
    valid = false;
    key = null;
    value = null;
  }

  private StorageException failed(BlockFormatException e) {
    invalidate();
    return reader.dataCorruption(block, e);
  }

  private void checkValid() {
    if (!valid) {
      throw new IllegalStateException("iterator is not positioned on an entry");
    }
  }

  @Override
  public String toString() {
    return "SstableIterator{"
        + reader.path()
        + (valid ? ", block " + block + ", key " + Arrays.toString(cursor.copyKey()) : ", invalid")
        + "}";
  }
}
