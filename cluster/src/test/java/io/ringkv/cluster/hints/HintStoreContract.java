package io.ringkv.cluster.hints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.replication.KeyedCell;
import io.ringkv.storage.Cell;
import io.ringkv.storage.Durability;
import io.ringkv.storage.fs.FileSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a {@link HintStore} does on any {@link FileSystem}: run against the machine's file system
 * and the fault-injecting one. Subclasses supply the file system and ways to damage a file.
 */
abstract class HintStoreContract {
  static final NodeId N1 = NodeId.of("n1");
  static final NodeId N2 = NodeId.of("n2");
  static final long NOW = 1_700_000_000_000L;

  /** Small segments, so that a few dozen hints span several. */
  static final HintConfig SMALL =
      HintConfig.defaults().withSizes(64 << 10, 1024).withDurability(Durability.SYNC);

  FileSystem fileSystem;
  Path directory;
  HintStore store;

  abstract FileSystem newFileSystem();

  abstract Path root();

  /** Replaces bytes of {@code file} from {@code offset} on, as rot would. */
  abstract void damage(Path file, long offset, byte[] bytes) throws IOException;

  /** Cuts {@code file} to {@code length} bytes, as a crash in the middle of an append would. */
  abstract void cut(Path file, long length) throws IOException;

  @BeforeEach
  void openStore() throws IOException {
    fileSystem = newFileSystem();
    directory = root().resolve("data").resolve("hints");
    store = HintStore.open(fileSystem, directory, SMALL);
  }

  @AfterEach
  void closeStore() throws IOException {
    store.close();
  }

  /** A hint as the tests compare it: arrays by content. */
  record Stored(String key, Cell cell) {
    static Stored of(KeyedCell keyed) {
      return new Stored(new String(keyed.key(), StandardCharsets.ISO_8859_1), keyed.cell());
    }
  }

