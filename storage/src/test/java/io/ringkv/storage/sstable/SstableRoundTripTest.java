package io.ringkv.storage.sstable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.Rng;
import io.ringkv.storage.Cell;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.EngineOptions.Compression;
import io.ringkv.storage.format.CellCodec;
import io.ringkv.storage.format.InternalIterator;
import io.ringkv.storage.format.InternalKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Tables written and read back, compared against a TreeMap model in InternalKey order. */
class SstableRoundTripTest {
  private static final long SEED = TableFixtures.seed(0x55AB1E);

  @TempDir Path dir;

  static Stream<Arguments> layouts() {
    List<Arguments> layouts = new ArrayList<>();
    for (Compression compression : Compression.values()) {
      for (int interval : new int[] {1, 16}) {
        for (int blockBytes : new int[] {512, 8 << 10}) {
          layouts.add(Arguments.of(compression, interval, blockBytes));
        }
      }
    }
    return layouts.stream();
  }

  @ParameterizedTest(name = "{0} restart interval {1} block {2} bytes")
  @MethodSource("layouts")
  void roundTrip_getIterateAndSeekMatchModel(Compression compression, int interval, int blockBytes)
      throws Exception {
    long seed = SEED ^ (compression.ordinal() * 31L + interval * 7L + blockBytes);
    Rng rng = new Rng(seed);
    TreeMap<byte[], byte[]> model = TableFixtures.randomModel(rng, 1_500, true);
    Path path = dir.resolve("000007.sst");
    SstableSummary summary =
        TableFixtures.write(path, new SstableOptions(blockBytes, interval, 10, compression), model);

    assertThat(summary.fileBytes()).isEqualTo(Files.size(path));
    assertThat(summary.entries()).isEqualTo(model.size());
    long tombstones =
        model.keySet().stream()
            .filter(k -> InternalKey.kind(k) == InternalKey.KIND_TOMBSTONE)
            .count();
    assertThat(summary.tombstones()).isEqualTo(tombstones);
    assertThat(summary.smallestKey()).isEqualTo(model.firstKey());
    assertThat(summary.largestKey()).isEqualTo(model.lastKey());
    long minSeq = model.keySet().stream().mapToLong(InternalKey::sequence).min().orElseThrow();
    long maxSeq = model.keySet().stream().mapToLong(InternalKey::sequence).max().orElseThrow();
    assertThat(summary.smallestSequence()).isEqualTo(minSeq);
    assertThat(summary.largestSequence()).isEqualTo(maxSeq);

    try (SstableReader reader = TableFixtures.open(path, new BlockCache(1 << 20))) {
      assertThat(reader.fileNumber()).isEqualTo(7);
      assertThat(reader.fileBytes()).isEqualTo(summary.fileBytes());
      assertThat(reader.entries()).isEqualTo(model.size());
      assertThat(reader.tombstones()).isEqualTo(tombstones);
      assertThat(reader.smallestKey()).isEqualTo(model.firstKey());
      assertThat(reader.largestKey()).isEqualTo(model.lastKey());
      assertThat(reader.smallestSequence()).isEqualTo(minSeq);
      assertThat(reader.largestSequence()).isEqualTo(maxSeq);
      if (blockBytes == 512) {
        assertThat(reader.index().size()).as("many blocks").isGreaterThan(100);
      }

      checkGets(reader, model, rng, seed);
      checkFullScan(reader, model, seed, true);
      checkFullScan(reader, model, seed, false);
      checkSeeks(reader, model, rng, seed);
    }
  }

