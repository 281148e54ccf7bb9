package io.ringkv.storage;

import java.util.Arrays;

/**
 * Keys from {@code from} (inclusive) to {@code to} (exclusive), in unsigned lexicographic order. A
 * null bound is open: {@code new KeyRange(null, null)} is every key.
 */
public record KeyRange(byte[] from, byte[] to) {
  public static final KeyRange ALL = new KeyRange(null, null);

  public KeyRange {
    if (from != null && to != null && Arrays.compareUnsigned(from, to) > 0) {
      throw new IllegalArgumentException("range start is after its end");
    }
  }

  /** True if {@code key} lies in this range. */
  public boolean contains(byte[] key) {
    return (from == null || Arrays.compareUnsigned(key, from) >= 0)
        && (to == null || Arrays.compareUnsigned(key, to) < 0);
  }
}
