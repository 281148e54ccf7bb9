package io.ringkv.storage.format;

import io.ringkv.storage.Cell;
import java.nio.ByteBuffer;

/**
 * The bytes of a {@link Cell} as the WAL, memtable and SSTables store them (the "value" half of an
 * internal entry). Layout, see docs/format/sstable.md:
 *
 * <pre>
 * flags        1 byte   bit 0 tombstone, bit 1 has expiry, bit 2 has version; other bits 0
 * timestamp    8 bytes  big-endian
 * expiry       8 bytes  big-endian epoch ms, only if bit 1
 * version      varint length + bytes, only if bit 2
 * value        the remaining bytes, only if not a tombstone
 * </pre>
 *
 * Static helpers only.
 */
public final class CellCodec {
  public static final int FLAG_TOMBSTONE = 1;
  public static final int FLAG_EXPIRY = 2;
  public static final int FLAG_VERSION = 4;
  private static final int FLAGS_KNOWN = FLAG_TOMBSTONE | FLAG_EXPIRY | FLAG_VERSION;

  /** Bytes of the fixed part: flags and timestamp. */
  public static final int FIXED_BYTES = 1 + 8;

  private CellCodec() {}

  /** Bytes {@code cell} takes encoded. */
  public static int encodedSize(Cell cell) {
    int n = FIXED_BYTES;
    if (cell.hasExpiry()) {
      n += 8;
    }
    int versionLength = cell.version().length;
    if (versionLength > 0) {
      n += Varint.size(versionLength) + versionLength;
    }
    if (!cell.isTombstone()) {
      n += cell.value().length;
    }
    return n;
  }

  /** Encodes {@code cell} into a new array. */
  public static byte[] encode(Cell cell) {
    byte[] out = new byte[encodedSize(cell)];
    encode(cell, out, 0);
    return out;
  }

  /** Encodes {@code cell} at {@code offset}; returns the offset after it. */
  public static int encode(Cell cell, byte[] out, int offset) {
    int flags = 0;
    if (cell.isTombstone()) {
      flags |= FLAG_TOMBSTONE;
    }
    if (cell.hasExpiry()) {
      flags |= FLAG_EXPIRY;
    }
    byte[] version = cell.version();
    if (version.length > 0) {
      flags |= FLAG_VERSION;
    }
    out[offset++] = (byte) flags;
    offset = writeLong(out, offset, cell.timestamp());
    if (cell.hasExpiry()) {
      offset = writeLong(out, offset, cell.expiresAtMillis());
    }
    if (version.length > 0) {
      offset = Varint.write(out, offset, version.length);
      System.arraycopy(version, 0, out, offset, version.length);
      offset += version.length;
    }
    if (!cell.isTombstone()) {
      byte[] value = cell.value();
      System.arraycopy(value, 0, out, offset, value.length);
      offset += value.length;
    }
    return offset;
  }

  /** Decodes a whole array. */
  public static Cell decode(byte[] bytes) {
    return decode(bytes, 0, bytes.length);
  }

  /**
   * Decodes {@code bytes[offset, offset+length)}, copying the value and version out.
   *
   * @throws IllegalArgumentException if the bytes are not a cell; callers holding a file and an
   *     offset turn this into a {@link io.ringkv.storage.CorruptionException}
   */
  public static Cell decode(byte[] bytes, int offset, int length) {
    if (length < FIXED_BYTES) {
      throw new IllegalArgumentException("cell of " + length + " bytes is shorter than its header");
    }
    int end = offset + length;
    int flags = bytes[offset++] & 0xFF;
    if ((flags & ~FLAGS_KNOWN) != 0) {
      throw new IllegalArgumentException("cell has unknown flags 0x" + Integer.toHexString(flags));
    }
    long timestamp = readLong(bytes, offset);
    offset += 8;
    long expiry = Cell.NO_EXPIRY;
    if ((flags & FLAG_EXPIRY) != 0) {
      if (end - offset < 8) {
        throw new IllegalArgumentException("cell expiry runs past its end");
      }
      expiry = readLong(bytes, offset);
      offset += 8;
      if (expiry <= 0) {
        throw new IllegalArgumentException("cell expiry " + expiry + " is not positive");
      }
    }
    byte[] version = null;
    if ((flags & FLAG_VERSION) != 0) {
      ByteBuffer in = ByteBuffer.wrap(bytes, offset, end - offset);
      int versionLength = Varint.readInt(in);
      offset = in.position();
      if (versionLength == 0 || versionLength > end - offset) {
        throw new IllegalArgumentException("cell version length " + versionLength + " is invalid");
      }
      version = new byte[versionLength];
      System.arraycopy(bytes, offset, version, 0, versionLength);
      offset += versionLength;
    }
    byte[] value = null;
    if ((flags & FLAG_TOMBSTONE) == 0) {
      value = new byte[end - offset];
      System.arraycopy(bytes, offset, value, 0, value.length);
    } else if (offset != end) {
      throw new IllegalArgumentException(
          "tombstone cell carries " + (end - offset) + " value bytes");
    }
    return Cell.of(value, timestamp, expiry, version);
  }

  /** True if the encoded cell at {@code offset} is a tombstone, without decoding it. */
  public static boolean isTombstone(byte[] bytes, int offset) {
    return (bytes[offset] & FLAG_TOMBSTONE) != 0;
  }

  /** The timestamp of the encoded cell at {@code offset}, without decoding it. */
  public static long timestamp(byte[] bytes, int offset) {
    return readLong(bytes, offset + 1);
  }

  /** The expiry of the encoded cell at {@code offset}, or {@link Cell#NO_EXPIRY}. */
  public static long expiresAtMillis(byte[] bytes, int offset) {
    return (bytes[offset] & FLAG_EXPIRY) != 0 ? readLong(bytes, offset + FIXED_BYTES) : 0;
  }

  static int writeLong(byte[] out, int offset, long v) {
    for (int i = 7; i >= 0; i--) {
      out[offset + i] = (byte) v;
      v >>>= 8;
    }
    return offset + 8;
  }

  static long readLong(byte[] in, int offset) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (in[offset + i] & 0xFF);
    }
    return v;
  }
}