  static byte[] key(String key) {
    return key.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Keys and values of one size, so that records are too. */
  static String name(int i) {
    return String.format("key-%03d", i);
  }

  static Cell value(int i) {
    return Cell.value(String.format("value-%03d", i).getBytes(StandardCharsets.UTF_8), 1000L + i);
  }

  static Stored stored(int i) {
    return new Stored(name(i), value(i));
  }

  void storeAll(HintStore into, NodeId target, int from, int to, long nowMillis)
      throws IOException {
    for (int i = from; i < to; i++) {
      assertThat(into.store(target, key(name(i)), value(i), nowMillis)).as("store " + i).isTrue();
    }
  }

  static List<Stored> cells(HintBatch batch) {
    return batch.cells().stream().map(Stored::of).toList();
  }

  /** Peeks and delivers until nothing is pending; returns every hint in order. */
  static List<Stored> drain(HintStore from, NodeId target, int maxBytes, long nowMillis)
      throws IOException {
    List<Stored> all = new ArrayList<>();
    for (int round = 0; round < 1_000_000; round++) {
      HintBatch batch = from.peek(target, maxBytes, nowMillis);
      if (batch.isEmpty()) {
        return all;
      }
      all.addAll(cells(batch));
      from.delivered(batch);
    }
    throw new AssertionError("drain did not finish");
  }

  static List<Stored> range(int from, int to) {
    List<Stored> expected = new ArrayList<>();
    for (int i = from; i < to; i++) {
      expected.add(stored(i));
    }
    return expected;
  }

  HintStore reopen(HintConfig config) throws IOException {
    store.close();
    store = HintStore.open(fileSystem, directory, config);
    return store;
  }

  List<Path> segments(NodeId target) throws IOException {
    return fileSystem.list(directory.resolve(target.value())).stream()
        .filter(path -> path.getFileName().toString().endsWith(HintFormat.SEGMENT_SUFFIX))
        .toList();
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void store_thenPeek_roundTripsEveryKindOfCell() throws IOException {
    List<Stored> hints =
        List.of(
            new Stored("plain", Cell.value(key("v"), 7)),
            new Stored("empty-value", Cell.value(new byte[0], 8)),
            new Stored("tombstone", Cell.tombstone(9).stampDeletionTime(NOW)),
            new Stored("expiring", Cell.value(key("ttl"), 10).withExpiry(NOW + 60_000)),
            new Stored("versioned", Cell.value(key("dvv"), 11).withVersion(new byte[] {1, 2, 3})),
            new Stored("bin\u0000ary\u00ff", Cell.value(new byte[] {0, -1, 0}, -5)),
            new Stored("", Cell.value(key("empty key"), Long.MAX_VALUE)));
    for (Stored hint : hints) {
      assertThat(store.store(N1, key(hint.key()), hint.cell(), NOW)).isTrue();
    }

    HintBatch batch = store.peek(N1, 1 << 20, NOW);

    assertThat(batch.target()).isEqualTo(N1);
    assertThat(cells(batch)).containsExactlyElementsOf(hints);
    assertThat(batch.bytes()).isEqualTo(store.pendingBytes(N1)).isPositive();
    assertThat(store.stats().stored()).isEqualTo(hints.size());
  }

  @Test
  void peek_keepsStoreOrderAcrossSegments() throws IOException {
    storeAll(store, N1, 0, 200, NOW);
    assertThat(segments(N1)).hasSizeGreaterThan(5);

    assertThat(drain(store, N1, 300, NOW)).containsExactlyElementsOf(range(0, 200));
    assertThat(store.stats().delivered()).isEqualTo(200);
  }

  @Test
  void peek_returnsAtMostMaxBytesButAlwaysAtLeastOneHint() throws IOException {
    storeAll(store, N1, 0, 10, NOW);

    HintBatch one = store.peek(N1, 1, NOW);
    assertThat(cells(one)).containsExactly(stored(0));

    HintBatch two = store.peek(N1, (int) (2 * one.bytes()), NOW);
    assertThat(cells(two)).containsExactly(stored(0), stored(1));
    assertThat(two.bytes()).isEqualTo(2 * one.bytes());
  }

  @Test
  void peek_withoutDelivered_returnsTheSameBatch() throws IOException {
    storeAll(store, N1, 0, 30, NOW);

    HintBatch first = store.peek(N1, 200, NOW);
    HintBatch again = store.peek(N1, 200, NOW);

    assertThat(cells(again)).isEqualTo(cells(first));
  }

  @Test
  void peek_nothingPending_isEmpty() throws IOException {
    assertThat(store.peek(N1, 100, NOW).isEmpty()).isTrue();
    storeAll(store, N1, 0, 3, NOW);
    drain(store, N1, 100, NOW);
    assertThat(store.peek(N1, 100, NOW).isEmpty()).isTrue();
  }

  @Test
  void store_pastTheBoundPerTarget_isRefusedAndCounted() throws IOException {
    store = reopen(SMALL.withSizes(2048, 1024));
    int stored = 0;
    while (store.store(N1, key(name(stored)), value(stored), NOW)) {
      stored++;
    }

    assertThat(store.pendingBytes(N1)).isLessThanOrEqualTo(2048).isGreaterThan(2048 - 100);
    assertThat(store.stats().droppedFull()).isEqualTo(1);
    assertThat(store.store(N2, key("other"), value(0), NOW)).as("another target").isTrue();

    HintBatch batch = store.peek(N1, 1, NOW);
    store.delivered(batch);
    assertThat(store.store(N1, key("after"), value(1), NOW)).as("room again").isTrue();
    assertThat(drain(store, N1, 10_000, NOW)).hasSize(stored);
  }

  @Test
  void store_whenDisabled_keepsNothingAndCounts() throws IOException {
    store = reopen(SMALL.withEnabled(false));

    assertThat(store.store(N1, key("k"), value(1), NOW)).isFalse();
    assertThat(store.stats().droppedFull()).isEqualTo(1);
    assertThat(store.targets()).isEmpty();
  }

  @Test
  void store_hintLargerThanASegment_isRefusedNamingTheLimit() {
    Cell big = Cell.value(new byte[1024], 1);

    assertThatThrownBy(() -> store.store(N1, key("big"), big, NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hints.segment_bytes (1024)")
        .hasMessageContaining("value 1024 bytes");
  }

  @Test
  void peek_skipsHintsOlderThanTheWindowAndCountsThem() throws IOException {
    store = reopen(SMALL.withWindowMillis(1_000));
    storeAll(store, N1, 0, 3, NOW);
    storeAll(store, N1, 3, 5, NOW + 2_000);

    assertThat(drain(store, N1, 10_000, NOW + 2_500)).containsExactlyElementsOf(range(3, 5));
    assertThat(store.stats().droppedExpired()).isEqualTo(3);
    assertThat(store.targets()).isEmpty();
  }

  @Test
  void peek_expiredHintAmongLiveOnes_isSkippedAndCountedOnceDelivered() throws IOException {
    store = reopen(SMALL.withWindowMillis(1_000));
    storeAll(store, N1, 0, 1, NOW);
    storeAll(store, N1, 1, 2, NOW - 5_000);
    storeAll(store, N1, 2, 3, NOW);

    HintBatch batch = store.peek(N1, 10_000, NOW);
    assertThat(cells(batch)).containsExactly(stored(0), stored(2));
    assertThat(store.peek(N1, 10_000, NOW).cells()).hasSize(2);
    assertThat(store.stats().droppedExpired()).isZero();

    store.delivered(batch);
    assertThat(store.stats().droppedExpired()).isEqualTo(1);
    assertThat(store.pendingBytes(N1)).isZero();
  }

  @Test
  void delivered_deletesConsumedSegmentsAndTheDrainedActiveOne() throws IOException {
    storeAll(store, N1, 0, 60, NOW);
    int before = segments(N1).size();
    assertThat(before).isGreaterThan(2);

    HintBatch batch = store.peek(N1, 1500, NOW);
    store.delivered(batch);
    assertThat(segments(N1).size()).isLessThan(before);

    drain(store, N1, 1500, NOW);
    assertThat(segments(N1)).isEmpty();
    assertThat(store.pendingBytes(N1)).isZero();
    assertThat(store.targets()).isEmpty();

    storeAll(store, N1, 60, 61, NOW);
    assertThat(drain(store, N1, 1500, NOW)).containsExactly(stored(60));
  }

  @Test
  void delivered_sameBatchTwice_consumesItOnce() throws IOException {
    storeAll(store, N1, 0, 5, NOW);
    HintBatch batch = store.peek(N1, 1, NOW);

    store.delivered(batch);
    store.delivered(batch);

    assertThat(cells(store.peek(N1, 1, NOW))).containsExactly(stored(1));
    assertThat(store.stats().delivered()).isEqualTo(1);
  }

  @Test
  void delivered_batchOfAnotherStore_isRefused() throws IOException {
    storeAll(store, N1, 0, 2, NOW);
    HintBatch batch = store.peek(N1, 1, NOW);
    HintBatch forged = new HintBatch(N2, batch.cells(), batch.bytes(), batch.position());

    assertThatThrownBy(() -> store.delivered(forged))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("n2");
  }

  @Test
  void targets_areThoseWithPendingHints() throws IOException {
    storeAll(store, N2, 0, 2, NOW);
    storeAll(store, N1, 2, 3, NOW);

    assertThat(store.targets()).containsExactly(N1, N2);
    drain(store, N2, 1000, NOW);
    assertThat(store.targets()).containsExactly(N1);
    assertThat(store.stats().pendingTargets()).isEqualTo(1);
    assertThat(store.stats().pendingBytes()).isEqualTo(store.pendingBytes(N1)).isPositive();
  }

  @Test
  void reopen_findsPendingHintsAndTheirBytes() throws IOException {
    storeAll(store, N1, 0, 40, NOW);
    storeAll(store, N2, 0, 3, NOW);
    long pending = store.pendingBytes(N1);

    store = reopen(SMALL);

    assertThat(store.targets()).containsExactly(N1, N2);
    assertThat(store.pendingBytes(N1)).isEqualTo(pending);
    assertThat(drain(store, N1, 500, NOW)).containsExactlyElementsOf(range(0, 40));
    assertThat(drain(store, N2, 500, NOW)).containsExactlyElementsOf(range(0, 3));
    assertThat(store.stats().corrupt()).isZero();
  }

  @Test
  void reopen_afterPartialDelivery_redeliversAtMostTheRestOfTheHeadSegment() throws IOException {
    storeAll(store, N1, 0, 40, NOW);
    int delivered = 0;
    for (int i = 0; i < 7; i++) {
      HintBatch batch = store.peek(N1, 1, NOW);
      store.delivered(batch);
      delivered++;
    }

    store = reopen(SMALL);
    List<Stored> after = drain(store, N1, 500, NOW);

    assertThat(after).endsWith(range(delivered, 40).toArray(Stored[]::new));
    int redelivered = after.size() - (40 - delivered);
    assertThat(redelivered).isBetween(0, delivered);
    assertThat(after).startsWith(range(delivered - redelivered, delivered).toArray(Stored[]::new));
  }

  @Test
  void reopen_newHintsFollowTheRecoveredOnes() throws IOException {
    storeAll(store, N1, 0, 10, NOW);
    store = reopen(SMALL);
    storeAll(store, N1, 10, 20, NOW);

    assertThat(drain(store, N1, 300, NOW)).containsExactlyElementsOf(range(0, 20));
  }

  @Test
  void store_segmentsLeftWithoutTheirMarker_arePickedUpNotOverwritten() throws IOException {
    storeAll(store, N1, 0, 30, NOW);
    store.close();
    fileSystem.delete(directory.resolve(HintFormat.TARGET_MARKER_PREFIX + N1.value()));

    store = HintStore.open(fileSystem, directory, SMALL);
    assertThat(store.targets()).isEmpty();
    storeAll(store, N1, 30, 31, NOW);

    assertThat(drain(store, N1, 1000, NOW)).containsExactlyElementsOf(range(0, 31));
  }

  @Test
  void store_targetsNamedLikeTheStoresOwnFiles_areOrdinaryTargets() throws IOException {
    List<NodeId> targets =
        List.of(NodeId.of("lock"), NodeId.of("target.n1"), NodeId.of("n1.target"));
    for (NodeId target : targets) {
      storeAll(store, target, 0, 2, NOW);
    }

    store = reopen(SMALL);

    assertThat(store.targets()).containsExactlyInAnyOrderElementsOf(targets);
    for (NodeId target : targets) {
      assertThat(drain(store, target, 1000, NOW)).containsExactlyElementsOf(range(0, 2));
    }
  }

  @Test
  void open_tornTailIsTruncated() throws IOException {
    storeAll(store, N1, 0, 5, NOW);
    store.close();
    Path last = segments(N1).getLast();
    long size = fileSystem.size(last);
    cut(last, size - 3);

    store = HintStore.open(fileSystem, directory, SMALL);

    long recordBytes = (size - HintFormat.SEGMENT_HEADER_BYTES) / 5;
    assertThat(fileSystem.size(last)).isEqualTo(size - recordBytes);
    assertThat(store.stats().corrupt()).isZero();
    assertThat(drain(store, N1, 1000, NOW)).containsExactlyElementsOf(range(0, 4));
  }

  @Test
  void open_lastRecordWithBadChecksumAtTheEnd_isATornTail() throws IOException {
    storeAll(store, N1, 0, 5, NOW);
    store.close();
    Path last = segments(N1).getLast();
    damage(last, fileSystem.size(last) - 1, new byte[] {(byte) 0xA5});

    store = HintStore.open(fileSystem, directory, SMALL);

    assertThat(store.stats().corrupt()).isZero();
    assertThat(drain(store, N1, 1000, NOW)).containsExactlyElementsOf(range(0, 4));
  }

  @Test
  void open_damagedMiddleRecord_dropsTheRestOfItsSegmentAndCounts() throws IOException {
    storeAll(store, N1, 0, 40, NOW);
    store.close();
    List<Path> files = segments(N1);
    assertThat(files).hasSizeGreaterThanOrEqualTo(2);
    Path first = files.getFirst();
    long recordBytes = HintRecord.encodedBytes(key(name(0)), value(0));
    int perSegment =
        (int) ((fileSystem.size(first) - HintFormat.SEGMENT_HEADER_BYTES) / recordBytes);
    // Damage the body of the third record of the first segment.
    damage(first, HintFormat.SEGMENT_HEADER_BYTES + 2 * recordBytes + 12, new byte[] {0x55, 0x55});

    store = HintStore.open(fileSystem, directory, SMALL);

    assertThat(store.stats().corrupt()).isEqualTo(1);
    List<Stored> expected = new ArrayList<>(range(0, 2));
    expected.addAll(range(perSegment, 40));
    assertThat(drain(store, N1, 1000, NOW)).containsExactlyElementsOf(expected);
  }

  @Test
  void open_segmentWithABadHeader_isSetAsideAndCounted() throws IOException {
    storeAll(store, N1, 0, 40, NOW);
    store.close();
    Path first = segments(N1).getFirst();
    damage(first, 0, key("XXXX"));

    store = HintStore.open(fileSystem, directory, SMALL);

    assertThat(store.stats().corrupt()).isEqualTo(1);
    assertThat(fileSystem.exists(first)).isFalse();
    assertThat(fileSystem.exists(first.resolveSibling(first.getFileName() + ".corrupt"))).isTrue();
    List<Stored> after = drain(store, N1, 1000, NOW);
    assertThat(after).isNotEmpty().endsWith(stored(39));
    assertThat(after).doesNotContain(stored(0));
  }

  @Test
  void peek_damageFoundWhileOpen_dropsTheRestOfTheSegmentAndCounts() throws IOException {
    storeAll(store, N1, 0, 5, NOW);
    Path active = segments(N1).getLast();
    long recordBytes = HintRecord.encodedBytes(key(name(0)), value(0));
    damage(active, HintFormat.SEGMENT_HEADER_BYTES + recordBytes + 12, new byte[] {0x55});

    assertThat(drain(store, N1, 1000, NOW)).containsExactly(stored(0));
    assertThat(store.stats().corrupt()).isEqualTo(1);

    storeAll(store, N1, 5, 7, NOW);
    assertThat(drain(store, N1, 1000, NOW)).containsExactlyElementsOf(range(5, 7));
  }

  @Test
  void open_aSecondStoreOnTheSameDirectory_isRefused() {
    assertThatThrownBy(() -> HintStore.open(fileSystem, directory, SMALL))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("lock");
  }

  @Test
  void close_thenStore_isRefused() throws IOException {
    store.close();

    assertThatThrownBy(() -> store.store(N1, key("k"), value(1), NOW))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void store_fromSeveralThreads_keepsEveryHintInEachThreadsOrder() throws Exception {
    int threads = 4;
    int perThread = 150;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Callable<Integer> writer =
            () -> {
              start.await();
              int kept = 0;
              for (int i = 0; i < perThread; i++) {
                NodeId target = i % 2 == 0 ? N1 : N2;
                String name = "t" + thread + "-" + i;
                if (store.store(target, key(name), value(i), NOW)) {
                  kept++;
                }
              }
              return kept;
            };
        results.add(pool.submit(writer));
      }
      start.countDown();
      int kept = 0;
      for (Future<Integer> result : results) {
        kept += result.get(60, TimeUnit.SECONDS);
      }
      assertThat(kept).isEqualTo(threads * perThread);
    } finally {
      pool.shutdownNow();
    }

    List<Stored> all = new ArrayList<>(drain(store, N1, 700, NOW));
    all.addAll(drain(store, N2, 700, NOW));
    assertThat(all).hasSize(threads * perThread).doesNotHaveDuplicates();
    for (int t = 0; t < threads; t++) {
      String prefix = "t" + t + "-";
      List<Integer> order =
          all.stream()
              .filter(hint -> hint.key().startsWith(prefix))
              .map(hint -> Integer.parseInt(hint.key().substring(prefix.length())))
              .toList();
      List<Integer> evens = order.stream().filter(i -> i % 2 == 0).toList();
      List<Integer> odds = order.stream().filter(i -> i % 2 == 1).toList();
      assertThat(evens).as("thread %d to n1", t).isSorted().hasSize(perThread / 2);
      assertThat(odds).as("thread %d to n2", t).isSorted().hasSize(perThread / 2);
    }
    assertThat(store.stats().stored()).isEqualTo(threads * perThread);
  }

  @Test
  void store_fromSeveralThreadsAgainstTheBound_neverPassesIt() throws Exception {
    store = reopen(SMALL.withSizes(4096, 1024).withDurability(Durability.NONE));
    int threads = 4;
    int perThread = 100;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    int kept = 0;
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  int ok = 0;
                  for (int i = 0; i < perThread; i++) {
                    if (store.store(N1, key("t" + thread + "-" + i), value(i), NOW)) {
                      ok++;
                    }
                  }
                  return ok;
                }));
      }
      start.countDown();
      for (Future<Integer> result : results) {
        kept += result.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    HintStats stats = store.stats();
    assertThat(stats.stored()).isEqualTo(kept);
    assertThat(stats.stored() + stats.droppedFull()).isEqualTo(threads * perThread);
    assertThat(store.pendingBytes(N1)).isLessThanOrEqualTo(4096);
    assertThat(drain(store, N1, 1000, NOW)).hasSize(kept);
  }
}
