package io.ringkv.storage.sstable;

/**
 * XXH64, Yann Collet's 64-bit xxHash (https://github.com/Cyan4973/xxHash, doc/xxhash_spec.md), with
 * seed 0: the hash of user keys that the bloom filter is built from.
 *
 * <p>Why this hash: it is part of the on-disk format (a filter written today must answer the same
 * tomorrow), so it must be a published, specified algorithm with test vectors, not a library's
 * current choice; it is fast on short keys (one 8-byte step per word, a short avalanche) and passes
 * SMHasher, so the filter's false-positive rate is what the bit count predicts. Written here rather
 * than taken from lz4-java's {@code net.jpountz.xxhash} so that the format does not depend on a
 * library that could change or drop it; the tests check the two agree.
 *
 * <p>Static helpers only; thread-safe.
 */
final class KeyHash {
  private static final long PRIME_1 = 0x9E3779B185EBCA87L;
  private static final long PRIME_2 = 0xC2B2AE3D27D4EB4FL;
  private static final long PRIME_3 = 0x165667B19E3779F9L;
  private static final long PRIME_4 = 0x85EBCA77C2B2AE63L;
  private static final long PRIME_5 = 0x27D4EB2F165667C5L;

  private KeyHash() {}

  /** XXH64 of {@code bytes[offset, offset+length)} with seed 0. */
  static long hash64(byte[] bytes, int offset, int length) {
    int p = offset;
    int end = offset + length;
    long h;
    if (length >= 32) {
      int limit = end - 32;
      long v1 = PRIME_1 + PRIME_2;
      long v2 = PRIME_2;
      long v3 = 0;
      long v4 = -PRIME_1;
      do {
        v1 = round(v1, FixedInts.getLongLe(bytes, p));
        v2 = round(v2, FixedInts.getLongLe(bytes, p + 8));
        v3 = round(v3, FixedInts.getLongLe(bytes, p + 16));
        v4 = round(v4, FixedInts.getLongLe(bytes, p + 24));
        p += 32;
      } while (p <= limit);
      h =
          Long.rotateLeft(v1, 1)
              + Long.rotateLeft(v2, 7)
              + Long.rotateLeft(v3, 12)
              + Long.rotateLeft(v4, 18);
      h = mergeRound(h, v1);
      h = mergeRound(h, v2);
      h = mergeRound(h, v3);
      h = mergeRound(h, v4);
    } else {
      h = PRIME_5;
    }
    h += length;
    while (p + 8 <= end) {
      h ^= round(0, FixedInts.getLongLe(bytes, p));
      h = Long.rotateLeft(h, 27) * PRIME_1 + PRIME_4;
      p += 8;
    }
    if (p + 4 <= end) {
      h ^= (FixedInts.getIntLe(bytes, p) & 0xFFFFFFFFL) * PRIME_1;
      h = Long.rotateLeft(h, 23) * PRIME_2 + PRIME_3;
      p += 4;
    }
    while (p < end) {
      h ^= (bytes[p] & 0xFFL) * PRIME_5;
      h = Long.rotateLeft(h, 11) * PRIME_1;
      p++;
    }
    h ^= h >>> 33;
    h *= PRIME_2;
    h ^= h >>> 29;
    h *= PRIME_3;
    h ^= h >>> 32;
    return h;
  }

  private static long round(long accumulator, long input) {
    accumulator += input * PRIME_2;
    accumulator = Long.rotateLeft(accumulator, 31);
    return accumulator * PRIME_1;
  }

  private static long mergeRound(long accumulator, long value) {
    accumulator ^= round(0, value);
    return accumulator * PRIME_1 + PRIME_4;
  }
}
