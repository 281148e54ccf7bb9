package io.ringkv.server.internode;

import io.ringkv.cluster.ring.KeyCodec;

/**
 * The constants of the internode wire format, shared by the encoder and the decoder (as LevelDB's
 * {@code log_format.h}). docs/format/internode.md is the format's description; every number here
 * appears there. Constants only: changing one changes the protocol, so a change that is not
 * backwards compatible needs a new {@link #PROTOCOL_VERSION_MAX}.
 */
final class InternodeFormat {
  private InternodeFormat() {}

  // ---- Framing: length(4) type(1) flags(1) [requestId(8)] body ----

  /** Bytes of the length prefix: a big-endian uint32, the bytes of header and body after it. */
  static final int LENGTH_BYTES = 4;

  /** Bytes of a header without a request id: type, flags. */
  static final int HEADER_BYTES_MIN = 1 + 1;

  /** Bytes of the request id of a request or response. */
  static final int REQUEST_ID_BYTES = 8;

  /** Before the handshake completes, no frame may be longer than this (header and body). */
  static final int HANDSHAKE_FRAME_BYTES_MAX = 1_024;

  // ---- Flags: the low two bits say the frame's kind; the other six bits must be zero ----

  static final int FLAGS_KIND_MASK = 0x03;
  static final int KIND_ONE_WAY = 0;
  static final int KIND_REQUEST = 1;
  static final int KIND_RESPONSE = 2;

  // ---- Handshake ----

  /** Opens every handshake body: the bytes "RKVI" (ringkv internode). */
  static final int MAGIC = 0x524B5649;

  /** The oldest protocol version this build speaks. */
  static final int PROTOCOL_VERSION_MIN = 1;

  /** The newest protocol version this build speaks. */
  static final int PROTOCOL_VERSION_MAX = 1;

  static final int REFUSAL_WRONG_CLUSTER = 1;
  static final int REFUSAL_UNSUPPORTED_VERSION = 2;
  static final int REFUSAL_NODE_ID_CLASH = 3;

  // ---- Message types (uint8); 0 is reserved and never written ----

  static final int TYPE_HELLO = 1;
  static final int TYPE_HELLO_ACCEPT = 2;
  static final int TYPE_HELLO_REFUSE = 3;
  static final int TYPE_FAILURE = 8;
  static final int TYPE_GOSSIP_SYN = 16;
  static final int TYPE_GOSSIP_ACK = 17;
  static final int TYPE_GOSSIP_ACK2 = 18;
  static final int TYPE_ECHO = 32;
  static final int TYPE_ECHO_REPLY = 33;
  static final int TYPE_REPLICA_WRITE = 40;
  static final int TYPE_REPLICA_STAND_IN_WRITE = 41;
  static final int TYPE_REPLICA_WRITE_BATCH = 42;
  static final int TYPE_REPLICA_READ = 43;
  static final int TYPE_REPLICA_SCAN = 44;
  static final int TYPE_REPLICA_CAUSAL_UPDATE = 45;
  static final int TYPE_REPLICA_WRITTEN = 48;
  static final int TYPE_REPLICA_READ_RESULT = 49;
  static final int TYPE_REPLICA_SCAN_RESULT = 50;
  static final int TYPE_RAFT_MESSAGES = 56;
  static final int TYPE_RAFT_PROPOSE = 57;
  static final int TYPE_RAFT_PROPOSE_ANSWER = 58;
  static final int TYPE_REPLICA_CAUSAL_APPLIED = 51;
  static final int TYPE_REPLICA_CAUSAL_REFUSED = 52;
  static final int TYPE_METADATA_FETCH = 59;
  static final int TYPE_METADATA_SNAPSHOT = 60;

  // ---- Replication bodies ----

  /** A cell's flags: bit 0 set for a tombstone (no value follows); the other bits must be 0. */
  static final int CELL_FLAG_TOMBSTONE = 0x01;

  /**
   * A stored key (8-byte token, 4-byte keyspace tag, user key): at most this many bytes, the
   * largest user key {@code limits.key_bytes_max} allows (1 MiB) plus the prefix.
   */
  static final int STORED_KEY_BYTES_MAX = (1 << 20) + KeyCodec.PREFIX_BYTES;

