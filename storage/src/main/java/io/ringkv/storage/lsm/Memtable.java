package io.ringkv.storage.lsm;

import io.ringkv.storage.format.InternalIterator;
import io.ringkv.storage.format.InternalKey;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory, sorted write buffer of the LSM tree: every version written since the last switch,
 * keyed by internal key (user key ascending, sequence descending), valued by the encoded cell.
 *
 * <p>Why a skip list: writers insert while readers and the flusher iterate, and a concurrent skip
 * list gives ordered iteration without locking readers out (LevelDB and RocksDB use skip lists for
 * the same reason). Versions are never replaced, only added, so a reader at a snapshot sequence
 * simply skips entries newer than its snapshot.
 *
 * <p>Size is approximate (bytes of keys and values plus a per-entry overhead) and decides when the
 * memtable is switched out. Thread-safe: many concurrent readers, writers serialised by the engine.
 * Once switched to immutable, nothing more is added.
 */
final class Memtable {
  /** Roughly what a skip-list node with its two arrays costs beyond their bytes. */
  static final int ENTRY_OVERHEAD_BYTES = 64;

  private final ConcurrentSkipListMap<byte[], byte[]> entries =
      new ConcurrentSkipListMap<>(InternalKey::compare);
  private final AtomicLong approximateBytes = new AtomicLong();
  private final AtomicLong entryCount = new AtomicLong(); // the skip list's size() is O(n)
  private final long logNumber;

  /**
   * @param logNumber the WAL segment that holds this memtable's writes: once the memtable is
   *     flushed to a table, that segment is no longer needed
   */
  Memtable(long logNumber) {
    this.logNumber = logNumber;
  }

  long logNumber() {
    return logNumber;
  }

  /** Adds one version; the internal key must be new (sequences are unique). */
  void add(byte[] internalKey, byte[] encodedCell) {
    byte[] previous = entries.put(internalKey, encodedCell);
    assert previous == null : "sequence number reused";
    approximateBytes.addAndGet(internalKey.length + encodedCell.length + ENTRY_OVERHEAD_BYTES);
    entryCount.incrementAndGet();
  }

  /**
   * The newest version of {@code userKey} with sequence <= {@code snapshotSequence}: its encoded
   * cell (tombstones included), or null.
   */
  byte[] get(byte[] userKey, long snapshotSequence) {
    Map.Entry<byte[], byte[]> entry =
        entries.ceilingEntry(InternalKey.seekKey(userKey, snapshotSequence));
    if (entry == null || InternalKey.compareUserKey(entry.getKey(), userKey) != 0) {
      return null;
    }
    return entry.getValue();
  }

  long approximateBytes() {
    return approximateBytes.get();
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  long entryCount() {
    return entryCount.get();
  }

  InternalIterator iterator() {
    return new MemtableIterator(entries);
  }

  /** Iterates a live view: entries added later may or may not be seen; snapshots filter them. */
  private static final class MemtableIterator implements InternalIterator {
    private final ConcurrentNavigableMap<byte[], byte[]> entries;
    private Iterator<Map.Entry<byte[], byte[]>> cursor;
    private Map.Entry<byte[], byte[]> current;

    MemtableIterator(ConcurrentNavigableMap<byte[], byte[]> entries) {
      this.entries = entries;
    }

    @Override
    public boolean isValid() {
      return current != null;
    }

    @Override
    public void seekToFirst() {
      position(entries.entrySet().iterator());
    }

    @Override
    public void seek(byte[] internalKey) {
      position(entries.tailMap(internalKey, true).entrySet().iterator());
    }

    private void position(Iterator<Map.Entry<byte[], byte[]>> iterator) {
      cursor = iterator;
      current = cursor.hasNext() ? cursor.next() : null;
    }

    @Override
    public void next() {
      current = cursor.hasNext() ? cursor.next() : null;
    }

    @Override
    public byte[] key() {
      return current.getKey();
    }

    @Override
    public byte[] value() {
      return current.getValue();
    }

    @Override
    public void close() {
      current = null;
    }
  }
}
