package io.ringkv.cluster.hints;

import io.ringkv.storage.format.CellCodec;
import java.nio.charset.StandardCharsets;

/**
 * Constants of the hint log format shared by the writer and the reader, as LevelDB's {@code
 * db/log_format.h}; the format is described in docs/format/hints.md:
 *
 * <pre>
 * segment  := header record*
 * header   := magic "RKHT" | version u32 (1)
 * record   := length u32 | crc32c u32 | body
 * body     := createdAtMillis i64 | keyLength u32 | key | cell (CellCodec, to the end of the body)
 * </pre>
 *
 * The checksum covers the four bytes of the length field, then the body.
 */
final class HintFormat {
  /** The first four bytes of every segment. */
  static final byte[] MAGIC = "RKHT".getBytes(StandardCharsets.US_ASCII);

  /** The segment format version this code writes and reads. */
  static final int FORMAT_VERSION = 1;

  /** Bytes of a segment header: magic, then version. */
  static final int SEGMENT_HEADER_BYTES = 4 + 4;

  /** Bytes of the body length field, the first of a record. */
  static final int LENGTH_BYTES = 4;

  /** Bytes of the checksum field, after the length. */
  static final int CHECKSUM_BYTES = 4;

  /** Bytes of a record header: length, checksum. */
  static final int RECORD_HEADER_BYTES = LENGTH_BYTES + CHECKSUM_BYTES;

  /** Bytes of the fixed part of a body: createdAtMillis and the key length. */
  static final int BODY_FIXED_BYTES = 8 + 4;

  /** The smallest body: the fixed part, an empty key and the smallest cell. */
  static final int BODY_BYTES_MIN = BODY_FIXED_BYTES + CellCodec.FIXED_BYTES;

  /** The largest segment ({@code hints.segment_bytes}) the format allows: 1 GiB. */
  static final long SEGMENT_BYTES_LIMIT = 1L << 30;

  /** The largest body a reader accepts; a length above it is damage. */
  static final int BODY_BYTES_MAX =
      (int) SEGMENT_BYTES_LIMIT - SEGMENT_HEADER_BYTES - RECORD_HEADER_BYTES;

  /** Segment files are named by their sequence number, zero-padded to this many digits. */
  static final int SEGMENT_NAME_DIGITS = 16;

  /** The suffix of a segment file. */
  static final String SEGMENT_SUFFIX = ".hints";

  /** The suffix a segment with an unreadable header is renamed to, kept for the operator. */
  static final String SET_ASIDE_SUFFIX = ".corrupt";

  /**
   * The prefix of the marker file {@code <hints>/_target.<target>} that names a target's log. Names
   * of our own files in {@code <hints>} start with '_', which no node id does, so that they never
   * clash with a target's directory.
   */
  static final String TARGET_MARKER_PREFIX = "_target.";

  /** The lock file that keeps a second store off the directory. */
  static final String LOCK_FILE = "_lock";

  private HintFormat() {}

  /** The file name of segment {@code sequence}. */
  static String segmentName(long sequence) {
    String digits = Long.toString(sequence);
    return "0".repeat(Math.max(0, SEGMENT_NAME_DIGITS - digits.length())) + digits + SEGMENT_SUFFIX;
  }

  /** The sequence number of a segment file name, or -1 if the name is not one. */
  static long segmentSequence(String name) {
    if (!name.endsWith(SEGMENT_SUFFIX)
        || name.length() != SEGMENT_NAME_DIGITS + SEGMENT_SUFFIX.length()) {
      return -1;
    }
    long sequence = 0;
    for (int i = 0; i < SEGMENT_NAME_DIGITS; i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      sequence = sequence * 10 + (c - '0');
    }
    return sequence;
  }
}
