package io.ringkv.storage.lsm;

import io.ringkv.storage.format.InternalKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An immutable set of live tables per level: what a read or an iterator sees, pinned by a reference
 * count so that compaction never deletes a file someone still reads (LevelDB's Version).
 *
 * <p>Invariants: level 0 is ordered newest first (by largest sequence, then number), and its tables
 * may overlap; every deeper level is ordered by key and its tables do not overlap. Thread-safe: the
 * levels never change; {@link #retain}/{@link #release} are atomic.
 */
final class Version {
  private final List<List<FileMeta>> levels;
  private final AtomicInteger references = new AtomicInteger(1);

  Version(List<List<FileMeta>> levels) {
    List<List<FileMeta>> copy = new ArrayList<>(levels.size());
    for (List<FileMeta> files : levels) {
      copy.add(List.copyOf(files));
    }
    this.levels = List.copyOf(copy);
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
