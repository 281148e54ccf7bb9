package io.ringkv.storage.lsm;

import io.ringkv.storage.format.InternalIterator;
import io.ringkv.storage.format.InternalKey;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory, sorted write buffer of the LSM tree: every version written since the last switch,
 * keyed by internal key (user key ascending, sequence descending), valued by the encoded cell.
 *
 * <p>Why a skip list: writers insert while readers and the flusher iterate, and a skip list gives
 * ordered iteration without locking readers out (LevelDB and RocksDB use skip lists for the same
 * reason). Versions are never replaced, only added, so a reader at a snapshot sequence simply skips
 * entries newer than its snapshot.
 *
 * <p>Why our own skip list rather than {@link java.util.concurrent.ConcurrentSkipListMap}:
 * inserting into a memtable of a few hundred thousand entries is bound by cache misses, not by
 * comparisons (the JDK map's insert was ~40% of a RESP SET benchmark's samples, mostly stalled on
 * memory). The JDK map reaches a key through an index object, a node object and the key object.
 * Here the node is the key ({@link MemtableKey}: the user key's first 16 bytes as two longs, the
 * trailer, and its tower of next pointers, allocated right after it), so a step costs about one
 * miss.
 *
 * <p>Why buckets: even at one miss a step, a skip list over n random keys takes ~3 log4(n) cold
 * steps per insert. The node stores keys under a hash token prefix, so keys are spread evenly over
 * their first bytes; the memtable is cut into 2^b buckets by the top b bits of a key's first 8
 * bytes, each its own small skip list (about {@link #ENTRIES_PER_BUCKET} entries when full), which
 * leaves a hash-table-like lookup of the bucket plus a few steps. Cutting by the leading bits keeps
 * the order: every key of bucket i sorts before every key of bucket i + 1, so iteration walks the
 * buckets in turn (a bitmap skips empty ones). Keys that share their leading bytes fall in one
 * bucket, which is then the plain skip list: never worse than one list.
 *
 * <p>Concurrency (LevelDB's skip list): writers are serialised by the engine (the writer queue's
 * leader, WAL replay) and hand over through its mutex, so the writer-only state ({@link #splice},
 * {@link #randomState}, sentinel heights) needs no synchronisation. A new node's tower is filled
 * before the node is published by a release store into its predecessors, level 0 first; a new
 * bucket's sentinel is published before its bit. Readers follow links with acquire loads, so a
 * reader sees a node only whole. A bucket's height may be read stale: a reader that starts lower
 * only takes more steps.
 *
 * <p>Why {@link MemtableKey} carries 16 head bytes: the skip list compares keys on every step of
 * every insert and lookup. Most comparisons (keys share long prefixes such as {@code user:0000...},
 * or differ in their token prefix) are one or two long comparisons on the node without touching the
 * user key's array. Iterators encode the internal key lazily, once per position, for flushes and
 * scans.
 *
 * <p>Why a hash index beside the skip list: a point lookup would otherwise walk the skip list (a
 * cache miss per level) in every memtable it consults, hit or miss. The index maps each user key to
 * its newest version here, so a lookup at a snapshot that sees that version (the usual case) costs
 * one hash probe; one that does not (a write racing the lookup) falls back to the skip list. An
 * entry is added to the skip list and the index before its sequence becomes visible, so a key
 * absent from the index has no visible version here. The index is sized up front for the entries a
 * full memtable holds, so it does not rehash on the write path.
 *
 * <p>Size is approximate (bytes of keys and values plus a per-entry overhead) and decides when the
 * memtable is switched out. Thread-safe: many concurrent readers, writers serialised by the engine.
 * Once switched to immutable, nothing more is added.
 */
final class Memtable {
  /**
   * Roughly what a node, its tower and its hash-index node cost beyond the key and value arrays.
   */
  static final int ENTRY_OVERHEAD_BYTES = 112;

  /**
   * The tallest tower. With a branching factor of 4 this serves 4^12 (16 million) entries well,
   * more than a memtable of the largest allowed size holds.
   */
  static final int HEIGHT_MAX = 12;

  /** The entries a memtable expects when the caller does not say. */
  static final int EXPECTED_ENTRIES_DEFAULT = 16;

  /** Entries the hash index is sized for up front at most, whatever the memtable's size. */
  static final int EXPECTED_ENTRIES_MAX = 1 << 22;

  private static final VarHandle TOWER = MethodHandles.arrayElementVarHandle(MemtableKey[].class);

  /**
   * Entries per bucket a full memtable should have: few enough that a bucket is a short list after
   * its sentinel (4 measured ~17% fewer insert samples than 16). The sentinels then take up to ~12%
   * of a 64 MiB memtable, counted in its size.
   */
  static final int ENTRIES_PER_BUCKET = 4;

  /** The most buckets a memtable has. */
  static final int BUCKETS_MAX = 1 << 16;

  /** Roughly what a bucket's sentinel and its full-height tower cost. */
  static final int SENTINEL_BYTES = 120;

  private static final byte[] SENTINEL_KEY = new byte[0];

  private static final VarHandle BUCKET_HEADS =
      MethodHandles.arrayElementVarHandle(MemtableKey[].class);
  private static final VarHandle OCCUPIED = MethodHandles.arrayElementVarHandle(long[].class);

  /** How many high bits of a key's first 8 bytes choose its bucket; 0 for a single bucket. */
  private final int bucketBits;

  /** Each bucket's sentinel (before its first node; its key is never compared), or null. */
  private final MemtableKey[] bucketHeads;

  /** One bit per bucket that has a sentinel, so iterators skip empty buckets 64 at a time. */
  private final long[] occupied;

  // Writer-only state; see the class comment.
  private final MemtableKey[] splice = new MemtableKey[HEIGHT_MAX];
  private long randomState;

  // User key (MemtableKey equality ignores the trailer) -> its newest version here.
  private final MemtableIndex newestByUserKey;
  private final AtomicLong approximateBytes = new AtomicLong();
  private final AtomicLong entryCount = new AtomicLong();
  private final long logNumber;

  /**
   * @param logNumber the WAL segment that holds this memtable's writes: once the memtable is
   *     flushed to a table, that segment is no longer needed
   */
  Memtable(long logNumber) {
    this(logNumber, EXPECTED_ENTRIES_DEFAULT);
  }

  /**
   * @param expectedEntries how many entries a full memtable holds, for sizing the hash index
   *     (bounded by {@link #EXPECTED_ENTRIES_MAX})
   */
  Memtable(long logNumber, long expectedEntries) {
    this.logNumber = logNumber;
    this.newestByUserKey = new MemtableIndex(Math.min(expectedEntries, EXPECTED_ENTRIES_MAX));
    // Deterministic per memtable; the heights only need to be independent of the keys.
    // Never zero, which xorshift would keep.
    this.randomState = (0x9E3779B97F4A7C15L ^ logNumber) | 1;
    long wantedBuckets = Math.max(1, expectedEntries / ENTRIES_PER_BUCKET);
    int buckets = (int) Math.min(BUCKETS_MAX, Long.highestOneBit(wantedBuckets));
    this.bucketBits = Integer.numberOfTrailingZeros(buckets);
    this.bucketHeads = new MemtableKey[buckets];
    this.occupied = new long[(buckets + 63) / 64];
  }

  /** The entries a memtable of {@code memtableBytes} holds at most, for small values. */
  static long expectedEntries(long memtableBytes) {
    return memtableBytes / (ENTRY_OVERHEAD_BYTES + 64);
  }

  long logNumber() {
    return logNumber;
  }

  /**
   * Adds one version of {@code userKey} (copied); {@code sequence} must be new (sequences are
   * unique) and at most {@link InternalKey#SEQUENCE_MAX}. Writers must be serialised.
   */
  void add(byte[] userKey, long sequence, int kind, byte[] encodedCell) {
    if (sequence < 0 || sequence > InternalKey.SEQUENCE_MAX) {
      throw new IllegalArgumentException("sequence out of range: " + sequence);
    }
    int nodeHeight = randomHeight();
    MemtableKey node =
        new MemtableKey(userKey.clone(), (sequence << 8) | (kind & 0xFF), encodedCell, nodeHeight);
    int bucket = bucketOf(node);
    MemtableKey sentinel = bucketHeads[bucket];
    if (sentinel == null) {
      sentinel = new MemtableKey(SENTINEL_KEY, 0, null, HEIGHT_MAX);
      sentinel.sentinelHeight = 1;
      BUCKET_HEADS.setRelease(bucketHeads, bucket, sentinel);
      int word = bucket >>> 6;
      OCCUPIED.setRelease(occupied, word, occupied[word] | (1L << bucket));
      approximateBytes.setRelease(approximateBytes.getPlain() + SENTINEL_BYTES);
    }
    MemtableKey successor = findGreaterOrEqual(sentinel, node, splice);
    assert successor == null || MemtableKey.compare(successor, node) != 0
        : "sequence number reused";
    int currentHeight = sentinel.sentinelHeight;
    if (nodeHeight > currentHeight) {
      for (int level = currentHeight; level < nodeHeight; level++) {
        splice[level] = sentinel;
      }
      sentinel.sentinelHeight = nodeHeight;
    }
    for (int level = 0; level < nodeHeight; level++) {
      MemtableKey[] previous = splice[level].tower;
      node.tower[level] = (MemtableKey) TOWER.getAcquire(previous, level);
      TOWER.setRelease(previous, level, node);
    }
    // Writers are serialised, so the index's entry only moves forward; merge keeps the newer one
    // all the same (WAL replay of several segments).
    newestByUserKey.put(node);
    // One writer at a time: a plain read and a release store, no read-modify-write instruction.
    approximateBytes.setRelease(
        approximateBytes.getPlain()
            + userKey.length
            + InternalKey.TRAILER_BYTES
            + encodedCell.length
            + ENTRY_OVERHEAD_BYTES);
    entryCount.setRelease(entryCount.getPlain() + 1);
  }

  /** A height from 1 to {@link #HEIGHT_MAX}, each level kept with probability 1/4. */
  private int randomHeight() {
    long x = randomState; // xorshift64*
    x ^= x >>> 12;
    x ^= x << 25;
    x ^= x >>> 27;
    randomState = x;
    long bits = x * 0x2545F4914F6CDD1DL;
    int nodeHeight = 1;
    while (nodeHeight < HEIGHT_MAX && (bits & 3) == 0) {
      nodeHeight++;
      bits >>>= 2;
    }
    return nodeHeight;
  }

  /** The bucket of a key: the top {@link #bucketBits} bits of its first 8 bytes. */
  private int bucketOf(MemtableKey key) {
    return bucketBits == 0 ? 0 : (int) (key.head0 >>> (64 - bucketBits));
  }

  /**
   * The first node at or after {@code key} in the bucket that {@code sentinel} heads, or null;
   * fills {@code previous} (if not null) with the last node before {@code key} at each level.
   */
  private static MemtableKey findGreaterOrEqual(
      MemtableKey sentinel, MemtableKey key, MemtableKey[] previous) {
    MemtableKey node = sentinel;
    // A stale (lower) height only costs a reader more steps.
    int level = sentinel.sentinelHeight - 1;
    while (true) {
      MemtableKey next = (MemtableKey) TOWER.getAcquire(node.tower, level);
      if (next != null && MemtableKey.compare(next, key) < 0) {
        node = next;
      } else {
        if (previous != null) {
          previous[level] = node;
        }
        if (level == 0) {
          return next;
        }
        level--;
      }
    }
  }

  /** The first node at or after {@code key} in the whole memtable, or null. */
  private MemtableKey seek(MemtableKey key) {
    int bucket = bucketOf(key);
    MemtableKey sentinel = (MemtableKey) BUCKET_HEADS.getAcquire(bucketHeads, bucket);
    if (sentinel != null) {
      MemtableKey found = findGreaterOrEqual(sentinel, key, null);
      if (found != null) {
        return found;
      }
    }
    return firstFrom(bucket + 1);
  }

  /** The first node of the first non-empty bucket from {@code bucket} on, or null. */
  private MemtableKey firstFrom(int bucket) {
    int buckets = bucketHeads.length;
    while (bucket < buckets) {
      int word = bucket >>> 6;
      long bits = (long) OCCUPIED.getAcquire(occupied, word) & (-1L << bucket);
      if (bits == 0) {
        bucket = (word + 1) << 6;
        continue;
      }
      bucket = (word << 6) + Long.numberOfTrailingZeros(bits);
      MemtableKey sentinel = (MemtableKey) BUCKET_HEADS.getAcquire(bucketHeads, bucket);
      MemtableKey first =
          sentinel == null ? null : (MemtableKey) TOWER.getAcquire(sentinel.tower, 0);
      if (first != null) {
        return first;
      }
      bucket++; // a sentinel whose first node is still being linked
    }
    return null;
  }

  /** The node after {@code node}, crossing into later buckets. */
  private MemtableKey after(MemtableKey node) {
    MemtableKey next = (MemtableKey) TOWER.getAcquire(node.tower, 0);
    return next != null ? next : firstFrom(bucketOf(node) + 1);
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
    // Every version of a user key lives in the bucket of its first bytes.
    MemtableKey sentinel = (MemtableKey) BUCKET_HEADS.getAcquire(bucketHeads, bucketOf(seek));
    MemtableKey found = sentinel == null ? null : findGreaterOrEqual(sentinel, seek, null);
    if (found == null || !Arrays.equals(found.userKey, userKey)) {
      return null;
    }
    return found.encodedCell;
  }

  long approximateBytes() {
    return approximateBytes.get();
  }

  boolean isEmpty() {
    return firstFrom(0) == null;
  }

  long entryCount() {
    return entryCount.get();
  }

  InternalIterator iterator() {
    return new MemtableIterator(this);
  }

  /**
   * One version's key in the skip list, and its node: the user key, the trailer {@code (sequence <<
   * 8) | kind}, the user key's first 16 bytes as two big-endian longs (zero-padded), which decide
   * most comparisons, and the node's tower of next pointers (none in seek keys). Orders exactly as
   * {@link InternalKey#compare(byte[], byte[])} orders the encoded internal keys. Equality and hash
   * code are the user key's alone (for the memtable's hash index), unlike the order, which also
   * compares trailers. Immutable.
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
    final MemtableKey[] tower; // next node per level; null in seek keys

    /** In a bucket's sentinel only: the bucket's height. Written by the one writer, read racily. */
    int sentinelHeight;

    MemtableKey(byte[] userKey, long trailer, byte[] encodedCell) {
      this(userKey, trailer, encodedCell, 0);
    }

    MemtableKey(byte[] userKey, long trailer, byte[] encodedCell, int height) {
      this.userKey = userKey;
      this.trailer = trailer;
      this.encodedCell = encodedCell;
      this.head0 = headLong(userKey, 0);
      this.head1 = headLong(userKey, 8);
      this.hash = Arrays.hashCode(userKey);
      // Allocated last, so that it usually sits right after this object in memory.
      this.tower = height == 0 ? null : new MemtableKey[height];
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
    private final Memtable memtable;
    private MemtableKey current;
    private byte[] currentInternalKey; // encoded on first key() at this position

    MemtableIterator(Memtable memtable) {
      this.memtable = memtable;
    }

    @Override
    public boolean isValid() {
      return current != null;
    }

    @Override
    public void seekToFirst() {
      current = memtable.firstFrom(0);
      currentInternalKey = null;
    }

    @Override
    public void seek(byte[] internalKey) {
      current = memtable.seek(MemtableKey.ofInternalKey(internalKey));
      currentInternalKey = null;
    }

    @Override
    public void next() {
      current = memtable.after(current);
      currentInternalKey = null;
    }

    @Override
    public byte[] key() {
      if (currentInternalKey == null) {
        currentInternalKey = current.internalKey();
      }
      return currentInternalKey;
    }

    @Override
    public byte[] value() {
      return current.encodedCell;
    }

    @Override
    public void close() {
      current = null;
      currentInternalKey = null;
    }
  }
}
