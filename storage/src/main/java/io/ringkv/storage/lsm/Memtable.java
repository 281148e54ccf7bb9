package io.ringkv.storage.lsm;

import io.ringkv.storage.format.InternalIterator;
import io.ringkv.storage.format.InternalKey;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>Why {@link MemtableKey} rather than encoded internal keys: the skip list compares keys on
 * every step of every insert and lookup, and that comparison was the engine's hottest code. A
 * memtable key carries the user key's first 16 bytes as two big-endian longs and the trailer as a
 * long, so most comparisons (keys share long prefixes such as {@code user:0000...}) are two or
 * three long comparisons on the node's key object without touching the user key's array. Iterators
 * encode the internal key lazily, once per position, for flushes and scans.
 *
 * <p>Why a hash index beside the skip list: a point lookup would otherwise walk the skip list (a
 * cache miss per level) in every memtable it consults, hit or miss. The index maps each user key to
 * its newest version here, so a lookup at a snapshot that sees that version (the usual case) costs
 * one hash probe; one that does not (a write racing the lookup) falls back to the skip list. An
 * entry is added to the skip list and the index before its sequence becomes visible, so a key
 * absent from the index has no visible version here.
 *
 * <p>Size is approximate (bytes of keys and values plus a per-entry overhead) and decides when the
 * memtable is switched out. Thread-safe: many concurrent readers, writers serialised by the engine.
 * Once switched to immutable, nothing more is added.
 */
final class Memtable {
  /** Roughly what a skip-list node, its key object and its hash-index node cost beyond arrays. */
  static final int ENTRY_OVERHEAD_BYTES = 112;

  private final ConcurrentSkipListMap<MemtableKey, byte[]> entries =
      new ConcurrentSkipListMap<>(MemtableKey::compare);
  // User key (MemtableKey equality ignores the trailer) -> its newest version here.
  private final ConcurrentHashMap<MemtableKey, MemtableKey> newestByUserKey =
      new ConcurrentHashMap<>();
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

  /**
   * Adds one version of {@code userKey} (copied); {@code sequence} must be new (sequences are
   * unique) and at most {@link InternalKey#SEQUENCE_MAX}.
   */
  void add(byte[] userKey, long sequence, int kind, byte[] encodedCell) {
    if (sequence < 0 || sequence > InternalKey.SEQUENCE_MAX) {
      throw new IllegalArgumentException("sequence out of range: " + sequence);
    }
    MemtableKey key =
        new MemtableKey(userKey.clone(), (sequence << 8) | (kind & 0xFF), encodedCell);
    byte[] previous = entries.put(key, encodedCell);
    assert previous == null : "sequence number reused";
    // Writers are serialised, so the index's entry only moves forward; merge keeps the newer one
    // all the same (WAL replay of several segments).
    newestByUserKey.merge(key, key, (old, added) -> added.trailer > old.trailer ? added : old);
    approximateBytes.addAndGet(
        userKey.length + InternalKey.TRAILER_BYTES + encodedCell.length + ENTRY_OVERHEAD_BYTES);
    entryCount.incrementAndGet();
  }

