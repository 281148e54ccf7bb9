package io.ringkv.storage.sstable;

import io.ringkv.storage.format.InternalKey;
import java.util.Arrays;

/**
 * Compares an internal key stored in place in a byte array with a target given as a user key and a
 * trailer, so that lookups need not build a target internal key: {@code get(userKey, snapshot)}
 * compares against {@code userKey ++ (snapshot << 8 | KIND_SEEK)} without allocating it. The order
 * is {@link InternalKey}'s: user key ascending (unsigned), then trailer descending. Static helpers
 * only.
 */
final class KeyOrder {
  private KeyOrder() {}

  /**
   * Compares the internal key {@code key[offset, offset+length)} (length >= 8, checked by the
   * caller) with the target {@code targetUser[0, targetUserLength) ++ targetTrailer}; negative if
   * the key sorts first.
   */
  static int compareToTarget(
      byte[] key,
      int offset,
      int length,
      byte[] targetUser,
      int targetUserLength,
      long targetTrailer) {
    int userEnd = offset + length - InternalKey.TRAILER_BYTES;
    // The node stores every key under its 8-byte token, so the first eight bytes nearly always
    // decide: compared as one unsigned big-endian long (the same order as byte by byte), they spare
    // the general comparison's call and setup, about 30 instructions per comparison and some 20
    // comparisons per table a GET reads (index binary search, restart search, scan).
    if (userEnd - offset >= Long.BYTES && targetUserLength >= Long.BYTES) {
      int head =
          Long.compareUnsigned(
              FixedInts.getLongBe(key, offset), FixedInts.getLongBe(targetUser, 0));
      if (head != 0) {
        return head;
      }
    }
    int c = Arrays.compareUnsigned(key, offset, userEnd, targetUser, 0, targetUserLength);
    if (c != 0) {
      return c;
    }
    return Long.compareUnsigned(targetTrailer, FixedInts.getLongBe(key, userEnd));
  }
}
