package io.ringkv.cluster.version;

import io.ringkv.storage.Cell;
import java.util.Arrays;

/**
 * Last-write-wins reconciliation of {@link Cell}s: which of two versions of a key every replica
 * keeps. The order is total over cell contents, so replicas that have seen the same cells keep the
 * same one whatever order they saw them in:
 *
 * <ol>
 *   <li>the higher timestamp (an {@link Hlc} timestamp) wins;
 *   <li>on equal timestamps a tombstone wins over a value (a delete is never undone by a tie);
 *   <li>then the later expiry (a tombstone's: its deletion time) wins, no expiry counting as
 *       latest;
 *   <li>then the value that is greater in unsigned lexicographic byte order wins;
 *   <li>then the greater version blob (causal metadata; empty in LWW mode).
 * </ol>
 *
 * <p>Two cells that compare equal are equal ({@link Cell#equals}). Cassandra breaks ties the same
 * way (deletes first, then the greater value). Stateless and thread-safe.
 */
public final class Lww {
  private Lww() {}

  /** Negative, zero or positive as {@code a} loses to, ties with or wins over {@code b}. */
  public static int compare(Cell a, Cell b) {
    int byTimestamp = Long.compare(a.timestamp(), b.timestamp());
    if (byTimestamp != 0) {
      return byTimestamp;
    }
    if (a.isTombstone() != b.isTombstone()) {
      return a.isTombstone() ? 1 : -1;
    }
    int byExpiry = Long.compare(expiryRank(a), expiryRank(b));
    if (byExpiry != 0) {
      return byExpiry;
    }
    if (!a.isTombstone()) {
      int byValue = Arrays.compareUnsigned(a.value(), b.value());
      if (byValue != 0) {
        return byValue;
      }
    }
    return Arrays.compareUnsigned(a.version(), b.version());
  }

  /** The winner of {@code a} and {@code b}; either may be null (no cell), the other wins. */
  public static Cell winner(Cell a, Cell b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return compare(a, b) >= 0 ? a : b;
  }

  /** True if storing {@code incoming} over {@code current} (null: none) changes what is kept. */
  public static boolean supersedes(Cell incoming, Cell current) {
    return current == null || compare(incoming, current) > 0;
  }

  /**
   * A 64-bit digest of {@code cell} (null: no cell, digest 0) for digest reads: replicas holding
   * equal cells give equal digests; different cells differ except with probability about 2^-64.
   */
  public static long digest(Cell cell) {
    if (cell == null) {
      return 0;
    }
    long h = mix(0x9E3779B97F4A7C15L ^ cell.timestamp());
    h = mix(h ^ cell.expiresAtMillis());
    h = mix(h ^ (cell.isTombstone() ? 0x5bd1e995L : 0x1b873593L));
    if (!cell.isTombstone()) {
      h = bytes(h, cell.value());
    }
    h = bytes(h, cell.version());
    return h == 0 ? 1 : h;
  }

  private static long expiryRank(Cell cell) {
    // No expiry is the latest. A tombstone's expiry is its deletion time, which the coordinator
    // stamps before sending, so replicas agree on it.
    if (!cell.hasExpiry()) {
      return Long.MAX_VALUE;
    }
    return cell.expiresAtMillis();
  }

  private static long bytes(long h, byte[] data) {
    h = mix(h ^ data.length);
    int i = 0;
    for (; i + 8 <= data.length; i += 8) {
      long word = 0;
      for (int j = 0; j < 8; j++) {
        word = word << 8 | (data[i + j] & 0xFF);
      }
      h = mix(h ^ word);
    }
    long tail = 0;
    for (; i < data.length; i++) {
      tail = tail << 8 | (data[i] & 0xFF);
    }
    return mix(h ^ tail ^ 0x27d4eb2f165667c5L);
  }

  /** The finaliser of SplitMix64. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
