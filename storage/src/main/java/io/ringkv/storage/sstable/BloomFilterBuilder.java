package io.ringkv.storage.sstable;

import java.util.Arrays;

/**
 * Gathers the hashes of a table's distinct user keys while the writer adds entries, and builds the
 * filter block from them at the end, once the key count and so the filter's size are known. Memory:
 * 8 bytes per distinct user key until {@link #build()}. Not thread-safe.
 */
final class BloomFilterBuilder {
  private final int bitsPerKey;
  private long[] hashes = new long[1024];
  private int count;

  BloomFilterBuilder(int bitsPerKey) {
    if (bitsPerKey < 1) {
      throw new IllegalArgumentException("bitsPerKey must be >= 1, was " + bitsPerKey);
    }
    this.bitsPerKey = bitsPerKey;
  }

  /** Adds the hash of one user key; the caller adds each distinct user key once. */
  void addKey(byte[] bytes, int offset, int length) {
    if (count == hashes.length) {
      hashes = Arrays.copyOf(hashes, count * 2);
    }
    hashes[count++] = KeyHash.hash64(bytes, offset, length);
  }

  int keyCount() {
    return count;
  }

  /** k for a given number of bits per key: the classic optimum ln 2 * bits, within [1, 30]. */
  static int probesFor(int bitsPerKey) {
    long k = Math.round(bitsPerKey * Math.log(2));
    return (int) Math.max(1, Math.min(SstableFormat.FILTER_PROBES_MAX, k));
  }

  /** The filter block contents: lines, probe count, layout. */
  byte[] build() {
    long linesWanted =
        ((long) count * bitsPerKey + SstableFormat.FILTER_LINE_BITS - 1)
            / SstableFormat.FILTER_LINE_BITS;
    int lines =
        (int)
            Math.max(
                1,
                Math.min(
                    linesWanted, SstableFormat.FILTER_BYTES_MAX / SstableFormat.FILTER_LINE_BYTES));
    int probes = probesFor(bitsPerKey);
    int lineBytes = lines * SstableFormat.FILTER_LINE_BYTES;
    byte[] contents = new byte[lineBytes + SstableFormat.FILTER_TRAILER_BYTES];
    for (int h = 0; h < count; h++) {
      long hash = hashes[h];
      int base = BloomFilter.lineOf(hash, lines) * SstableFormat.FILTER_LINE_BYTES;
      int first = BloomFilter.firstBit(hash);
      int step = BloomFilter.step(hash);
      for (int i = 0; i < probes; i++) {
        int bit = (first + i * step) & (SstableFormat.FILTER_LINE_BITS - 1);
        contents[base + (bit >>> 3)] |= (byte) (1 << (bit & 7));
      }
    }
    contents[lineBytes] = (byte) probes;
    contents[lineBytes + 1] = SstableFormat.FILTER_LAYOUT_BLOCKED_XXH64;
    return contents;
  }
}
