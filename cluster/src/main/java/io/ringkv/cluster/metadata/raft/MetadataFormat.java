package io.ringkv.cluster.metadata.raft;

import io.ringkv.cluster.metadata.Member;
import io.ringkv.common.ConsistencyLevel;

/**
 * The constants of the metadata log's binary format, shared by the encoder and the decoder; the
 * format itself is described in docs/format/metadata-log.md. Every record is {@code version(1) |
 * kind(1) | body | crc32c(4)}, the CRC over everything before it.
 *
 * <p>Codes are written out here, never taken from {@code ordinal()}, so that reordering an enum
 * cannot change the bytes on disk.
 */
final class MetadataFormat {
  /** The version this code writes and the only one it reads. */
  static final byte VERSION = 1;

  /** version(1) + kind(1). */
  static final int HEADER_BYTES = 1 + 1;

  /** The CRC32C trailer. */
  static final int TRAILER_BYTES = 4;

  // Kinds of command.
  static final byte JOIN = 1;
  static final byte SET_STATUS = 2;
  static final byte LEAVE = 3;
  static final byte REMOVE = 4;
  static final byte SET_ADDRESS = 5;
  static final byte PUT_KEYSPACE = 6;
  static final byte DROP_KEYSPACE = 7;

  // The kind of a snapshot of the whole metadata.
  static final byte SNAPSHOT = 16;

  // Kinds of result.
  static final byte APPLIED = 32;
  static final byte UNCHANGED = 33;
  static final byte REJECTED = 34;

  // Replication strategies.
  static final byte SIMPLE_STRATEGY = 1;
  static final byte NETWORK_TOPOLOGY_STRATEGY = 2;

  // A keyspace's flags byte (after its levels). Before causal mode it was the sloppy-quorum flag,
  // 0 or 1, so old records read as LWW keyspaces; older builds refuse a causal keyspace's record
  // (flags 2 or 3) with a clear error rather than read it as LWW.
  static final int KEYSPACE_SLOPPY_QUORUM = 0x01;
  static final int KEYSPACE_CAUSAL = 0x02;
  static final int KEYSPACE_FLAGS_KNOWN = KEYSPACE_SLOPPY_QUORUM | KEYSPACE_CAUSAL;

  /** The longest string field in bytes of UTF-8 (a rejection's reason; names are far shorter). */
  static final int STRING_BYTES_MAX = 1_024;

  /** The longest encoded command: a keyspace naming 64 datacenters is about 4.5 KiB. */
  static final int COMMAND_BYTES_MAX = 64 << 10;

  /** The longest encoded snapshot: 1,024 members of 4,096 tokens would be 32 MiB. */
  static final int SNAPSHOT_BYTES_MAX = 48 << 20;

  private MetadataFormat() {}

  static byte statusCode(Member.Status status) {
    return switch (status) {
      case JOINING -> 1;
      case NORMAL -> 2;
      case LEAVING -> 3;
      case LEFT -> 4;
    };
  }

  static Member.Status status(byte code) {
    return switch (code) {
      case 1 -> Member.Status.JOINING;
      case 2 -> Member.Status.NORMAL;
      case 3 -> Member.Status.LEAVING;
      case 4 -> Member.Status.LEFT;
      default -> throw new IllegalArgumentException("unknown member status code " + code);
    };
  }

  static byte levelCode(ConsistencyLevel level) {
    return switch (level) {
      case ONE -> 1;
      case TWO -> 2;
      case THREE -> 3;
      case QUORUM -> 4;
      case ALL -> 5;
      case LOCAL_ONE -> 6;
      case LOCAL_QUORUM -> 7;
      case EACH_QUORUM -> 8;
      case ANY -> 9;
    };
  }

  static ConsistencyLevel level(byte code) {
    return switch (code) {
      case 1 -> ConsistencyLevel.ONE;
      case 2 -> ConsistencyLevel.TWO;
      case 3 -> ConsistencyLevel.THREE;
      case 4 -> ConsistencyLevel.QUORUM;
      case 5 -> ConsistencyLevel.ALL;
      case 6 -> ConsistencyLevel.LOCAL_ONE;
      case 7 -> ConsistencyLevel.LOCAL_QUORUM;
      case 8 -> ConsistencyLevel.EACH_QUORUM;
      case 9 -> ConsistencyLevel.ANY;
      default -> throw new IllegalArgumentException("unknown consistency level code " + code);
    };
  }
}
