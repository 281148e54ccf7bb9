package io.ringkv.storage.sstable;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.atomic.LongAdder;

/**
 * The data blocks of all tables of an engine that were read recently, shared by every {@link
 * SstableReader}: uncompressed, verified, parsed {@link Block}s, keyed by (file number, block
 * offset) and weighed by their bytes.
 *
 * <p>Caffeine's W-TinyLFU policy (Einziger, Friedman and Manes, "TinyLFU: A Highly Efficient Cache
 * Admission Policy", 2017) keeps hot blocks against one-off scans better than LRU; compaction scans
 * additionally read with {@code fillCache = false} so that they do not pass through it at all.
 * Eviction work runs on the calling thread ({@code executor(Runnable::run)}): it is small and
 * amortized, and the cache's memory then stays within its capacity without depending on a shared
 * pool being scheduled.
 *
 * <p>A block enters only after its checksum passed and its restart array was checked, so a cached
 * block needs no second check. Thread-safe.
 */
public final class BlockCache {
  private final long capacityBytes;
  private final Cache<BlockKey, Block> blocks;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  /**
   * @param capacityBytes bytes of blocks kept at most; 0 disables caching
   */
  public BlockCache(long capacityBytes) {
    if (capacityBytes < 0) {
      throw new IllegalArgumentException(
          "block cache capacity is " + capacityBytes + " bytes; it must be >= 0");
    }
    this.capacityBytes = capacityBytes;
    this.blocks =
        capacityBytes == 0
            ? null
            : Caffeine.newBuilder()
                .maximumWeight(capacityBytes)
                .weigher((BlockKey key, Block block) -> block.weightBytes())
                .executor(Runnable::run)
                .build();
  }

  /** Block reads served from the cache. */
  public long hits() {
    return hits.sum();
  }

  /** Block reads that had to go to a file (all of them when caching is disabled). */
  public long misses() {
    return misses.sum();
  }

  public long capacityBytes() {
    return capacityBytes;
  }

  /** Bytes of the blocks cached now, by the cache's weigher. */
  public long weightedBytes() {
    if (blocks == null) {
      return 0;
    }
    blocks.cleanUp();
    return blocks.policy().eviction().orElseThrow().weightedSize().orElse(0);
  }

  /**
   * Drops the blocks of a deleted table. Walks every cached key (the cache has no per-file
   * grouping), so it costs O(cached blocks): fine once per deleted table. Not needed for
   * correctness: file numbers are never reused, so a dead table's blocks are only ever evicted.
   */
  public void evictFile(long fileNumber) {
    if (blocks != null) {
      blocks.asMap().keySet().removeIf(key -> key.fileNumber() == fileNumber);
    }
  }

  /** The cached block, counting a hit or a miss. */
  Block get(long fileNumber, long offset) {
    if (blocks == null) {
      misses.increment();
      return null;
    }
    Block block = blocks.getIfPresent(new BlockKey(fileNumber, offset));
    (block == null ? misses : hits).increment();
    return block;
  }

  void put(long fileNumber, long offset, Block block) {
    if (blocks != null) {
      blocks.put(new BlockKey(fileNumber, offset), block);
    }
  }

  /** Two longs with a mixing hash, since Caffeine's table index takes the low bits. */
  private record BlockKey(long fileNumber, long offset) {
    @Override
    public int hashCode() {
      long h = fileNumber * 0x9E3779B97F4A7C15L + offset;
      h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
      return (int) (h ^ (h >>> 33));
    }

    // Written out: a record's generated equals links through invokedynamic and ObjectMethods, and
    // profiles of pipelined GETs showed its method-handle guards at 2% of the event loop.
    @Override
    public boolean equals(Object other) {
      return other instanceof BlockKey key && key.fileNumber == fileNumber && key.offset == offset;
    }
  }
}
