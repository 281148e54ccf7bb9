package io.ringkv.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A value as a read found it. The arrays are the client's own copies; do not change them.
 *
 * @param bytes the value
 * @param timestamp the write's timestamp: a hybrid logical clock value stamped by the coordinator
 *     (epoch milliseconds << 16 plus a counter)
 * @param expiresAtMillis when the value expires (milliseconds since the epoch), 0 if never
 * @param causalContext the key's opaque causal context in a causal keyspace (see {@link Versions});
 *     empty in a last-write-wins keyspace
 */
public record Value(byte[] bytes, long timestamp, long expiresAtMillis, byte[] causalContext) {
  private static final byte[] EMPTY = new byte[0];

  public Value {
    if (bytes == null) {
      throw new IllegalArgumentException("bytes must not be null");
    }
    causalContext = causalContext == null ? EMPTY : causalContext;
  }

  /** The value decoded as UTF-8 (malformed bytes become U+FFFD). */
  public String utf8() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** True if the value has an expiry. */
  public boolean expires() {
    return expiresAtMillis != 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Value other
        && timestamp == other.timestamp
        && expiresAtMillis == other.expiresAtMillis
        && Arrays.equals(bytes, other.bytes)
        && Arrays.equals(causalContext, other.causalContext);
  }

  @Override
  public int hashCode() {
    return (Arrays.hashCode(bytes) * 31 + Long.hashCode(timestamp)) * 31
        + Long.hashCode(expiresAtMillis);
  }

  @Override
  public String toString() {
    String shown =
        bytes.length <= 32
            ? HexFormat.of().formatHex(bytes)
            : HexFormat.of().formatHex(bytes, 0, 32) + "...";
    return "Value{"
        + bytes.length
        + " bytes 0x"
        + shown
        + ", timestamp="
        + timestamp
        + (expires() ? ", expiresAtMillis=" + expiresAtMillis : "")
        + "}";
  }
}
