package io.ringkv.storage.lsm;

import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.format.InternalKey;
import java.util.ArrayList;
import java.util.List;

/**
 * One compaction: tables of {@code level} and the tables of {@code level + 1} they overlap, merged
 * into new tables of {@code outputLevel} (normally {@code level + 1}; the bottom level is also
 * compacted into itself by a manual compaction, to purge what has expired there). Chosen by {@link
 * #pick} with leveled scoring (LevelDB, RocksDB): level 0 by file count, deeper levels by bytes
 * over a target that grows by {@code levelMultiplier} per level. Immutable.
 *
 * <p>Why leveled: reads touch at most one table per level below 0, and space amplification stays
 * near 1.1; the cost is more write amplification than tiered compaction, which the benchmark
 * reports.
 *
 * @param level the level whose tables are pushed down
 * @param inputs tables of {@code level}
 * @param overlapping tables of {@code level + 1} whose user keys meet the inputs'
 * @param outputLevel where the merged tables go
 * @param trivialMove true if the single input can move down without rewriting (nothing overlaps)
 */
record Compaction(
    int level,
    List<FileMeta> inputs,
    List<FileMeta> overlapping,
    int outputLevel,
    boolean trivialMove) {

  List<FileMeta> allInputs() {
    List<FileMeta> all = new ArrayList<>(inputs);
    all.addAll(overlapping);
    return all;
  }

  /** The byte target of {@code level} (>= 1). */
  static long targetBytes(EngineOptions options, int level) {
    long target = options.levelBaseBytes();
    for (int i = 1; i < level; i++) {
      target =
          target > Long.MAX_VALUE / options.levelMultiplier()
              ? Long.MAX_VALUE
              : target * options.levelMultiplier();
    }
    return target;
  }

  /**
   * The most urgent compaction of {@code version}, or null if every level is within its target.
   *
   * @param compactPointers per level, the largest key last compacted, so that each level is
   *     compacted round-robin over its key space; updated by the caller
   */
  static Compaction pick(Version version, EngineOptions options, byte[][] compactPointers) {
    int levels = version.levelCount();
    double bestScore = 0;
    int bestLevel = -1;
    for (int level = 0; level < levels - 1; level++) {
      double score =
          level == 0
              ? (double) version.files(0).size() / options.level0CompactionTrigger()
              : (double) version.levelBytes(level) / targetBytes(options, level);
      if (score > bestScore) {
        bestScore = score;
        bestLevel = level;
      }
    }
    if (bestScore < 1) {
      return null;
    }
    if (bestLevel == 0) {
      return ofLevel(version, 0, version.files(0));
    }
    List<FileMeta> files = version.files(bestLevel);
    FileMeta chosen = files.get(0);
    byte[] pointer = compactPointers[bestLevel];
    if (pointer != null) {
      for (FileMeta file : files) {
        if (InternalKey.compare(file.largestKey(), pointer) > 0) {
          chosen = file;
          break;
        }
      }
    }
    return ofLevel(version, bestLevel, List.of(chosen));
  }

  /** Every table of {@code level} into {@code level + 1}: for a full manual compaction. */
  static Compaction ofWholeLevel(Version version, int level) {
    return ofLevel(version, level, version.files(level));
  }

  /** Every table of {@code level} rewritten into the same level: a manual bottom compaction. */
  static Compaction inPlace(Version version, int level) {
    return new Compaction(level, version.files(level), List.<FileMeta>of(), level, false);
  }

  /** This compaction, rewriting its input even where a trivial move would do. */
  Compaction rewriting() {
    return new Compaction(level, inputs, overlapping, outputLevel, false);
  }

  private static Compaction ofLevel(Version version, int level, List<FileMeta> inputs) {
    byte[] smallest = null;
    byte[] largest = null;
    for (FileMeta file : inputs) {
      if (smallest == null || InternalKey.compare(file.smallestKey(), smallest) < 0) {
        smallest = file.smallestKey();
      }
      if (largest == null || InternalKey.compare(file.largestKey(), largest) > 0) {
        largest = file.largestKey();
      }
    }
    List<FileMeta> overlapping =
        inputs.isEmpty()
            ? List.of()
            : version.overlapping(
                level + 1, InternalKey.userKey(smallest), InternalKey.userKey(largest));
    boolean trivial = inputs.size() == 1 && overlapping.isEmpty();
    return new Compaction(level, List.copyOf(inputs), overlapping, level + 1, trivial);
  }
}
