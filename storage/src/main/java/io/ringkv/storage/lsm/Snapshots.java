package io.ringkv.storage.lsm;

import java.util.TreeMap;

/**
 * The sequence numbers open iterators read at. Compaction may drop a shadowed version only when no
 * open snapshot can still see it, so it asks for the {@link #oldest} one. Thread-safe.
 */
final class Snapshots {
  private final TreeMap<Long, Integer> open = new TreeMap<>();

  synchronized void acquire(long sequence) {
    open.merge(sequence, 1, Integer::sum);
  }

  synchronized void release(long sequence) {
    Integer count = open.get(sequence);
    assert count != null : "snapshot released twice";
    if (count == 1) {
      open.remove(sequence);
    } else {
      open.put(sequence, count - 1);
    }
  }

  /** The oldest open snapshot, or {@code latest} if none is open. */
  synchronized long oldest(long latest) {
    return open.isEmpty() ? latest : Math.min(open.firstKey(), latest);
  }

  synchronized int count() {
    return open.values().stream().mapToInt(Integer::intValue).sum();
  }
}