  private static void checkGets(
      SstableReader reader, TreeMap<byte[], byte[]> model, Rng rng, long seed) throws Exception {
    List<byte[]> users = new ArrayList<>();
    model.keySet().forEach(k -> users.add(InternalKey.userKey(k)));
    for (int i = 0; i < 500; i++) {
      users.add(TableFixtures.randomUserKey(rng)); // mostly absent, some present
    }
    for (byte[] user : users) {
      List<Long> snapshots =
          new ArrayList<>(List.of(0L, 1L, InternalKey.SEQUENCE_MAX, (long) rng.nextInt(0, 5_100)));
      for (Map.Entry<byte[], byte[]> e :
          model
              .subMap(
                  InternalKey.seekKey(user, InternalKey.SEQUENCE_MAX),
                  true,
                  InternalKey.encode(user, 0, 0),
                  true)
              .entrySet()) {
        long sequence = InternalKey.sequence(e.getKey());
        snapshots.add(sequence);
        snapshots.add(sequence - 1);
        snapshots.add(sequence + 1);
      }
      for (long snapshot : snapshots) {
        assertThat(reader.get(user, snapshot))
            .as("seed %d get(%s, %d)", seed, Arrays.toString(user), snapshot)
            .isEqualTo(TableFixtures.expectedGet(model, user, snapshot));
      }
    }
  }

