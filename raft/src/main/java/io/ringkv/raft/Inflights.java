package io.ringkv.raft;

/**
 * The append messages a leader has sent to one follower in the replicate state and not yet seen
 * acknowledged: a ring of (last index, bytes), bounded both in count and in bytes (etcd's {@code
 * Inflights}). When full, the leader stops sending to that follower until an acknowledgement frees
 * room: the flow control that keeps a slow follower from piling up messages.
 *
 * <p>Not thread-safe: owned by its {@link Progress}.
 */
final class Inflights {
  private final long[] lastIndexes;
  private final long[] sizesBytes;
  private final long bytesMax;
  private int start;
  private int count;
  private long bytes;

  Inflights(int countMax, long bytesMax) {
    this.lastIndexes = new long[countMax];
    this.sizesBytes = new long[countMax];
    this.bytesMax = bytesMax;
  }

  void add(long lastIndex, long sizeBytes) {
    if (isFull()) {
      throw new IllegalStateException("add to full inflights");
    }
    int slot = (start + count) % lastIndexes.length;
    lastIndexes[slot] = lastIndex;
    sizesBytes[slot] = sizeBytes;
    count++;
    bytes += sizeBytes;
  }

  /** Frees every message whose last index is at most {@code index}. */
  void freeTo(long index) {
    while (count > 0 && lastIndexes[start] <= index) {
      bytes -= sizesBytes[start];
      start = (start + 1) % lastIndexes.length;
      count--;
    }
  }

  void freeFirstOne() {
    if (count > 0) {
      freeTo(lastIndexes[start]);
    }
  }

  boolean isFull() {
    return count == lastIndexes.length || bytes >= bytesMax;
  }

  int count() {
    return count;
  }

  void reset() {
    start = 0;
    count = 0;
    bytes = 0;
  }
}
