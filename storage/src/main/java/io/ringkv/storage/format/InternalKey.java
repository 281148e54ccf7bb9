package io.ringkv.storage.format;

import java.util.Arrays;

/**
 * The key under which the engine keeps one version of a user key: the user key's bytes followed by
 * an 8-byte big-endian trailer {@code (sequence << 8) | kind}, as in LevelDB. Internal keys sort by
 * user key (unsigned, ascending), then by trailer descending, so the newest version of a key comes
 * first and a seek to {@link #seekKey(byte[], long)} lands on the newest version visible at a
 * snapshot.
 *
 * <p>The memtable, the WAL replay, SSTables and compaction all share this encoding. Static helpers
 * only.
 */
public final class InternalKey {
  /** Bytes of the trailer after the user key. */
  public static final int TRAILER_BYTES = 8;

  /** The kind of a tombstone version. */
  public static final int KIND_TOMBSTONE = 0;

  /** The kind of a value version. */
  public static final int KIND_VALUE = 1;

  /** The highest kind, used in seek keys so that they sort before every real kind. */
  public static final int KIND_SEEK = 0xFF;

  /** The largest sequence number (56 bits). */
  public static final long SEQUENCE_MAX = (1L << 56) - 1;

  private InternalKey() {}

  /** Encodes {@code userKey} at {@code sequence} with {@code kind}. */
  public static byte[] encode(byte[] userKey, long sequence, int kind) {
    byte[] out = Arrays.copyOf(userKey, userKey.length + TRAILER_BYTES);
    writeTrailer(out, userKey.length, sequence, kind);
    return out;
  }

  /** The key to seek to for the newest version of {@code userKey} with sequence <= snapshot. */
  public static byte[] seekKey(byte[] userKey, long snapshotSequence) {
    return encode(userKey, snapshotSequence, KIND_SEEK);
  }

  /** Writes the trailer at {@code offset} of {@code out}. */
  public static void writeTrailer(byte[] out, int offset, long sequence, int kind) {
    if (sequence < 0 || sequence > SEQUENCE_MAX) {
      throw new IllegalArgumentException("sequence out of range: " + sequence);
    }
    long trailer = (sequence << 8) | (kind & 0xFF);
    for (int i = 7; i >= 0; i--) {
      out[offset + i] = (byte) trailer;
      trailer >>>= 8;
    }
  }

  /** The user key's length within {@code internalKey}. */
  public static int userKeyLength(byte[] internalKey) {
    return internalKey.length - TRAILER_BYTES;
  }

  /** A copy of the user key. */
  public static byte[] userKey(byte[] internalKey) {
    return Arrays.copyOf(internalKey, internalKey.length - TRAILER_BYTES);
  }

  /** The trailer: {@code (sequence << 8) | kind}. */
  public static long trailer(byte[] internalKey) {
    return trailer(internalKey, 0, internalKey.length);
  }

  /** The trailer of the internal key in {@code bytes[offset, offset+length)}. */
  public static long trailer(byte[] bytes, int offset, int length) {
    long t = 0;
    for (int i = offset + length - TRAILER_BYTES; i < offset + length; i++) {
      t = (t << 8) | (bytes[i] & 0xFF);
    }
    return t;
  }

  public static long sequence(byte[] internalKey) {
    return trailer(internalKey) >>> 8;
  }

  public static int kind(byte[] internalKey) {
    return (int) (trailer(internalKey) & 0xFF);
  }

  /** Orders internal keys: user key ascending (unsigned), then trailer descending. */
  public static int compare(byte[] a, byte[] b) {
    return compare(a, 0, a.length, b, 0, b.length);
  }

  /** {@link #compare(byte[], byte[])} on slices. */
  public static int compare(
      byte[] a, int aOffset, int aLength, byte[] b, int bOffset, int bLength) {
    int c =
        Arrays.compareUnsigned(
            a,
            aOffset,
            aOffset + aLength - TRAILER_BYTES,
            b,
            bOffset,
            bOffset + bLength - TRAILER_BYTES);
    if (c != 0) {
      return c;
    }
    return Long.compareUnsigned(trailer(b, bOffset, bLength), trailer(a, aOffset, aLength));
  }

  /** Compares the user-key part of {@code internalKey} with {@code userKey} (unsigned). */
  public static int compareUserKey(byte[] internalKey, byte[] userKey) {
    return Arrays.compareUnsigned(
        internalKey, 0, internalKey.length - TRAILER_BYTES, userKey, 0, userKey.length);
  }

  /** True if both internal keys have the same user key. */
  public static boolean sameUserKey(byte[] a, byte[] b) {
    return Arrays.equals(a, 0, a.length - TRAILER_BYTES, b, 0, b.length - TRAILER_BYTES);
  }
}
