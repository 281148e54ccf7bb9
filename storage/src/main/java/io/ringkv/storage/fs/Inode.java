package io.ringkv.storage.fs;

import io.ringkv.common.Rng;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One file of {@link FaultInjectingFileSystem}: its identity, its current bytes (what a reader sees
 * now, the page cache) and its synced bytes (what a power loss leaves on the platter).
 *
 * <p>Why two views without two copies: almost every file is written front to back and synced now
 * and then, so its synced bytes are a prefix of its current bytes and a length is enough to
 * remember them. Only when a file with synced content is truncated by {@link FileSystem#create}'s
 * O_TRUNC, and not yet synced again, do the two views disagree in their common prefix; then, and
 * only then, the synced bytes are kept in a separate array.
 *
 * <p>Invariants: {@code 0 <= length <= current.length}; if {@code divergedSynced == null} the
 * synced content is {@code current[0, syncedLength)} and {@code syncedLength <= length}; otherwise
 * the synced content is {@code divergedSynced} and {@code syncedLength == divergedSynced.length}.
 *
 * <p>Not thread-safe: every instance is guarded by its file system's lock.
 */
final class Inode {

  /** The largest file this in-memory model holds: the largest Java array, with some headroom. */
  static final int LENGTH_MAX = Integer.MAX_VALUE - 16;

  /** The most bytes a torn sector replaces with garbage at the end of a torn tail. */
  static final int TORN_SECTOR_BYTES_MAX = 16;

  private static final byte[] EMPTY = new byte[0];

  private byte[] current = EMPTY;
  private int length;
  private int syncedLength;
  private byte[] divergedSynced;

  /**
   * Names in current directory views that lead here: one, or none for a deleted file, or two after
   * a crash that kept both names of an unfinished rename between directories.
   */
  int links;

  /** Live handles (readers and writers) open on this file; an unlinked file lives while open. */
  int openHandles;

  int length() {
    return length;
  }

  int syncedLength() {
    return syncedLength;
  }

  /** Bytes that a power loss may drop: all current bytes not known to equal synced ones. */
  int unsyncedLength() {
    return divergedSynced == null ? length - syncedLength : length;
  }

  /** Whether the file occupies space: it has a name, or someone still has it open. */
  boolean occupiesSpace() {
    return links > 0 || openHandles > 0;
  }

  /**
   * Appends {@code count} bytes read from {@code source}'s position on; the caller has checked
   * {@link #LENGTH_MAX}.
   */
  void append(ByteBuffer source, int count) {
    ensureCapacity(length + count);
    source.get(current, length, count);
    length += count;
  }

  /** Copies {@code count} current bytes from {@code position} on; the caller checks bounds. */
  void read(int position, ByteBuffer destination, int count) {
    destination.put(current, position, count);
  }

  /** Makes the current bytes durable: what fsync does. */
  void sync() {
    divergedSynced = null;
    syncedLength = length;
  }

  /**
   * Shortens the current bytes to {@code newLength} if longer, as ftruncate and O_TRUNC do: the
   * same file, so open handles see the cut, but until the next sync the durable content is still
   * the old one.
   */
  void shortenCurrent(int newLength) {
    if (newLength >= length) {
      return;
    }
    if (divergedSynced == null && syncedLength > newLength) {
      divergedSynced = Arrays.copyOf(current, syncedLength);
    }
    length = newLength;
  }

  /** Current bytes, copied. */
  byte[] currentBytes() {
    return Arrays.copyOf(current, length);
  }

  /** Synced bytes, copied. */
  byte[] syncedBytes() {
    return divergedSynced != null ? divergedSynced.clone() : Arrays.copyOf(current, syncedLength);
  }

  /**
   * What a power loss leaves: the synced bytes, and afterwards they are both current and durable
   * (whatever is on the platter after the crash is simply the file).
   */
  void revertToSynced() {
    if (divergedSynced != null) {
      current = divergedSynced;
      length = divergedSynced.length;
      divergedSynced = null;
    } else {
      length = syncedLength;
    }
    syncedLength = length;
  }

  /**
   * A power loss in the middle of writeback: the synced bytes survive, then a random-length prefix
   * of the unsynced tail (possibly empty, possibly all of it), and on a coin flip the last 1 to
   * {@value #TORN_SECTOR_BYTES_MAX} surviving unsynced bytes are garbage, as a sector written half
   * way. Synced bytes are never damaged: that is the durability contract. A file whose synced bytes
   * diverged (truncated and rewritten since its last sync) reverts exactly, as its unsynced bytes
   * are not a tail of its synced ones.
   */
  void revertTorn(Rng rng) {
    if (divergedSynced != null || length == syncedLength) {
      revertToSynced();
      return;
    }
    int unsynced = length - syncedLength;
    int kept = (int) rng.nextLong(unsynced + 1L);
    if (kept > 0 && rng.nextBoolean()) {
      int garbage = Math.min(kept, rng.nextInt(1, TORN_SECTOR_BYTES_MAX + 1));
      byte[] noise = new byte[garbage];
      rng.nextBytes(noise);
      System.arraycopy(noise, 0, current, syncedLength + kept - garbage, garbage);
    }
    length = syncedLength + kept;
    syncedLength = length;
  }

  /** The length of the longer view: how far damage to the disk may reach. */
  int damageableLength() {
    return Math.max(length, syncedLength());
  }

  /**
   * Damages the bit at {@code bitIndex} in both views, wherever each view reaches that far; the
   * caller checks that the bit is below {@link #damageableLength()}.
   */
  void flipBit(long bitIndex) {
    int at = (int) (bitIndex >>> 3);
    byte mask = (byte) (1 << (bitIndex & 7));
    // While synced bytes are a prefix of current ones the one flip damages both views.
    if (at < length) {
      current[at] ^= mask;
    }
    if (divergedSynced != null && at < divergedSynced.length) {
      divergedSynced[at] ^= mask;
    }
  }

  /**
   * Replaces bytes from {@code offset} on in both views, wherever each view reaches that far; the
   * caller checks that they end at or below {@link #damageableLength()}.
   */
  void overwrite(int offset, byte[] bytes) {
    copyInto(bytes, current, offset, length);
    if (divergedSynced != null) {
      copyInto(bytes, divergedSynced, offset, divergedSynced.length);
    }
  }

  /** Cuts both views to at most {@code newLength} bytes, as if the disk lost the rest. */
  void truncateBoth(int newLength) {
    if (divergedSynced != null && divergedSynced.length > newLength) {
      divergedSynced = Arrays.copyOf(divergedSynced, newLength);
    }
    syncedLength = Math.min(syncedLength, newLength);
    length = Math.min(length, newLength);
  }

  private static void copyInto(byte[] bytes, byte[] target, int offset, int targetLength) {
    int count = Math.min(bytes.length, targetLength - offset);
    if (count > 0) {
      System.arraycopy(bytes, 0, target, offset, count);
    }
  }

  private void ensureCapacity(int needed) {
    if (needed > current.length) {
      // Doubling keeps appends amortised O(1) per byte: no whole-file copy per write.
      int grown = (int) Math.min(LENGTH_MAX, Math.max(needed, Math.max(64L, current.length * 2L)));
      current = Arrays.copyOf(current, grown);
    }
  }
}