  private static void checkFullScan(
      SstableReader reader, TreeMap<byte[], byte[]> model, long seed, boolean fillCache)
      throws Exception {
    try (InternalIterator it = reader.iterator(fillCache)) {
      assertThat(it.isValid()).isFalse();
      it.seekToFirst();
      int n = 0;
      for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
        assertThat(it.isValid()).as("seed %d entry %d", seed, n).isTrue();
        assertThat(it.key()).as("seed %d entry %d", seed, n).isEqualTo(e.getKey());
        assertThat(it.value()).as("seed %d entry %d", seed, n).isEqualTo(e.getValue());
        it.next();
        n++;
      }
      assertThat(it.isValid()).isFalse();
    }
  }

  private static void checkSeeks(
      SstableReader reader, TreeMap<byte[], byte[]> model, Rng rng, long seed) throws Exception {
    List<byte[]> keys = new ArrayList<>(model.keySet());
    try (InternalIterator it = reader.iterator(true)) {
      for (int i = 0; i < 2_000; i++) {
        byte[] target =
            switch (rng.nextInt(4)) {
              case 0 -> keys.get(rng.nextInt(keys.size()));
              case 1 ->
                  InternalKey.seekKey(
                      InternalKey.userKey(keys.get(rng.nextInt(keys.size()))),
                      rng.nextInt(0, 5_100));
              case 2 ->
                  InternalKey.seekKey(TableFixtures.randomUserKey(rng), InternalKey.SEQUENCE_MAX);
              default ->
                  InternalKey.encode(
                      TableFixtures.randomUserKey(rng), rng.nextInt(0, 5_100), rng.nextInt(2));
            };
        it.seek(target);
        Map.Entry<byte[], byte[]> expected = model.ceilingEntry(target);
        for (int step = 0; step < 3; step++) {
          if (expected == null) {
            assertThat(it.isValid()).as("seed %d seek %d step %d", seed, i, step).isFalse();
            break;
          }
          assertThat(it.isValid()).as("seed %d seek %d step %d", seed, i, step).isTrue();
          assertThat(it.key())
              .as("seed %d seek %d step %d", seed, i, step)
              .isEqualTo(expected.getKey());
          assertThat(it.value()).isEqualTo(expected.getValue());
          it.next();
          expected = model.higherEntry(expected.getKey());
        }
      }
    }
  }

  @Test
  void get_singleEntryTable() throws Exception {
    TreeMap<byte[], byte[]> model = TableFixtures.newModel();
    byte[] cell = CellCodec.encode(Cell.value(new byte[0], 1));
    model.put(InternalKey.encode(new byte[0], 3, InternalKey.KIND_VALUE), cell);
    Path path = dir.resolve("one.sst");
    TableFixtures.write(path, new SstableOptions(512, 16, 10, Compression.LZ4), model);
    try (SstableReader reader = TableFixtures.open(path, new BlockCache(0))) {
      assertThat(reader.get(new byte[0], 3)).isEqualTo(cell);
      assertThat(reader.get(new byte[0], 2)).isNull();
      assertThat(reader.get(new byte[] {0}, 3)).isNull();
      assertThat(reader.index().size()).isEqualTo(1);
    }
  }

  @Test
  void add_outOfOrderOrDuplicateKey_isRejectedAndWriterStaysUsable() throws Exception {
    Path path = dir.resolve("order.sst");
    byte[] cell = CellCodec.encode(Cell.value(new byte[] {1}, 1));
    try (SstableWriter writer =
        new SstableWriter(
            TableFixtures.FS.create(path),
            path,
            new SstableOptions(512, 16, 10, Compression.NONE))) {
      byte[] b5 = InternalKey.encode(bytes("b"), 5, InternalKey.KIND_VALUE);
      writer.add(b5, cell);
      assertThatThrownBy(() -> writer.add(b5, cell))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("strictly increasing");
      assertThatThrownBy(
              () -> writer.add(InternalKey.encode(bytes("a"), 9, InternalKey.KIND_VALUE), cell))
          .isInstanceOf(IllegalArgumentException.class);
      // A newer version of the same user key sorts before the older one.
      assertThatThrownBy(
              () -> writer.add(InternalKey.encode(bytes("b"), 6, InternalKey.KIND_VALUE), cell))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(
              () -> writer.add(InternalKey.encode(bytes("c"), 1, InternalKey.KIND_SEEK), cell))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("kind 255");
      assertThatThrownBy(() -> writer.add(new byte[7], cell))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("shorter than its 8-byte trailer");
      writer.add(
          InternalKey.encode(bytes("b"), 4, InternalKey.KIND_TOMBSTONE),
          CellCodec.encode(Cell.tombstone(2)));
      SstableSummary summary = writer.finish();
      assertThat(summary.entries()).isEqualTo(2);
      assertThat(summary.tombstones()).isEqualTo(1);
      assertThatThrownBy(() -> writer.add(InternalKey.encode(bytes("z"), 1, 1), cell))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void finish_withoutEntries_isRefused() throws Exception {
    Path path = dir.resolve("empty.sst");
    try (SstableWriter writer =
        new SstableWriter(
            TableFixtures.FS.create(path),
            path,
            new SstableOptions(512, 16, 10, Compression.NONE))) {
      assertThatThrownBy(writer::finish)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("without entries");
    }
  }

  @Test
  void estimatedFileBytes_growsWithEntriesAndEndsNearTheFileSize() throws Exception {
    Rng rng = new Rng(SEED);
    TreeMap<byte[], byte[]> model = TableFixtures.randomModel(rng, 2_000, false);
    Path path = dir.resolve("estimate.sst");
    long lastEstimate = 0;
    SstableSummary summary;
    try (SstableWriter writer =
        new SstableWriter(
            TableFixtures.FS.create(path),
            path,
            new SstableOptions(4096, 16, 10, Compression.NONE))) {
      for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
        writer.add(e.getKey(), e.getValue());
        assertThat(writer.estimatedFileBytes()).isGreaterThanOrEqualTo(lastEstimate);
        lastEstimate = writer.estimatedFileBytes();
      }
      assertThat(writer.entries()).isEqualTo(model.size());
      summary = writer.finish();
    }
    // The estimate leaves out the filter, meta and index blocks and the footer: a few percent.
    assertThat(lastEstimate).isLessThanOrEqualTo(summary.fileBytes());
    assertThat(lastEstimate).isGreaterThan(summary.fileBytes() * 9 / 10);
  }

  @Test
  void lz4_compressesRepetitiveValues_andReadsThemBack() throws Exception {
    TreeMap<byte[], byte[]> model = TableFixtures.newModel();
    byte[] value = new byte[200];
    Arrays.fill(value, (byte) 'x');
    for (int i = 0; i < 2_000; i++) {
      model.put(
          InternalKey.encode(bytes(String.format("key-%06d", i)), i + 1, InternalKey.KIND_VALUE),
          CellCodec.encode(Cell.value(value, i)));
    }
    Path plain = dir.resolve("plain.sst");
    Path packed = dir.resolve("packed.sst");
    long plainBytes =
        TableFixtures.write(plain, new SstableOptions(8192, 16, 10, Compression.NONE), model)
            .fileBytes();
    long packedBytes =
        TableFixtures.write(packed, new SstableOptions(8192, 16, 10, Compression.LZ4), model)
            .fileBytes();
    assertThat(packedBytes).isLessThan(plainBytes / 4);
    try (SstableReader reader = TableFixtures.open(packed, new BlockCache(0))) {
      for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
        assertThat(reader.get(InternalKey.userKey(e.getKey()), InternalKey.SEQUENCE_MAX))
            .isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void index_separatorsAreShortenedBetweenBlocks() throws Exception {
    TreeMap<byte[], byte[]> model = TableFixtures.newModel();
    byte[] cell = CellCodec.encode(Cell.value(new byte[100], 1));
    for (int i = 0; i < 500; i++) {
      // Keys that differ early and by more than one: "aaaa...-0000", "aaac...", shortenable.
      model.put(
          InternalKey.encode(
              bytes(String.format("%03d-a-long-common-suffix-of-the-key", i * 3)), 1, 1),
          cell);
    }
    Path path = dir.resolve("separators.sst");
    TableFixtures.write(path, new SstableOptions(512, 16, 10, Compression.NONE), model);
    try (SstableReader reader = TableFixtures.open(path, new BlockCache(0))) {
      TableIndex index = reader.index();
      int shortened = 0;
      for (int i = 0; i + 1 < index.size(); i++) {
        if (index.separator(i).length < model.firstKey().length) {
          shortened++;
        }
      }
      assertThat(shortened).isGreaterThan(index.size() / 2);
      assertThat(index.separator(index.size() - 1)).isEqualTo(model.lastKey());
      for (byte[] key : model.keySet()) {
        assertThat(reader.get(InternalKey.userKey(key), 5)).isEqualTo(cell);
        byte[] between = Arrays.copyOf(InternalKey.userKey(key), 3);
        assertThat(reader.get(between, 5)).isNull();
      }
    }
  }

  @Test
  void get_snapshotOutOfRange_isRejected() throws Exception {
    Path path = dir.resolve("snap.sst");
    TreeMap<byte[], byte[]> model = TableFixtures.randomModel(new Rng(SEED), 10, false);
    TableFixtures.write(path, new SstableOptions(512, 16, 10, Compression.NONE), model);
    try (SstableReader reader = TableFixtures.open(path, new BlockCache(0))) {
      assertThatThrownBy(() -> reader.get(new byte[] {1}, -1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> reader.get(new byte[] {1}, InternalKey.SEQUENCE_MAX + 1))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void options_fromEngineOptions_andBoundsNamed() {
    SstableOptions options = SstableOptions.from(EngineOptions.defaults(Path.of("/tmp/x")));
    assertThat(options).isEqualTo(new SstableOptions(8 << 10, 4, 10, Compression.NONE));
    assertThatThrownBy(() -> new SstableOptions(10, 16, 10, Compression.NONE))
        .hasMessageContaining("blockBytes is 10");
    assertThatThrownBy(() -> new SstableOptions(512, 0, 10, Compression.NONE))
        .hasMessageContaining("blockRestartInterval is 0");
    assertThatThrownBy(() -> new SstableOptions(512, 16, 65, Compression.NONE))
        .hasMessageContaining("bloomBitsPerKey is 65");
    assertThatThrownBy(() -> new SstableOptions(512, 16, 10, null))
        .hasMessageContaining("compression");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
