package io.ringkv.sim.raft;

/**
 * What a client asks of the replicated key-value store: one key per operation, which is what lets
 * the linearizability checker split a history by key (P-compositionality). Keys are small integers
 * and values positive longs; 0 stands for "absent" wherever a value is read.
 */
public sealed interface KvOperation {
  /** The value that stands for a key that holds nothing. */
  long ABSENT = 0;

  int key();

  /** Whether the operation may change the store (and so goes through the log). */
  boolean isWrite();

  /** Reads {@code key}: answered with its value, or {@link #ABSENT}. */
  record Get(int key) implements KvOperation {
    @Override
    public boolean isWrite() {
      return false;
    }

    @Override
    public String toString() {
      return "get(" + key + ")";
    }
  }

  /** Sets {@code key} to {@code value}, which is positive. */
  record Put(int key, long value) implements KvOperation {
    public Put {
      if (value <= 0) {
        throw new IllegalArgumentException("put value must be positive, was " + value);
      }
    }

    @Override
    public boolean isWrite() {
      return true;
    }

    @Override
    public String toString() {
      return "put(" + key + "," + value + ")";
    }
  }

  /**
   * Sets {@code key} to {@code value} if it holds {@code expected} ({@link #ABSENT}: if it holds
   * nothing); answered with whether it did.
   */
  record CompareAndSet(int key, long expected, long value) implements KvOperation {
    public CompareAndSet {
      if (value <= 0 || expected < 0) {
        throw new IllegalArgumentException(
            "compare-and-set needs expected >= 0 and value > 0, was " + expected + ", " + value);
      }
    }

    @Override
    public boolean isWrite() {
      return true;
    }

    @Override
    public String toString() {
      return "cas(" + key + "," + expected + "->" + value + ")";
    }
  }
}
