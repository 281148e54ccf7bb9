package io.ringkv.storage.lsm;

import io.ringkv.storage.StorageException;
import io.ringkv.storage.fs.FileSystem;
import io.ringkv.storage.fs.ReadableFile;
import io.ringkv.storage.sstable.BlockCache;
import io.ringkv.storage.sstable.SstableReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Open table readers, at most {@code capacity} of them (each holds a file descriptor and its index
 * and bloom filter in memory). A reader in use is never closed under its user: handles are
 * reference-counted, and an evicted or deleted table's reader closes when its last user lets go.
 *
 * <p>Eviction is approximate LRU: the cache's tick counts the readers opened, each handle remembers
 * the tick at its last use, and when the cache is over capacity the handle used least recently (in
 * ticks) goes. The tick moves only when a reader opens, so a lookup reads it and writes the
 * handle's field only on the first use after an open: a point lookup costs one compare-and-set and
 * one decrement on the handle, not a shared increment and a fenced store (12% of the event loop's
 * samples in a pipelined GET profile, 2026-11-22). Thread-safe.
 */
final class TableCache implements AutoCloseable {
  /** A reader with a reference count; the cache itself holds one reference while it lists it. */
  static final class Handle {
    final SstableReader reader;
    private final AtomicInteger references = new AtomicInteger(1);
    private volatile long lastUse;

    Handle(SstableReader reader) {
      this.reader = reader;
    }

    boolean retain() {
      while (true) {
        int n = references.get();
        if (n == 0) {
          return false;
        }
        if (references.compareAndSet(n, n + 1)) {
          return true;
        }
      }
    }
  }

  private final FileSystem fs;
  private final Path dir;
  private final BlockCache blockCache;
  private final int capacity;
  private final ConcurrentHashMap<Long, Handle> open = new ConcurrentHashMap<>();
  private final AtomicLong tick = new AtomicLong();

  TableCache(FileSystem fs, Path dir, BlockCache blockCache, int capacity) {
    this.fs = fs;
    this.dir = dir;
    this.blockCache = blockCache;
    this.capacity = capacity;
  }

  /** A handle on table {@code number}'s reader, opening it if needed; release it when done. */
  Handle acquire(long number) throws StorageException {
    while (true) {
      Handle handle = open.get(number);
      if (handle == null) {
        handle = openHandle(number);
        handle.lastUse = tick.incrementAndGet();
        Handle raced = open.putIfAbsent(number, handle);
        if (raced != null) {
          close(handle);
          continue;
        }
        evictIfOver();
      }
      if (handle.retain()) {
        long now = tick.get();
        if (handle.lastUse != now) {
          handle.lastUse = now;
        }
        return handle;
      }
      // Evicted between get and retain: remove the stale entry if still there and try again.
      open.remove(number, handle);
    }
  }

  void release(Handle handle) {
    releaseHandle(handle);
  }

  /** Drops a reference to {@code handle}, closing its reader with the last one. */
  static void releaseHandle(Handle handle) {
    if (handle.references.decrementAndGet() == 0) {
      close(handle);
    }
  }

  /**
   * Whether a version may pin one more handle for the rest of its life ({@link Version#pin}): while
   * the cache is under its capacity, a pinned handle is one the cache holds anyway, so pinning adds
   * no open reader unless the handle is later evicted while its version lives.
   */
  boolean roomToPin() {
    return open.size() < capacity;
  }

  /** Forgets table {@code number} (it was deleted); its reader closes once idle. */
  void evict(long number) {
    Handle handle = open.remove(number);
    if (handle != null) {
      release(handle);
    }
    blockCache.evictFile(number);
  }

  int openCount() {
    return open.size();
  }

  private Handle openHandle(long number) throws StorageException {
    Path path = FileNames.table(dir, number);
    ReadableFile file;
    try {
      file = fs.openRead(path);
    } catch (IOException e) {
      throw new StorageException("cannot open table " + path + ": " + e, e);
    }
    try {
      return new Handle(SstableReader.open(number, path, file, blockCache));
    } catch (StorageException | RuntimeException e) {
      try {
        file.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private void evictIfOver() {
    while (open.size() > capacity) {
      Map.Entry<Long, Handle> oldest = null;
      for (Iterator<Map.Entry<Long, Handle>> it = open.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Long, Handle> entry = it.next();
        if (oldest == null || entry.getValue().lastUse < oldest.getValue().lastUse) {
          oldest = entry;
        }
      }
      if (oldest == null || !open.remove(oldest.getKey(), oldest.getValue())) {
        return;
      }
      release(oldest.getValue());
    }
  }

  private static void close(Handle handle) {
    handle.reader.close();
  }

  @Override
  public void close() {
    for (Long number : open.keySet()) {
      Handle handle = open.remove(number);
      if (handle != null) {
        release(handle);
      }
    }
  }
}
