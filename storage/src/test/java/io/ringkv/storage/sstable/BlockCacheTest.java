package io.ringkv.storage.sstable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.Rng;
import io.ringkv.storage.EngineOptions.Compression;
import io.ringkv.storage.format.InternalIterator;
import io.ringkv.storage.format.InternalKey;
import java.nio.file.Path;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared block cache: hit and miss counts, capacity by weight, fill control, eviction. */
class BlockCacheTest {
  private static final long SEED = TableFixtures.seed(0xCAC4E);

  @TempDir Path dir;

  private TreeMap<byte[], byte[]> model;
  private Path first;
  private Path second;

  @BeforeEach
  void writeTables() throws Exception {
    model = TableFixtures.randomModel(new Rng(SEED), 400, false);
    first = dir.resolve("000001.sst");
    second = dir.resolve("000002.sst");
    SstableOptions options = new SstableOptions(512, 16, 10, Compression.NONE);
    TableFixtures.write(first, options, model);
    TableFixtures.write(second, options, model);
  }

  @Test
  void get_countsAMissThenAHit() throws Exception {
    BlockCache cache = new BlockCache(1 << 20);
    try (SstableReader reader = open(1, first, cache)) {
      byte[] user = InternalKey.userKey(model.firstKey());
      reader.get(user, InternalKey.SEQUENCE_MAX);
      assertThat(cache.misses()).isEqualTo(1);
      assertThat(cache.hits()).isZero();
      reader.get(user, InternalKey.SEQUENCE_MAX);
      assertThat(cache.misses()).isEqualTo(1);
      assertThat(cache.hits()).isEqualTo(1);
      assertThat(cache.weightedBytes()).isPositive();
    }
  }

  @Test
  void get_capacityIsRespectedByWeight() throws Exception {
    BlockCache cache = new BlockCache(8 << 10);
    try (SstableReader reader = open(1, first, cache)) {
      assertThat(reader.index().size() * 512L)
          .as("table larger than the cache")
          .isGreaterThan(4 * cache.capacityBytes());
      scan(reader, true);
      assertThat(cache.weightedBytes()).isPositive().isLessThanOrEqualTo(cache.capacityBytes());
      scan(reader, true);
      assertThat(cache.weightedBytes()).isLessThanOrEqualTo(cache.capacityBytes());
      assertThat(cache.hits() + cache.misses()).isEqualTo(2L * reader.index().size());
    }
  }

  @Test
  void iterator_withoutFillCache_readsThroughWithoutFilling() throws Exception {
    BlockCache cache = new BlockCache(1 << 20);
    try (SstableReader reader = open(1, first, cache)) {
      scan(reader, false);
      assertThat(cache.weightedBytes()).isZero();
      assertThat(cache.misses()).isEqualTo(reader.index().size());
      scan(reader, true);
      scan(reader, false);
      assertThat(cache.hits())
          .as("a non-filling scan still uses cached blocks")
          .isEqualTo(reader.index().size());
    }
  }

  @Test
  void evictFile_dropsThatFilesBlocksOnly() throws Exception {
    BlockCache cache = new BlockCache(1 << 20);
    try (SstableReader one = open(1, first, cache);
        SstableReader two = open(2, second, cache)) {
      scan(one, true);
      scan(two, true);
      long both = cache.weightedBytes();
      cache.evictFile(1);
      assertThat(cache.weightedBytes()).isBetween(both / 2 - 1024, both / 2 + 1024);
      long hits = cache.hits();
      scan(two, true);
      assertThat(cache.hits() - hits).isEqualTo(two.index().size());
      long misses = cache.misses();
      scan(one, true);
      assertThat(cache.misses() - misses).isEqualTo(one.index().size());
    }
  }

  @Test
  void constructor_zeroCapacityDisablesCachingAndCountsEveryReadAsAMiss() throws Exception {
    BlockCache cache = new BlockCache(0);
    try (SstableReader reader = open(1, first, cache)) {
      scan(reader, true);
      scan(reader, true);
      assertThat(cache.hits()).isZero();
      assertThat(cache.misses()).isEqualTo(2L * reader.index().size());
      assertThat(cache.weightedBytes()).isZero();
      cache.evictFile(1);
    }
  }

  @Test
  void constructor_negativeCapacityIsRejectedWithItsValue() {
    assertThatThrownBy(() -> new BlockCache(-1)).hasMessageContaining("-1 bytes");
  }

  private static SstableReader open(long fileNumber, Path path, BlockCache cache) throws Exception {
    return SstableReader.open(fileNumber, path, TableFixtures.FS, cache);
  }

  private static void scan(SstableReader reader, boolean fillCache) throws Exception {
    try (InternalIterator it = reader.iterator(fillCache)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        it.key();
      }
    }
  }
}