  /**
   * The newest version of {@code userKey} with sequence <= {@code snapshotSequence}: its encoded
   * cell (tombstones included), or null.
   */
  byte[] get(byte[] userKey, long snapshotSequence) {
    MemtableKey seek =
        new MemtableKey(userKey, (snapshotSequence << 8) | InternalKey.KIND_SEEK, null);
    MemtableKey newest = newestByUserKey.get(seek);
    if (newest == null) {
      return null;
    }
    if ((newest.trailer >>> 8) <= snapshotSequence) {
      return newest.encodedCell;
    }
    Map.Entry<MemtableKey, byte[]> entry = entries.ceilingEntry(seek);
    if (entry == null || !Arrays.equals(entry.getKey().userKey, userKey)) {
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

  /**
   * One version's key in the skip list: the user key, the trailer {@code (sequence << 8) | kind},
   * and the user key's first 16 bytes as two big-endian longs (zero-padded), which decide most
   * comparisons. Orders exactly as {@link InternalKey#compare(byte[], byte[])} orders the encoded
   * internal keys. Equality and hash code are the user key's alone (for the memtable's hash index),
   * unlike the order, which also compares trailers. Immutable.
   */
  static final class MemtableKey {
    private static final VarHandle BIG_ENDIAN_LONG =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final int HEAD_BYTES = 16;

    final byte[] userKey;
    final long trailer;
    final byte[] encodedCell; // null in seek keys
    private final long head0;
    private final long head1;
    private final int hash;

    MemtableKey(byte[] userKey, long trailer, byte[] encodedCell) {
      this.userKey = userKey;
      this.trailer = trailer;
      this.encodedCell = encodedCell;
      this.head0 = headLong(userKey, 0);
      this.head1 = headLong(userKey, 8);
      this.hash = Arrays.hashCode(userKey);
    }

    /** The memtable key of an encoded internal key, for seeks. */
    static MemtableKey ofInternalKey(byte[] internalKey) {
      return new MemtableKey(
          InternalKey.userKey(internalKey), InternalKey.trailer(internalKey), null);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof MemtableKey key
          && hash == key.hash
          && head0 == key.head0
          && head1 == key.head1
          && Arrays.equals(userKey, key.userKey);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    /** The 8 bytes of {@code bytes} from {@code offset}, big-endian, zero past the end. */
    private static long headLong(byte[] bytes, int offset) {
      if (bytes.length >= offset + 8) {
        return (long) BIG_ENDIAN_LONG.get(bytes, offset);
      }
      long value = 0;
      for (int i = offset; i < offset + 8; i++) {
        value = (value << 8) | (i < bytes.length ? bytes[i] & 0xFF : 0);
      }
      return value;
    }

    /** User key ascending (unsigned), then trailer descending. */
    static int compare(MemtableKey a, MemtableKey b) {
      if (a.head0 != b.head0) {
        return Long.compareUnsigned(a.head0, b.head0);
      }
      if (a.head1 != b.head1) {
        return Long.compareUnsigned(a.head1, b.head1);
      }
      // The first 16 bytes agree (zero padding included): what follows decides, then length.
      int aLength = a.userKey.length;
      int bLength = b.userKey.length;
      int c;
      if (aLength <= HEAD_BYTES && bLength <= HEAD_BYTES) {
        c = Integer.compare(aLength, bLength);
      } else {
        c =
            Arrays.compareUnsigned(
                a.userKey,
                Math.min(HEAD_BYTES, aLength),
                aLength,
                b.userKey,
                Math.min(HEAD_BYTES, bLength),
                bLength);
      }
      if (c != 0) {
        return c;
      }
      return Long.compareUnsigned(b.trailer, a.trailer);
    }

    /** The encoded internal key. */
    byte[] internalKey() {
      byte[] out = Arrays.copyOf(userKey, userKey.length + InternalKey.TRAILER_BYTES);
      BIG_ENDIAN_LONG.set(out, userKey.length, trailer);
      return out;
    }
  }

  /** Iterates a live view: entries added later may or may not be seen; snapshots filter them. */
  private static final class MemtableIterator implements InternalIterator {
    private final ConcurrentNavigableMap<MemtableKey, byte[]> entries;
    private Iterator<Map.Entry<MemtableKey, byte[]>> cursor;
    private Map.Entry<MemtableKey, byte[]> current;
    private byte[] currentInternalKey; // encoded on first key() at this position

    MemtableIterator(ConcurrentNavigableMap<MemtableKey, byte[]> entries) {
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
      position(entries.tailMap(MemtableKey.ofInternalKey(internalKey), true).entrySet().iterator());
    }

    private void position(Iterator<Map.Entry<MemtableKey, byte[]>> iterator) {
      cursor = iterator;
      next();
    }

    @Override
    public void next() {
      current = cursor.hasNext() ? cursor.next() : null;
      currentInternalKey = null;
    }

    @Override
    public byte[] key() {
      if (currentInternalKey == null) {
        currentInternalKey = current.getKey().internalKey();
      }
      return currentInternalKey;
    }

    @Override
    public byte[] value() {
      return current.getValue();
    }

    @Override
    public void close() {
      current = null;
      currentInternalKey = null;
    }
  }
}
