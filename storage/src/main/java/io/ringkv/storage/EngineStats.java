package io.ringkv.storage;

import java.util.List;

/**
 * A snapshot of an engine's counters. Byte counts are cumulative since open. Write amplification is
 * bytes written to disk (log + flushes + compactions) over bytes the user wrote.
 *
 * @param userBytesWritten key and value bytes written by callers
 * @param walBytesWritten bytes appended to the write-ahead log
 * @param flushBytesWritten bytes written by memtable flushes
 * @param compactionBytesWritten bytes written by compactions
 * @param compactionBytesRead bytes read by compactions
 * @param flushes memtable flushes completed
 * @param compactions compactions completed
 * @param writeStalls writes that had to wait for a flush or compaction
 * @param writeStallNanos total time writers spent waiting
 * @param slowdowns writes that were slowed down (not stopped) by back-pressure
 * @param blockCacheHits block reads served from the block cache
 * @param blockCacheMisses block reads that went to a file
 * @param filesPerLevel live table files per level, level 0 first
 * @param bytesPerLevel live table bytes per level, level 0 first
 * @param memtableBytes bytes in the active and immutable memtables
 * @param liveDataBytes bytes of all live table files
 * @param estimatedKeys estimated number of keys (overwritten and deleted versions not yet compacted
 *     away may be counted)
 */
public record EngineStats(
    long userBytesWritten,
    long walBytesWritten,
    long flushBytesWritten,
    long compactionBytesWritten,
    long compactionBytesRead,
    long flushes,
    long compactions,
    long writeStalls,
    long writeStallNanos,
    long slowdowns,
    long blockCacheHits,
    long blockCacheMisses,
    List<Integer> filesPerLevel,
    List<Long> bytesPerLevel,
    long memtableBytes,
    long liveDataBytes,
    long estimatedKeys) {

  public EngineStats {
    filesPerLevel = List.copyOf(filesPerLevel);
    bytesPerLevel = List.copyOf(bytesPerLevel);
  }

  /** Disk bytes written per user byte; 0 before any user write. */
  public double writeAmplification() {
    if (userBytesWritten == 0) {
      return 0;
    }
    return (double) (walBytesWritten + flushBytesWritten + compactionBytesWritten)
        / userBytesWritten;
  }

  /** Fraction of block reads served from the cache; 0 before any block read. */
  public double blockCacheHitRate() {
    long total = blockCacheHits + blockCacheMisses;
    return total == 0 ? 0 : (double) blockCacheHits / total;
  }
}
