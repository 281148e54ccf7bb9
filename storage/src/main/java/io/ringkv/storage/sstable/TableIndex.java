package io.ringkv.storage.sstable;

import io.ringkv.storage.format.InternalKey;
import io.ringkv.storage.format.Varint;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A table's index block decoded once at open into flat arrays: every separator key whole in one
 * byte array, and each data block's offset and size. A lookup binary-searches all separators
 * comparing them in place, with no prefix rebuilding and no allocation.
 *
 * <p>Invariants established by {@link #parse}: at least one block; separators are internal keys in
 * strictly increasing order; blocks are contiguous from offset 0 to the end of the data region.
 * Immutable and thread-safe.
 */
final class TableIndex {
  private final byte[] keys;
  private final int[] keyStarts;
  private final long[] offsets;
  private final int[] sizes;
  private final int count;

  private TableIndex(byte[] keys, int[] keyStarts, long[] offsets, int[] sizes, int count) {
    this.keys = keys;
    this.keyStarts = keyStarts;
    this.offsets = offsets;
    this.sizes = sizes;
    this.count = count;
  }

  /**
   * Decodes and checks the index block.
   *
   * @param dataEnd where the data region ends: the last block's trailer must end there
   * @throws BlockFormatException if it breaks a rule of the format
   */
  static TableIndex parse(Block block, long dataEnd) {
    byte[] keys = new byte[256];
    int keysLength = 0;
    int[] keyStarts = new int[17];
    long[] offsets = new long[16];
    int[] sizes = new int[16];
    int count = 0;
    long expectedOffset = 0;
    BlockCursor cursor = new BlockCursor();
    cursor.reset(block);
    for (cursor.seekToFirst(); cursor.isValid(); cursor.next()) {
      if (count == offsets.length) {
        offsets = Arrays.copyOf(offsets, count * 2);
        sizes = Arrays.copyOf(sizes, count * 2);
        keyStarts = Arrays.copyOf(keyStarts, count * 2 + 1);
      }
      int keyLength = cursor.keyLength();
      if (count > 0
          && InternalKey.compare(
                  keys,
                  keyStarts[count - 1],
                  keysLength - keyStarts[count - 1],
                  cursor.key(),
                  0,
                  keyLength)
              >= 0) {
        throw new BlockFormatException(
            "index separator " + count + " does not sort after separator " + (count - 1));
      }
      if (keys.length - keysLength < keyLength) {
        keys = Arrays.copyOf(keys, Math.max(keysLength + keyLength, keys.length * 2));
      }
      System.arraycopy(cursor.key(), 0, keys, keysLength, keyLength);
      keyStarts[count] = keysLength;
      keysLength += keyLength;

      ByteBuffer handle =
          ByteBuffer.wrap(cursor.valueArray(), cursor.valueOffset(), cursor.valueLength());
      long offset;
      long size;
      try {
        offset = Varint.read(handle);
        size = Varint.read(handle);
      } catch (IllegalArgumentException e) {
        throw new BlockFormatException(
            "index entry " + count + " has a malformed block handle: " + e.getMessage());
      }
      if (handle.hasRemaining()) {
        throw new BlockFormatException(
            "index entry " + count + " has " + handle.remaining() + " bytes after its handle");
      }
      if (offset != expectedOffset
          || size < 1
          || size > SstableFormat.BLOCK_BYTES_MAX - SstableFormat.BLOCK_TRAILER_BYTES
          || offset + size + SstableFormat.BLOCK_TRAILER_BYTES > dataEnd) {
        throw new BlockFormatException(
            "index entry "
                + count
                + " points at a data block of "
                + size
                + " bytes at offset "
                + offset
                + "; expected a block at offset "
                + expectedOffset
                + " ending by "
                + dataEnd);
      }
      offsets[count] = offset;
      sizes[count] = (int) size;
      count++;
      expectedOffset = offset + size + SstableFormat.BLOCK_TRAILER_BYTES;
    }
    if (expectedOffset != dataEnd) {
      throw new BlockFormatException(
          "index covers data blocks up to offset "
              + expectedOffset
              + " but the data region ends at "
              + dataEnd);
    }
    keyStarts[count] = keysLength;
    return new TableIndex(keys, keyStarts, offsets, sizes, count);
  }

  /** Number of data blocks. */
  int size() {
    return count;
  }

  long blockOffset(int i) {
    return offsets[i];
  }

  int blockSize(int i) {
    return sizes[i];
  }

  /** A copy of separator {@code i}. */
  byte[] separator(int i) {
    return Arrays.copyOfRange(keys, keyStarts[i], keyStarts[i + 1]);
  }

  /**
   * The first block whose separator is >= the target {@code targetUser[0, targetUserLength) ++
   * targetTrailer}, or {@link #size()} if the target sorts after every key of the table.
   */
  int findBlock(byte[] targetUser, int targetUserLength, long targetTrailer) {
    int low = 0;
    int high = count;
    while (low < high) {
      int mid = (low + high) >>> 1;
      int start = keyStarts[mid];
      int c =
          KeyOrder.compareToTarget(
              keys, start, keyStarts[mid + 1] - start, targetUser, targetUserLength, targetTrailer);
      if (c < 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }
}
