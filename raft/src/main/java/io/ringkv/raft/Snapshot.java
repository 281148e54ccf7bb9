package io.ringkv.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * The application's state after applying every entry up to {@code index}, with what Raft needs to
 * continue the log after it: the term of that entry and the configuration in force there.
 *
 * @param index the last entry the snapshot covers (0 for the empty snapshot before any entry)
 * @param term that entry's term
 * @param configuration the configuration in force at {@code index}
 * @param data the application's state, opaque to Raft; owned by the snapshot once made
 */
public record Snapshot(long index, long term, Configuration configuration, byte[] data) {
  public Snapshot {
    if (index < 0 || term < 0 || (index == 0) != (term == 0)) {
      throw new IllegalArgumentException("bad snapshot position: index=" + index + " term=" + term);
    }
    Objects.requireNonNull(configuration, "configuration");
    Objects.requireNonNull(data, "data");
  }

  /** The snapshot before any entry. */
  public static Snapshot empty(Configuration configuration) {
    return new Snapshot(0, 0, configuration, new byte[0]);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Snapshot that
        && index == that.index
        && term == that.term
        && configuration.equals(that.configuration)
        && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, term, configuration, Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "snapshot " + term + "/" + index + " " + configuration + " (" + data.length + " bytes)";
  }
}
