package io.ringkv.storage.lsm;

import io.ringkv.storage.format.InternalKey;

/**
 * What the manifest records of a live table: its number, size, key range (internal keys) and
 * counts. Immutable; the arrays are never changed.
 */
record FileMeta(
    long number,
    long fileBytes,
    byte[] smallestKey,
    byte[] largestKey,
    long entries,
    long tombstones,
    long smallestSequence,
    long largestSequence) {

  /** True if the table may hold versions of {@code userKey}. */
  boolean mayContainUserKey(byte[] userKey) {
    return InternalKey.compareUserKey(smallestKey, userKey) <= 0
        && InternalKey.compareUserKey(largestKey, userKey) >= 0;
  }

  /**
   * True if the table's user-key range meets {@code [fromUserKey, toUserKey]} (both inclusive, null
   * for open).
   */
  boolean overlaps(byte[] fromUserKey, byte[] toUserKey) {
    return (toUserKey == null || InternalKey.compareUserKey(smallestKey, toUserKey) <= 0)
        && (fromUserKey == null || InternalKey.compareUserKey(largestKey, fromUserKey) >= 0);
  }

  @Override
  public String toString() {
    return "#" + number + "(" + fileBytes + "B, " + entries + " entries)";
  }
}
