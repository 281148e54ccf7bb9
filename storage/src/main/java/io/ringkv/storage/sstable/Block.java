package io.ringkv.storage.sstable;

/**
 * The contents of one block whose checksum passed and whose restart array was checked
 * (docs/format/sstable.md, "Blocks"): what the block cache holds and {@link BlockCursor} walks.
 *
 * <p>Invariants established by {@link #parse}: at least one restart; the restart array lies inside
 * the contents; restart offsets start at 0, strictly increase and lie before the restart array, so
 * the entries region {@code [0, restartsOffset)} is not empty. Entries themselves are checked as
 * the cursor parses them. Immutable and thread-safe.
 */
final class Block {
  /** Rough bytes of this object, its array header and a cache entry, for cache weighing. */
  private static final int OVERHEAD_BYTES = 96;

  private final byte[] data;
  private final int restartsOffset;
  private final int restartCount;

  private Block(byte[] data, int restartsOffset, int restartCount) {
    this.data = data;
    this.restartsOffset = restartsOffset;
    this.restartCount = restartCount;
  }

  /**
   * Checks the restart array of the contents {@code data[0, length)}.
   *
   * @throws BlockFormatException if it breaks a rule of the format
   */
  static Block parse(byte[] data, int length) {
    if (length > data.length) {
      throw new IllegalArgumentException(
          "contents of " + length + " bytes in an array of " + data.length);
    }
    if (length < SstableFormat.RESTART_BYTES) {
      throw new BlockFormatException(
          "block of " + length + " bytes is too short for its restart count");
    }
    int restartCount = FixedInts.getIntLe(data, length - SstableFormat.RESTART_BYTES);
    int restartsMax = (length - SstableFormat.RESTART_BYTES) / SstableFormat.RESTART_BYTES;
    if (restartCount < 1 || restartCount > restartsMax) {
      throw new BlockFormatException(
          "restart count "
              + restartCount
              + " is out of range [1, "
              + restartsMax
              + "] for a block of "
              + length
              + " bytes");
    }
    int restartsOffset = length - SstableFormat.RESTART_BYTES * (restartCount + 1);
    int previous = -1;
    for (int i = 0; i < restartCount; i++) {
      int restart = FixedInts.getIntLe(data, restartsOffset + i * SstableFormat.RESTART_BYTES);
      boolean ok = i == 0 ? restart == 0 : restart > previous;
      if (!ok || restart >= restartsOffset) {
        throw new BlockFormatException(
            "restart "
                + i
                + " at "
                + restart
                + " is not in order inside the entries region [0, "
                + restartsOffset
                + ")");
      }
      previous = restart;
    }
    return new Block(data, restartsOffset, restartCount);
  }

  byte[] data() {
    return data;
  }

  /** The end of the entries region, where the restart array begins. */
  int restartsOffset() {
    return restartsOffset;
  }

  int restartCount() {
    return restartCount;
  }

  /** The offset of restart point {@code i}, {@code 0 <= i < restartCount()}. */
  int restart(int i) {
    return FixedInts.getIntLe(data, restartsOffset + i * SstableFormat.RESTART_BYTES);
  }

  /** Bytes this block holds in memory, for the block cache's weigher. */
  int weightBytes() {
    return (int) Math.min(Integer.MAX_VALUE, (long) data.length + OVERHEAD_BYTES);
  }
}
