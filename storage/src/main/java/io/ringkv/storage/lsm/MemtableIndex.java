package io.ringkv.storage.lsm;

import io.ringkv.storage.lsm.Memtable.MemtableKey;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A memtable's hash index from user key to its newest version ({@link MemtableKey}, which is also
 * the skip-list node): open addressing with linear probing over one array of nodes.
 *
 * <p>Why not {@link java.util.concurrent.ConcurrentHashMap}: with one writer the map's per-entry
 * node, its bin lock or CAS and its size counter are pure cost, and its merge was as expensive as
 * the whole skip-list insert in a RESP SET benchmark (a cache miss for the table, one for the node,
 * one for the key). Here an insert is a probe of one array and a release store.
 *
 * <p>Invariants: the table is a power of two and at most half full, so a probe ends at an empty
 * slot; a slot, once filled, only ever holds versions of the same user key, each newer than the
 * last. Nothing is removed.
 *
 * <p>Concurrency: one writer at a time (the memtable's), many readers without locks. A slot is
 * published with a release store and read with an acquire load, so a reader sees a node whole. On
 * growth the writer fills a new table and then publishes it (a volatile store); a reader still
 * probing the old one sees every version written before it began, which is all it may need (a
 * version written later is not visible to its snapshot).
 */
final class MemtableIndex {
  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(MemtableKey[].class);

  /** The largest table: 2^30 slots. */
  static final int SLOTS_MAX = 1 << 30;

  private volatile MemtableKey[] slots;
  private int size; // writer only

  /** An index that holds {@code expectedKeys} keys before it first grows. */
  MemtableIndex(long expectedKeys) {
    long wanted = Math.max(16, Math.min(SLOTS_MAX, expectedKeys * 2));
    this.slots = new MemtableKey[(int) Long.highestOneBit(wanted - 1) << 1];
  }

  /** Makes {@code node} the newest version of its user key unless a newer one is indexed. */
  void put(MemtableKey node) {
    MemtableKey[] table = slots;
    if ((size + 1) * 2L > table.length) {
      table = grow(table);
    }
    int mask = table.length - 1;
    for (int index = spread(node.hashCode()) & mask; ; index = (index + 1) & mask) {
      MemtableKey present = table[index];
      if (present == null) {
        SLOTS.setRelease(table, index, node);
        size++;
        return;
      }
      if (present.equals(node)) {
        if (node.trailer > present.trailer) {
          SLOTS.setRelease(table, index, node);
        }
        return;
      }
    }
  }

  /** The newest indexed version of {@code key}'s user key, or null. */
  MemtableKey get(MemtableKey key) {
    MemtableKey[] table = slots;
    int mask = table.length - 1;
    for (int index = spread(key.hashCode()) & mask; ; index = (index + 1) & mask) {
      MemtableKey present = (MemtableKey) SLOTS.getAcquire(table, index);
      if (present == null) {
        return null;
      }
      if (present.equals(key)) {
        return present;
      }
    }
  }

  private MemtableKey[] grow(MemtableKey[] table) {
    if (table.length >= SLOTS_MAX) {
      throw new IllegalStateException("memtable index is full: " + size + " keys");
    }
    MemtableKey[] grown = new MemtableKey[table.length * 2];
    int mask = grown.length - 1;
    for (MemtableKey node : table) {
      if (node != null) {
        int index = spread(node.hashCode()) & mask;
        while (grown[index] != null) {
          index = (index + 1) & mask;
        }
        grown[index] = node;
      }
    }
    slots = grown; // volatile: publishes the filled table
    return grown;
  }

  /** Spreads a hash code over the high bits too, so that similar keys do not cluster. */
  private static int spread(int hash) {
    int mixed = hash * 0x9E3779B9;
    return mixed ^ (mixed >>> 16);
  }
}
