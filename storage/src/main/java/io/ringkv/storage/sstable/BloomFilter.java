package io.ringkv.storage.sstable;

/**
 * A table's bloom filter over its user keys, as read from the filter block (docs/format/sstable.md,
 * "Filter block"), and the probe arithmetic the writer shares.
 *
 * <p>Cache-line blocked (Putze, Sanders and Singler, "Cache-, Hash- and Space-Efficient Bloom
 * Filters", 2007; RocksDB's full filter does the same): the low 32 bits of the key's XXH64 pick one
 * 64-byte line, and the k probes use double hashing (Kirsch and Mitzenmacher, "Less Hashing, Same
 * Performance", 2006) on the high bits within that line. A lookup then touches one cache line
 * instead of k, for a false-positive rate slightly above a classic filter's of the same size (about
 * 1% at 10 bits per key, 7 probes).
 *
 * <p>No false negatives: the writer sets exactly the bits {@link #mayContainHash} tests. Immutable
 * and thread-safe.
 */
final class BloomFilter {
  private final byte[] bits;
  private final int lines;
  private final int probes;

  private BloomFilter(byte[] bits, int lines, int probes) {
    this.bits = bits;
    this.lines = lines;
    this.probes = probes;
  }

  /**
   * Checks and wraps the filter block contents {@code contents[0, length)} (not copied).
   *
   * @throws BlockFormatException if they break a rule of the format
   */
  static BloomFilter parse(byte[] contents, int length) {
    int lineBytes = length - SstableFormat.FILTER_TRAILER_BYTES;
    if (lineBytes < SstableFormat.FILTER_LINE_BYTES
        || lineBytes % SstableFormat.FILTER_LINE_BYTES != 0) {
      throw new BlockFormatException(
          "filter of " + length + " bytes is not a positive number of 64-byte lines plus 2 bytes");
    }
    int probes = contents[lineBytes];
    byte layout = contents[lineBytes + 1];
    if (layout != SstableFormat.FILTER_LAYOUT_BLOCKED_XXH64) {
      throw new BlockFormatException("unknown filter layout " + layout);
    }
    if (probes < 1 || probes > SstableFormat.FILTER_PROBES_MAX) {
      throw new BlockFormatException(
          "filter probe count "
              + probes
              + " is out of range [1, "
              + SstableFormat.FILTER_PROBES_MAX
              + "]");
    }
    return new BloomFilter(contents, lineBytes / SstableFormat.FILTER_LINE_BYTES, probes);
  }

  /** False if {@code userKey} is certainly not in the table. */
  boolean mayContain(byte[] userKey) {
    return mayContainHash(KeyHash.hash64(userKey, 0, userKey.length));
  }

  boolean mayContainHash(long hash) {
    int base = lineOf(hash, lines) * SstableFormat.FILTER_LINE_BYTES;
    int first = firstBit(hash);
    int step = step(hash);
    for (int i = 0; i < probes; i++) {
      int bit = (first + i * step) & (SstableFormat.FILTER_LINE_BITS - 1);
      if ((bits[base + (bit >>> 3)] & (1 << (bit & 7))) == 0) {
        return false;
      }
    }
    return true;
  }

  int lines() {
    return lines;
  }

  int probes() {
    return probes;
  }

  /** The line of a key: Lemire's multiply-shift maps the low 32 bits onto [0, lines). */
  static int lineOf(long hash, int lines) {
    return (int) (((hash & 0xFFFFFFFFL) * lines) >>> 32);
  }

  /** The first probe's bit within the line. */
  static int firstBit(long hash) {
    return (int) (hash >>> 32) & (SstableFormat.FILTER_LINE_BITS - 1);
  }

  /** The distance between probes: odd, so fewer than 512 probes never hit the same bit twice. */
  static int step(long hash) {
    return ((int) (hash >>> 41) & (SstableFormat.FILTER_LINE_BITS - 1)) | 1;
  }
}
