package io.ringkv.client;

import java.util.Arrays;

/**
 * One of the concurrent values of a key in a causal keyspace: a value or a delete that no later
 * write has superseded. The array is the client's own copy; do not change it.
 *
 * @param bytes the value; empty for a delete
 * @param timestamp the write's timestamp (a hybrid logical clock value)
 * @param deleted true if this sibling is a delete
 */
public record Sibling(byte[] bytes, long timestamp, boolean deleted) {
  private static final byte[] EMPTY = new byte[0];

  public Sibling {
    bytes = bytes == null ? EMPTY : bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sibling other
        && timestamp == other.timestamp
        && deleted == other.deleted
        && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return (Arrays.hashCode(bytes) * 31 + Long.hashCode(timestamp)) * 31
        + Boolean.hashCode(deleted);
  }

  @Override
  public String toString() {
    return deleted
        ? "Sibling{deleted, timestamp=" + timestamp + "}"
        : "Sibling{" + bytes.length + " bytes, timestamp=" + timestamp + "}";
  }
}
