package io.ringkv.cluster.version;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One concurrent version of a causal key: the value a write carried (or a tombstone: a causal
 * delete), the dot the coordinating replica gave it, and the write's HLC timestamp, which only
 * picks the winner a plain GET returns ({@link #WINNER_ORDER}); causality never looks at it.
 *
 * @param dot the write's dot
 * @param timestamp the write's {@link Hlc} timestamp
 * @param value the value, or null for a tombstone; not copied, not to be changed
 */
public record Sibling(Dot dot, long timestamp, byte[] value) {
  /**
   * Greatest wins: the higher timestamp, then a tombstone over a value (a delete is not undone by a
   * tie, as in {@link Lww}), then the greater value bytes, then the greater dot. Total, so every
   * replica holding the same siblings answers a plain GET with the same one.
   */
  public static final Comparator<Sibling> WINNER_ORDER =
      Comparator.comparingLong(Sibling::timestamp)
          .thenComparing(Sibling::isTombstone)
          .thenComparing(
              Sibling::value,
              Comparator.nullsFirst((byte[] a, byte[] b) -> Arrays.compareUnsigned(a, b)))
          .thenComparing(Sibling::dot);

  public Sibling {
    Objects.requireNonNull(dot, "dot");
  }

  public boolean isTombstone() {
    return value == null;
  }

  /** True if this and {@code other} carry the same contents (tombstone or value bytes). */
  public boolean sameContents(byte[] otherValue) {
    return value == null ? otherValue == null : Arrays.equals(value, otherValue);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sibling other
        && dot.equals(other.dot)
        && timestamp == other.timestamp
        && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * dot.hashCode() + Long.hashCode(timestamp)) + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    String body =
        value == null
            ? "tombstone"
            : value.length <= 32 ? HexFormat.of().formatHex(value) : value.length + "B";
    return "Sibling{" + dot + ", ts=" + Hlc.format(timestamp) + ", " + body + "}";
  }
}
