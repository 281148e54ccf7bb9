package io.ringkv.storage.lsm;

import io.ringkv.storage.format.InternalKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * An immutable set of live tables per level: what a read or an iterator sees, pinned by a reference
 * count so that compaction never deletes a file someone still reads (LevelDB's Version).
 *
 * <p>Invariants: level 0 is ordered newest first (by largest sequence, then number), and its tables
 * may overlap; every deeper level is ordered by key and its tables do not overlap. Thread-safe: the
 * levels never change; {@link #retain}/{@link #release} are atomic.
 *
 * <p>A version also pins the table readers its point lookups used ({@link #pin}): one reference per
 * table taken on the first lookup and dropped with the version's last reference ({@link
 * #releasePins}), so that a lookup under a version it holds reads the table without taking and
 * dropping a reference of its own (two atomic read-modify-writes per table per GET, about a third
 * of an in-process lookup's samples, 2026-11-22). This is RocksDB's table reader kept in the file
 * metadata. A pin may only be taken while holding a reference to the version, so every pin
 * happens-before the last release, and {@link #releasePins} sees them all.
 */
final class Version {
  private final List<List<FileMeta>> levels;
  private final AtomicInteger references = new AtomicInteger(1);

  /** Index in {@link #pinned} of each level's first table. */
  private final int[] levelOffsets;

  /** Table readers pinned by lookups, by flat table index (level offset plus index); null slots. */
  private final AtomicReferenceArray<TableCache.Handle> pinned;

  Version(List<List<FileMeta>> levels) {
    List<List<FileMeta>> copy = new ArrayList<>(levels.size());
    for (List<FileMeta> files : levels) {
      copy.add(List.copyOf(files));
    }
    this.levels = List.copyOf(copy);
    this.levelOffsets = new int[this.levels.size()];
    int tables = 0;
    for (int level = 0; level < this.levels.size(); level++) {
      levelOffsets[level] = tables;
      tables += this.levels.get(level).size();
    }
    this.pinned = new AtomicReferenceArray<>(tables);
  }

  static Version empty(int levelsMax) {
    List<List<FileMeta>> levels = new ArrayList<>();
    for (int i = 0; i < levelsMax; i++) {
      levels.add(List.of());
    }
    return new Version(levels);
  }

  int levelCount() {
    return levels.size();
  }

  List<FileMeta> files(int level) {
    return levels.get(level);
  }

  long levelBytes(int level) {
    long bytes = 0;
    for (FileMeta file : levels.get(level)) {
      bytes += file.fileBytes();
    }
    return bytes;
  }

  /** Takes a reference; false if the version was already released for good. */
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

  /** Drops a reference; true if it was the last one. */
  boolean release() {
    int n = references.decrementAndGet();
    assert n >= 0 : "version released more often than retained";
    return n == 0;
  }

  /** The reader pinned for table {@code index} of {@code level}, or null if none is yet. */
  TableCache.Handle pinned(int level, int index) {
    return pinned.get(levelOffsets[level] + index);
  }

  /**
   * Pins {@code handle} (a reference the caller took and hands over) as the reader of table {@code
   * index} of {@code level}; the caller must hold a reference to this version. Returns the pinned
   * handle: {@code handle}, or the one another thread pinned first (then {@code handle} is the
   * caller's to release).
   */
  TableCache.Handle pin(int level, int index, TableCache.Handle handle) {
    int slot = levelOffsets[level] + index;
    if (pinned.compareAndSet(slot, null, handle)) {
      return handle;
    }
    return pinned.get(slot);
  }

  /** Hands every pinned reader to {@code release}; called once, after the last {@link #release}. */
  void releasePins(Consumer<TableCache.Handle> release) {
    for (int slot = 0; slot < pinned.length(); slot++) {
      TableCache.Handle handle = pinned.getAndSet(slot, null);
      if (handle != null) {
        release.accept(handle);
      }
    }
  }

  /** The version that results from applying {@code edit}. Checks the level invariants. */
  Version apply(VersionEdit edit) {
    List<List<FileMeta>> next = new ArrayList<>(levels.size());
    for (List<FileMeta> files : levels) {
      next.add(new ArrayList<>(files));
    }
    for (VersionEdit.Deleted deleted : edit.deleted) {
      boolean removed = next.get(deleted.level()).removeIf(f -> f.number() == deleted.number());
      if (!removed) {
        throw new IllegalStateException(
            "version edit deletes table #" + deleted.number() + " not in level " + deleted.level());
      }
    }
    for (VersionEdit.Added added : edit.added) {
      next.get(added.level()).add(added.file());
    }
    next.get(0)
        .sort(
            Comparator.comparingLong(FileMeta::largestSequence)
                .thenComparingLong(FileMeta::number)
                .reversed());
    for (int level = 1; level < next.size(); level++) {
      List<FileMeta> files = next.get(level);
      files.sort((a, b) -> InternalKey.compare(a.smallestKey(), b.smallestKey()));
      for (int i = 1; i < files.size(); i++) {
        if (InternalKey.compare(files.get(i - 1).largestKey(), files.get(i).smallestKey()) >= 0) {
          throw new IllegalStateException(
              "tables overlap in level "
                  + level
                  + ": "
                  + files.get(i - 1)
                  + " and "
                  + files.get(i));
        }
      }
    }
    return new Version(next);
  }

  /**
   * Index of the first table in sorted {@code level} (>= 1) whose largest key is >= {@code
   * internalKey}, or the level's size if none.
   */
  int findFile(int level, byte[] internalKey) {
    List<FileMeta> files = levels.get(level);
    int lo = 0;
    int hi = files.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (InternalKey.compare(files.get(mid).largestKey(), internalKey) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Tables of {@code level} whose user-key range meets [from, to] (inclusive; null for open). */
  List<FileMeta> overlapping(int level, byte[] fromUserKey, byte[] toUserKey) {
    List<FileMeta> result = new ArrayList<>();
    for (FileMeta file : levels.get(level)) {
      if (file.overlaps(fromUserKey, toUserKey)) {
        result.add(file);
      }
    }
    return result;
  }

  /** Every table number in this version. */
  long[] fileNumbers() {
    return levels.stream().flatMap(List::stream).mapToLong(FileMeta::number).toArray();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Version{");
    for (int i = 0; i < levels.size(); i++) {
      if (!levels.get(i).isEmpty()) {
        s.append(" L").append(i).append('=').append(Arrays.toString(levels.get(i).toArray()));
      }
    }
    return s.append(" }").toString();
  }
}
