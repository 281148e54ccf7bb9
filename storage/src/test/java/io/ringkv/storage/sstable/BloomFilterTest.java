package io.ringkv.storage.sstable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.Rng;
import io.ringkv.storage.EngineOptions.Compression;
import io.ringkv.storage.format.InternalKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.TreeMap;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key hash (part of the format) and the bloom filter's false-negative and -positive rates. */
class BloomFilterTest {
  private static final long SEED = Long.getLong("ringkv.test.seed", 0xB100F);

  @Test
  void hash64_matchesXxh64SpecificationVectors() {
    assertThat(hash("")).isEqualTo(0xEF46DB3751D8E999L);
    assertThat(hash("a")).isEqualTo(0xD24EC4F1A98C6E5BL);
    assertThat(hash("abc")).isEqualTo(0x44BC2CF5AD770999L);
  }

  @Test
  void hash64_agreesWithLz4JavaXxh64_onEveryLengthAndOffset() {
    XXHash64 reference = XXHashFactory.safeInstance().hash64();
    Rng rng = new Rng(SEED);
    byte[] bytes = new byte[300];
    for (int round = 0; round < 20; round++) {
      rng.nextBytes(bytes);
      for (int length = 0; length <= 200; length++) {
        int offset = rng.nextInt(0, bytes.length - length + 1);
        assertThat(KeyHash.hash64(bytes, offset, length))
            .as("seed %d length %d offset %d", SEED, length, offset)
            .isEqualTo(reference.hash(bytes, offset, length, 0));
      }
    }
  }

  @Test
  void mayContain_neverFalseNegative_andFalsePositivesNearOnePercentAt10BitsPerKey() {
    Rng rng = new Rng(SEED);
    int keys = 20_000;
    BloomFilterBuilder builder = new BloomFilterBuilder(10);
    for (int i = 0; i < keys; i++) {
      byte[] key = key(i);
      builder.addKey(key, 0, key.length);
    }
    byte[] contents = builder.build();
    BloomFilter filter = BloomFilter.parse(contents, contents.length);
    assertThat(filter.probes()).isEqualTo(7);
    assertThat(filter.lines()).isEqualTo((keys * 10 + 511) / 512);
    for (int i = 0; i < keys; i++) {
      assertThat(filter.mayContain(key(i))).as("key %d", i).isTrue();
    }
    int absent = 100_000;
    int falsePositives = 0;
    for (int i = 0; i < absent; i++) {
      byte[] key = new byte[rng.nextInt(4, 24)];
      rng.nextBytes(key);
      key[0] = (byte) 0xFE; // never one of key(i)'s ASCII keys
      if (filter.mayContain(key)) {
        falsePositives++;
      }
    }
    double rate = (double) falsePositives / absent;
    System.out.printf(
        "bloom 10 bits/key: %d false positives in %d (%.3f%%)%n",
        falsePositives, absent, rate * 100);
    assertThat(rate).as("seed %d false-positive rate", SEED).isBetween(0.002, 0.025);
  }

  @Test
  void build_withNoKeys_givesOneEmptyLineThatRejectsEverything() {
    byte[] contents = new BloomFilterBuilder(10).build();
    BloomFilter filter = BloomFilter.parse(contents, contents.length);
    assertThat(filter.lines()).isEqualTo(1);
    assertThat(filter.mayContain(key(1))).isFalse();
  }

  @Test
  void probesFor_followsLn2TimesBitsWithinBounds() {
    assertThat(BloomFilterBuilder.probesFor(1)).isEqualTo(1);
    assertThat(BloomFilterBuilder.probesFor(10)).isEqualTo(7);
    assertThat(BloomFilterBuilder.probesFor(64)).isEqualTo(30);
  }

  @Test
  void parse_badLengthProbesOrLayout_isRejected() {
    byte[] contents = new BloomFilterBuilder(10).build();
    assertThatThrownBy(() -> BloomFilter.parse(contents, contents.length - 1))
        .isInstanceOf(BlockFormatException.class)
        .hasMessageContaining("64-byte lines");
    byte[] badProbes = contents.clone();
    badProbes[64] = 31;
    assertThatThrownBy(() -> BloomFilter.parse(badProbes, badProbes.length))
        .isInstanceOf(BlockFormatException.class)
        .hasMessageContaining("probe count 31");
    byte[] badLayout = contents.clone();
    badLayout[65] = 2;
    assertThatThrownBy(() -> BloomFilter.parse(badLayout, badLayout.length))
        .isInstanceOf(BlockFormatException.class)
        .hasMessageContaining("unknown filter layout 2");
  }

  @Test
  void mayContain_tableFilterNeverRejectsAStoredUserKeyAndSparesBlockReads(@TempDir Path dir)
      throws Exception {
    Rng rng = new Rng(SEED);
    TreeMap<byte[], byte[]> model = TableFixtures.randomModel(rng, 3_000, false);
    Path path = dir.resolve("bloom.sst");
    TableFixtures.write(path, new SstableOptions(4096, 16, 10, Compression.NONE), model);
    BlockCache cache = new BlockCache(0);
    try (SstableReader reader = TableFixtures.open(path, cache)) {
      for (byte[] key : model.keySet()) {
        assertThat(reader.mayContain(InternalKey.userKey(key))).as("seed %d", SEED).isTrue();
      }
      int absent = 10_000;
      for (int i = 0; i < absent; i++) {
        byte[] user = new byte[20];
        rng.nextBytes(user);
        assertThat(reader.get(user, InternalKey.SEQUENCE_MAX)).isNull();
      }
      // Only false positives reach a block: about 1%, comfortably under 3%.
      assertThat(cache.misses()).as("seed %d", SEED).isLessThan(absent * 3 / 100);
    }
  }

  @Test
  void mayContain_tableWithZeroBitsPerKeyHasNoFilterAndAdmitsEverything(@TempDir Path dir)
      throws Exception {
    TreeMap<byte[], byte[]> model = TableFixtures.randomModel(new Rng(SEED), 200, false);
    Path path = dir.resolve("nofilter.sst");
    TableFixtures.write(path, new SstableOptions(4096, 16, 0, Compression.NONE), model);
    try (SstableReader reader = TableFixtures.open(path, new BlockCache(0))) {
      assertThat(reader.footer().hasFilter()).isFalse();
      assertThat(reader.footer().filter()).isEqualTo(BlockHandle.NONE);
      assertThat(reader.mayContain("surely absent".getBytes(StandardCharsets.US_ASCII))).isTrue();
      for (byte[] key : model.keySet()) {
        byte[] user = InternalKey.userKey(key);
        assertThat(reader.get(user, InternalKey.SEQUENCE_MAX))
            .isEqualTo(TableFixtures.expectedGet(model, user, InternalKey.SEQUENCE_MAX));
      }
    }
  }

  private static byte[] key(int i) {
    return ("user-key-" + i).getBytes(StandardCharsets.US_ASCII);
  }

  private static long hash(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
    return KeyHash.hash64(bytes, 0, bytes.length);
  }
}
