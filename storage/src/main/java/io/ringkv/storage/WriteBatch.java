package io.ringkv.storage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Writes applied atomically: after a crash either all of them are present or none is. Later entries
 * for the same key win over earlier ones. Not thread-safe; reusable after {@link #clear()}.
 */
public final class WriteBatch {
  /** One write of a batch. */
  public record Entry(byte[] key, Cell cell) {}

  private final List<Entry> entries = new ArrayList<>();
  private long approximateBytes;

  /** Adds a put of {@code cell} (which may be a tombstone) under {@code key}. */
  public WriteBatch put(byte[] key, Cell cell) {
    if (key == null || cell == null) {
      throw new IllegalArgumentException("key and cell must not be null");
    }
    entries.add(new Entry(key, cell));
    approximateBytes +=
        key.length + (cell.value() == null ? 0 : cell.value().length) + cell.version().length + 24;
    return this;
  }

  /** Adds a tombstone for {@code key} written at {@code timestamp}. */
  public WriteBatch delete(byte[] key, long timestamp) {
    return put(key, Cell.tombstone(timestamp));
  }

  public List<Entry> entries() {
    return Collections.unmodifiableList(entries);
  }

  public int size() {
    return entries.size();
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Roughly the bytes the batch adds to the log; for accounting, not for limits. */
  public long approximateBytes() {
    return approximateBytes;
  }

  public void clear() {
    entries.clear();
    approximateBytes = 0;
  }
}
