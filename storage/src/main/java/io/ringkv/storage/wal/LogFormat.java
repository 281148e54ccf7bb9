package io.ringkv.storage.wal;

/**
 * Constants of the record log format shared by {@link LogWriter} and {@link LogReader} (the
 * write-ahead log and the manifest), as LevelDB's {@code db/log_format.h}. The format is described
 * in docs/format/wal.md:
 *
 * <pre>
 * checksum  4 bytes  big-endian CRC32C of length, type and payload
 * length    4 bytes  big-endian payload bytes, 0 .. RECORD_BYTES_MAX
 * type      1 byte   TYPE_FULL
 * payload   length bytes
 * </pre>
 */
public final class LogFormat {
  /** Bytes of the checksum field, the first of the header. */
  public static final int CHECKSUM_BYTES = 4;

  /** Bytes of the payload length field, after the checksum. */
  public static final int LENGTH_BYTES = 4;

  /** Bytes of the type field, after the length. */
  public static final int TYPE_BYTES = 1;

  /** Bytes of a record header: checksum, length, type. */
  public static final int HEADER_BYTES = CHECKSUM_BYTES + LENGTH_BYTES + TYPE_BYTES;

  /** Offset of the length field within the header; the checksum covers from here on. */
  public static final int LENGTH_OFFSET = CHECKSUM_BYTES;

  /** Offset of the type field within the header. */
  public static final int TYPE_OFFSET = CHECKSUM_BYTES + LENGTH_BYTES;

  /**
   * Reserved, never written: what zeroed space (preallocation, a file grown by a crash) reads as,
   * so that zeros are never taken for a record.
   */
  public static final int TYPE_ZERO = 0;

  /** A whole record; records are never fragmented. */
  public static final int TYPE_FULL = 1;

  /** The largest payload of a record; a header with a greater length is invalid. */
  public static final int RECORD_BYTES_MAX = 256 << 20;

  private LogFormat() {}
}
