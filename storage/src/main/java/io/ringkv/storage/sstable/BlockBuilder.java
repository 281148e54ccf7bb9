package io.ringkv.storage.sstable;

import io.ringkv.storage.format.Varint;
import java.util.Arrays;

/**
 * Builds the contents of one block (docs/format/sstable.md, "Blocks"): prefix-compressed entries, a
 * full key at every {@code restartInterval}-th entry, then the restart offsets and their count.
 *
 * <p>Keys are opaque bytes here: the caller adds them in its own strictly increasing order
 * (internal-key order for data and index blocks, byte order for the meta block) and checks that
 * order itself. The builder is reused across blocks: {@link #reset()} keeps its buffers, so that a
 * writer's steady state allocates nothing per entry.
 *
 * <p>Invariants: {@code restarts[0] == 0} once an entry was added; restart offsets are strictly
 * increasing; {@code lastKey[0, lastKeyLength)} is the key of the last entry. Not thread-safe.
 */
final class BlockBuilder {
  private final int restartInterval;
  private byte[] buffer;
  private int size;
  private int[] restarts = new int[16];
  private int restartCount;
  private int entriesSinceRestart;
  private int entryCount;
  private byte[] lastKey = new byte[64];
  private int lastKeyLength;

  BlockBuilder(int restartInterval, int initialBytes) {
    if (restartInterval < 1) {
      throw new IllegalArgumentException("restartInterval must be >= 1, was " + restartInterval);
    }
    this.restartInterval = restartInterval;
    this.buffer = new byte[Math.max(64, initialBytes)];
  }

  boolean isEmpty() {
    return entryCount == 0;
  }

  int entryCount() {
    return entryCount;
  }

  /** The size {@link #finish()} would return now. */
  int estimatedBytes() {
    return size + (restartCount + 1) * SstableFormat.RESTART_BYTES;
  }

  /**
   * Adds an entry; {@code key} must sort after the previous key in the caller's order.
   *
   * @throws IllegalArgumentException if the entry would push the block and its trailer past {@link
   *     SstableFormat#BLOCK_BYTES_MAX}; the builder is then unchanged
   */
  void add(
      byte[] key, int keyOffset, int keyLength, byte[] value, int valueOffset, int valueLength) {
    boolean restart = entriesSinceRestart == restartInterval || entryCount == 0;
    int shared = 0;
    if (!restart) {
      int mismatch =
          Arrays.mismatch(lastKey, 0, lastKeyLength, key, keyOffset, keyOffset + keyLength);
      // mismatch < 0 means equal keys, which a strictly increasing caller never adds.
      shared = mismatch < 0 ? Math.min(lastKeyLength, keyLength) : mismatch;
    }
    int unshared = keyLength - shared;
    int restartsAfter = restartCount + (restart ? 1 : 0);
    // The restart array is counted too, so that finish() can never push a block past the limit.
    ensureCapacity(
        (long) size
            + Varint.size(shared)
            + Varint.size(unshared)
            + Varint.size(valueLength)
            + unshared
            + valueLength
            + (long) (restartsAfter + 1) * SstableFormat.RESTART_BYTES);
    if (restart) {
      if (restartCount == restarts.length) {
        restarts = Arrays.copyOf(restarts, restartCount * 2);
      }
      restarts[restartCount++] = size;
      entriesSinceRestart = 0;
    }
    size = Varint.write(buffer, size, shared);
    size = Varint.write(buffer, size, unshared);
    size = Varint.write(buffer, size, valueLength);
    System.arraycopy(key, keyOffset + shared, buffer, size, unshared);
    size += unshared;
    System.arraycopy(value, valueOffset, buffer, size, valueLength);
    size += valueLength;

    if (lastKey.length < keyLength) {
      lastKey = Arrays.copyOf(lastKey, Math.max(keyLength, lastKey.length * 2));
    }
    System.arraycopy(key, keyOffset + shared, lastKey, shared, unshared);
    lastKeyLength = keyLength;
    entriesSinceRestart++;
    entryCount++;
  }

  /**
   * Appends the restart array and count; the block's contents are then {@code buffer()[0, n)} for
   * the returned {@code n}, valid until the next {@link #reset()}.
   */
  int finish() {
    if (entryCount == 0) {
      throw new IllegalStateException("a block needs at least one entry");
    }
    ensureCapacity(estimatedBytes());
    for (int i = 0; i < restartCount; i++) {
      FixedInts.putIntLe(buffer, size, restarts[i]);
      size += SstableFormat.RESTART_BYTES;
    }
    FixedInts.putIntLe(buffer, size, restartCount);
    size += SstableFormat.RESTART_BYTES;
    return size;
  }

  byte[] buffer() {
    return buffer;
  }

  /** Empties the builder for the next block, keeping its buffers. */
  void reset() {
    size = 0;
    restartCount = 0;
    entriesSinceRestart = 0;
    entryCount = 0;
    lastKeyLength = 0;
  }

  private void ensureCapacity(long totalBytes) {
    // Stored uncompressed, the block and its trailer must stay within BLOCK_BYTES_MAX.
    long limit = SstableFormat.BLOCK_BYTES_MAX - SstableFormat.BLOCK_TRAILER_BYTES;
    if (totalBytes > limit) {
      throw new IllegalArgumentException(
          "entry does not fit in a block: block would be " + totalBytes + " bytes, limit " + limit);
    }
    if (totalBytes > buffer.length) {
      long grown =
          Math.max(totalBytes, Math.min((long) buffer.length * 2, SstableFormat.BLOCK_BYTES_MAX));
      buffer = Arrays.copyOf(buffer, (int) grown);
    }
  }
}
