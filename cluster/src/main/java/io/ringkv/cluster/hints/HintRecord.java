package io.ringkv.cluster.hints;

import io.ringkv.storage.Cell;
import io.ringkv.storage.format.CellCodec;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * One hint as a segment holds it, and its encoding (docs/format/hints.md): {@code length u32 |
 * crc32c u32 | createdAtMillis i64 | keyLength u32 | key | cell}. The cell is {@link CellCodec}'s
 * encoding, the same bytes the WAL and SSTables hold, so a hint keeps the cell exactly: timestamp,
 * expiry (a tombstone's deletion time included), value and version blob.
 *
 * @param createdAtMillis the storing node's wall clock when the hint was stored; the window counts
 *     from it
 * @param key the stored key
 * @param cell the cell
 */
record HintRecord(long createdAtMillis, byte[] key, Cell cell) {
  HintRecord {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(cell, "cell");
  }

  /** Bytes of the whole record, header included, or more than an int can hold. */
  static long encodedBytes(byte[] key, Cell cell) {
    return (long) HintFormat.RECORD_HEADER_BYTES
        + HintFormat.BODY_FIXED_BYTES
        + key.length
        + CellCodec.encodedSize(cell);
  }

  /**
   * The whole record: header and body.
   *
   * @throws IllegalArgumentException if it would be longer than {@code recordBytesMax}, naming the
   *     sizes and {@code limitName}
   */
  static byte[] encode(
      long createdAtMillis, byte[] key, Cell cell, long recordBytesMax, String limitName) {
    long recordBytes = encodedBytes(key, cell);
    if (recordBytes > recordBytesMax) {
      throw new IllegalArgumentException(
          "hint of "
              + recordBytes
              + " bytes (key "
              + key.length
              + " bytes, value "
              + (cell.isTombstone() ? 0 : cell.value().length)
              + " bytes) is larger than "
              + limitName
              + " allows: at most "
              + recordBytesMax
              + " bytes per hint");
    }
    byte[] out = new byte[(int) recordBytes];
    int bodyBytes = out.length - HintFormat.RECORD_HEADER_BYTES;
    writeInt(out, 0, bodyBytes);
    int at = HintFormat.RECORD_HEADER_BYTES;
    at = writeLong(out, at, createdAtMillis);
    at = writeInt(out, at, key.length);
    System.arraycopy(key, 0, out, at, key.length);
    at += key.length;
    at = CellCodec.encode(cell, out, at);
    if (at != out.length) {
      throw new AssertionError("hint record encoded to " + at + " bytes, sized " + out.length);
    }
    writeInt(out, HintFormat.LENGTH_BYTES, checksum(out, 0, out.length));
    return out;
  }

  /**
   * The CRC32C of a record's length field and body, for a record at {@code offset} of {@code
   * recordBytes} bytes (the checksum field itself is skipped).
   */
  static int checksum(byte[] bytes, int offset, int recordBytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, HintFormat.LENGTH_BYTES);
    crc.update(
        bytes,
        offset + HintFormat.RECORD_HEADER_BYTES,
        recordBytes - HintFormat.RECORD_HEADER_BYTES);
    return (int) crc.getValue();
  }

  /**
   * Decodes a body whose checksum has been checked.
   *
   * @throws IllegalArgumentException if the bytes are not a hint (a writer bug, or damage that the
   *     checksum missed)
   */
  static HintRecord decodeBody(byte[] bytes, int offset, int bodyBytes) {
    if (bodyBytes < HintFormat.BODY_BYTES_MIN) {
      throw new IllegalArgumentException("hint body of " + bodyBytes + " bytes is too short");
    }
    long createdAtMillis = readLong(bytes, offset);
    int keyLength = readInt(bytes, offset + 8);
    int cellBytes = bodyBytes - HintFormat.BODY_FIXED_BYTES - keyLength;
    if (keyLength < 0 || cellBytes < CellCodec.FIXED_BYTES) {
      throw new IllegalArgumentException(
          "hint key length " + keyLength + " does not fit a body of " + bodyBytes + " bytes");
    }
    int keyOffset = offset + HintFormat.BODY_FIXED_BYTES;
    byte[] key = new byte[keyLength];
    System.arraycopy(bytes, keyOffset, key, 0, keyLength);
    Cell cell = CellCodec.decode(bytes, keyOffset + keyLength, cellBytes);
    return new HintRecord(createdAtMillis, key, cell);
  }

  static int readInt(byte[] in, int offset) {
    return ((in[offset] & 0xFF) << 24)
        | ((in[offset + 1] & 0xFF) << 16)
        | ((in[offset + 2] & 0xFF) << 8)
        | (in[offset + 3] & 0xFF);
  }

  static int writeInt(byte[] out, int offset, int value) {
    out[offset] = (byte) (value >>> 24);
    out[offset + 1] = (byte) (value >>> 16);
    out[offset + 2] = (byte) (value >>> 8);
    out[offset + 3] = (byte) value;
    return offset + 4;
  }

  private static long readLong(byte[] in, int offset) {
    return ((long) readInt(in, offset) << 32) | (readInt(in, offset + 4) & 0xFFFF_FFFFL);
  }

  private static int writeLong(byte[] out, int offset, long value) {
    writeInt(out, offset, (int) (value >>> 32));
    return writeInt(out, offset + 4, (int) value);
  }
}
