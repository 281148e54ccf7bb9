package io.ringkv.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * One log entry. Indexes start at 1; terms start at 1 (term 0 means "before any entry").
 *
 * <p>The data array is owned by the entry once made: neither Raft nor the caller may change it.
 *
 * @param index position in the log, from 1
 * @param term the term of the leader that created it
 * @param type what {@code data} holds
 * @param data the command, or the encoded configuration; never null, may be empty
 */
public record Entry(long index, long term, EntryType type, byte[] data) {
  /**
   * The bytes an entry counts for beyond its data, in every byte bound (append batches, inflight
   * bytes, uncommitted bytes): index, term, type and length as the durable log stores them.
   */
  public static final int OVERHEAD_BYTES = 8 + 8 + 1 + 4;

  public Entry {
    if (index < 1) {
      throw new IllegalArgumentException("entry index must be at least 1, was " + index);
    }
    if (term < 1) {
      throw new IllegalArgumentException("entry term must be at least 1, was " + term);
    }
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
  }

  /** A normal entry. */
  public static Entry normal(long index, long term, byte[] data) {
    return new Entry(index, term, EntryType.NORMAL, data);
  }

  /** The bytes this entry counts for in byte bounds. */
  public long sizeBytes() {
    return (long) data.length + OVERHEAD_BYTES;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Entry that
        && index == that.index
        && term == that.term
        && type == that.type
        && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, term, type, Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return term + "/" + index + " " + type + " (" + data.length + " bytes)";
  }
}
