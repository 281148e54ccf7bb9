package io.ringkv.cluster.version;

/**
 * The type of a causal key, fixed by its first write: a command of another type gets Redis'
 * WRONGTYPE error. Also the type byte of the encoded object ({@link CausalFormat}).
 */
public enum CausalType {
  /** A value with siblings ({@link DvvSet}): GET, SET, DEL. */
  REGISTER(CausalFormat.TYPE_REGISTER),
  /** A {@link PnCounter}: INCR, INCRBY, DECR, DECRBY. */
  COUNTER(CausalFormat.TYPE_COUNTER),
  /** An {@link OrSet}: SADD, SREM, SMEMBERS, SISMEMBER, SCARD. */
  SET(CausalFormat.TYPE_SET),
  /** A causal context a client holds; never stored as a key. */
  CONTEXT(CausalFormat.TYPE_CONTEXT),
  /** A {@link CausalOperation} on its way to the dot replica; never stored as a key. */
  OPERATION(CausalFormat.TYPE_OPERATION);

  private final byte code;

  CausalType(byte code) {
    this.code = code;
  }

  public byte code() {
    return code;
  }

  /** The type with {@code code}, or null if none. */
  static CausalType ofCode(byte code) {
    for (CausalType type : values()) {
      if (type.code == code) {
        return type;
      }
    }
    return null;
  }
}