  /** A cell's value: at most this many bytes, the largest {@code limits.value_bytes_max}. */
  static final int VALUE_BYTES_MAX = 128 << 20;

  /** A cell's version blob (causal metadata): at most this many bytes. */
  static final int VERSION_BYTES_MAX = 64 << 10;

  /** Cells in a write batch or scan result, and a scan's limit: at most this many. */
  static final int REPLICA_CELLS_MAX = 65_536;

  /**
   * The fewest bytes a keyed cell takes (key length, flags, timestamp, expiry, version length), so
   * that a count is checked against the bytes left before anything is allocated for it.
   */
  static final int KEYED_CELL_BYTES_MIN = 4 + 1 + 8 + 8 + 4;

  // ---- Raft bodies ----

  /** Raft messages in one envelope: at most this many. */
  static final int RAFT_MESSAGES_MAX = 4_096;

  /** Entries in one append: at most this many. */
  static final int RAFT_ENTRIES_MAX = 65_536;

  /** An entry's or a snapshot's data, a command and a result: at most this many bytes. */
  static final int RAFT_DATA_BYTES_MAX = 128 << 20;

  /** The fewest bytes a Raft message takes: kind, from, to, term. */
  static final int RAFT_MESSAGE_BYTES_MIN = 1 + 8 + 8 + 8;

  /** The fewest bytes an entry takes: index, term, type, data length. */
  static final int RAFT_ENTRY_BYTES_MIN = 8 + 8 + 1 + 4;

  /** Raft message kinds (uint8), one per io.ringkv.raft.Message record. */
  static final int RAFT_VOTE_REQUEST = 1;

  static final int RAFT_VOTE_RESPONSE = 2;
  static final int RAFT_APPEND_ENTRIES = 3;
  static final int RAFT_APPEND_RESPONSE = 4;
  static final int RAFT_HEARTBEAT = 5;
  static final int RAFT_HEARTBEAT_RESPONSE = 6;
  static final int RAFT_INSTALL_SNAPSHOT = 7;
  static final int RAFT_TIMEOUT_NOW = 8;
  static final int RAFT_READ_INDEX_REQUEST = 9;
  static final int RAFT_READ_INDEX_RESPONSE = 10;

  /**
   * A vote request's or response's flags: bit 0 pre-vote; bit 1 leadership transfer (request) or
   * granted (response).
   */
  static final int RAFT_VOTE_FLAG_PRE_VOTE = 0x01;

  static final int RAFT_VOTE_FLAG_SECOND = 0x02;

  /** Entry types (uint8). */
  static final int RAFT_ENTRY_NORMAL = 1;

  static final int RAFT_ENTRY_CONFIGURATION = 2;

  // ---- Application state codes (uint8), one per io.ringkv.cluster.membership.ApplicationState
  // ----

  static final int STATE_STATUS = 1;
  static final int STATE_TOKENS = 2;
  static final int STATE_DC = 3;
  static final int STATE_RACK = 4;
  static final int STATE_ADDRESSES = 5;
  static final int STATE_EPOCH = 6;
  static final int STATE_LOAD = 7;
  static final int STATE_WEIGHT = 8;
  static final int STATE_METADATA_LOG_EPOCH = 9;

  // ---- Strings: uint16 or int32 byte length, then UTF-8 ----

  /** A UTF-8 encoding takes at most this many bytes per UTF-16 char (4 per surrogate pair). */
  static final int UTF8_BYTES_PER_CHAR_MAX = 3;

  /** Node ids, endpoint names and cluster names: at most this many chars. */
  static final int NAME_CHARS_MAX = 128;

  /** The detail text of a handshake refusal: at most this many chars (longer is cut). */
  static final int REFUSAL_DETAIL_CHARS_MAX = 200;

  /** The reason text of a failure response: at most this many chars (longer is cut). */
  static final int FAILURE_REASON_CHARS_MAX = 1_000;

  /** Application state values per endpoint state: at most one per known key. */
  static final int STATE_VALUES_MAX = 255;
}
