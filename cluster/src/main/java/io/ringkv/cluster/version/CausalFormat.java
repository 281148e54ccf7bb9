package io.ringkv.cluster.version;

/**
 * Constants of the causal value format (docs/format/causal.md), shared by the encoder and the
 * decoder ({@link CausalCodec}). Constants only.
 */
public final class CausalFormat {
  private CausalFormat() {}

  /** First byte of every causal object: tells a causal cell value from anything else. */
  public static final byte MAGIC = (byte) 0xCA;

  /**
   * The format version of registers, sets, contexts and operations, written and read; counters have
   * their own ({@link #COUNTER_FORMAT_VERSION}).
   */
  public static final byte FORMAT_VERSION = 1;

  /**
   * The format version of counters without decimal increments this code writes: 2, whose keyed
   * increments carry their delta (docs/format/causal.md). It also reads {@link
   * #COUNTER_FORMAT_VERSION_KEYS_ONLY}, and writes and reads {@link
   * #COUNTER_FORMAT_VERSION_DECIMAL}.
   */
  public static final byte COUNTER_FORMAT_VERSION = 2;

  /**
   * The counter format with a decimal net per entry and a decimal delta per keyed increment
   * (INCRBYFLOAT), written only when one of them is not zero, so that integer counters keep their
   * version 2 bytes.
   */
  public static final byte COUNTER_FORMAT_VERSION_DECIMAL = 3;

  /** The longest unscaled value of a decimal (two's complement), far above the digit bound. */
  public static final int DECIMAL_UNSCALED_BYTES_MAX = 32;

  /**
   * The first counter format, whose entries held only their recent idempotency keys: still read.
   */
  public static final byte COUNTER_FORMAT_VERSION_KEYS_ONLY = 1;

  /** Magic, type, format version. */
  public static final int HEADER_BYTES = 3;

  /** The CRC32C of everything before it, big-endian. */
  public static final int TRAILER_BYTES = 4;

  /** Type byte of a register: a {@link DvvSet} with its siblings. */
  public static final byte TYPE_REGISTER = 1;

  /** Type byte of a {@link PnCounter}. */
  public static final byte TYPE_COUNTER = 2;

  /** Type byte of an {@link OrSet}. */
  public static final byte TYPE_SET = 3;

  /** Type byte of a causal context (a {@link VersionVector}), as clients carry it. */
  public static final byte TYPE_CONTEXT = 4;

  /** Type byte of a {@link CausalOperation} sent to a dot replica. */
  public static final byte TYPE_OPERATION = 5;

  /** Operation kinds (the byte after the header of an operation). */
  public static final int OPERATION_PUT = 1;

  public static final int OPERATION_DELETE = 2;
  public static final int OPERATION_INCREMENT = 3;
  public static final int OPERATION_SET_ADD = 4;
  public static final int OPERATION_SET_REMOVE = 5;
  public static final int OPERATION_INCREMENT_DECIMAL = 6;

  /** Bit 0 of a register value's flags: a tombstone (no length, no bytes follow). */
  public static final int FLAG_TOMBSTONE = 1;

  /** Flags a register value may carry; any other bit is damage. */
  public static final int FLAGS_KNOWN = FLAG_TOMBSTONE;

  /** The most actors one object may name. */
  public static final int ACTORS_MAX = 4096;

  /** The longest node id (as {@link io.ringkv.cluster.metadata.NodeId} allows). */
  public static final int NODE_ID_BYTES_MAX = 64;

  /** The longest varint: 10 bytes hold 64 bits. */
  public static final int VARINT_BYTES_MAX = 10;
}
