package io.ringkv.storage.format;

import java.nio.ByteBuffer;

/**
 * Unsigned LEB128 variable-length integers (7 bits a byte, low bits first, high bit set on every
 * byte but the last), as in LevelDB and protobuf. Static helpers only.
 */
public final class Varint {
  /** The most bytes a 32-bit varint takes. */
  public static final int INT_BYTES_MAX = 5;

  /** The most bytes a 64-bit varint takes. */
  public static final int LONG_BYTES_MAX = 10;

  private Varint() {}

  /** Bytes {@code value} takes as a varint (treated as unsigned). */
  public static int size(long value) {
    int n = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      n++;
    }
    return n;
  }

  /** Writes {@code value} at {@code offset}; returns the offset after it. */
  public static int write(byte[] out, int offset, long value) {
    while ((value & ~0x7FL) != 0) {
      out[offset++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[offset++] = (byte) value;
    return offset;
  }

  /** Writes {@code value} at the buffer's position. */
  public static void write(ByteBuffer out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.put((byte) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.put((byte) value);
  }

  /**
   * Reads a varint at the buffer's position, advancing it.
   *
   * @throws IllegalArgumentException if it runs past the buffer or is longer than 10 bytes; callers
   *     turn this into a corruption error naming the file and offset
   */
  public static long read(ByteBuffer in) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!in.hasRemaining()) {
        throw new IllegalArgumentException("varint runs past the end of its buffer");
      }
      byte b = in.get();
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes");
  }

  /** Reads a varint that must fit in a non-negative int. */
  public static int readInt(ByteBuffer in) {
    long v = read(in);
    if (v < 0 || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("varint out of int range: " + v);
    }
    return (int) v;
  }
}
