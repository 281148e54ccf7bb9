package io.ringkv.raft.log;

/**
 * The durable log's on-disk format: constants only, shared by writer and reader (LevelDB's {@code
 * log_format.h}). See docs/design/raft.md, "Durable log".
 *
 * <p>A segment file {@code segment-<sequence, 20 digits>.log} is a sequence of records:
 *
 * <pre>
 * record  := crc32c:u32 length:u32 type:u8 payload[length]     (crc32c covers type and payload)
 * HARD_STATE payload := term:u64 vote:u64 commit:u64
 * ENTRY payload      := index:u64 term:u64 entryType:u8 data[rest]
 * </pre>
 *
 * An ENTRY at an index at or below the last replayed one replaces that entry and every later one (a
 * leader overwrote a conflicting suffix). Every segment begins with a HARD_STATE record, so a
 * segment can be read without its predecessors' hard state.
 *
 * <p>The snapshot file {@code snapshot} holds one record of type SNAPSHOT:
 *
 * <pre>
 * SNAPSHOT payload := index:u64 term:u64 configurationLength:u32 configuration data[rest]
 * </pre>
 *
 * written to {@code snapshot.tmp}, synced, then renamed over {@code snapshot}.
 */
final class LogFormat {
  /** crc32c, length, type. */
  static final int HEADER_BYTES = 4 + 4 + 1;

  static final byte TYPE_HARD_STATE = 1;
  static final byte TYPE_ENTRY = 2;
  static final byte TYPE_SNAPSHOT = 3;
  static final byte TYPE_LOG_START = 4;

  static final int HARD_STATE_PAYLOAD_BYTES = 8 + 8 + 8;
  static final int ENTRY_PAYLOAD_HEADER_BYTES = 8 + 8 + 1;
  static final int LOG_START_PAYLOAD_BYTES = 8 + 8;

  static final String SEGMENT_PREFIX = "segment-";
  static final String SEGMENT_SUFFIX = ".log";
  static final String SNAPSHOT_NAME = "snapshot";
  static final String SNAPSHOT_TEMPORARY_NAME = "snapshot.tmp";

  private LogFormat() {}

  static String segmentName(long sequence) {
    String digits = Long.toString(sequence);
    return SEGMENT_PREFIX + "0".repeat(Math.max(0, 20 - digits.length())) + digits + SEGMENT_SUFFIX;
  }

  static boolean isSegmentName(String name) {
    return name.startsWith(SEGMENT_PREFIX) && name.endsWith(SEGMENT_SUFFIX);
  }

  static long segmentSequence(String name) {
    return Long.parseLong(
        name.substring(SEGMENT_PREFIX.length(), name.length() - SEGMENT_SUFFIX.length()));
  }
}
