package io.ringkv.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.ManualClock;
import io.ringkv.common.Rng;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every {@link StorageEngine} must do, as tests: a subclass names its engine and opens it, and
 * inherits every test here. The engines differ in how they store data, never in what a caller sees.
 *
 * <p>Each test starts with a fresh engine in a temporary directory ({@link #engine}), a {@link
 * ManualClock} that moves only when a test moves it ({@link #clock}), and a small memtable so that
 * a few hundred kilobytes of writes already flush tables. {@link #reopen()} closes and reopens the
 * engine on the same directory.
 *
 * <p>The randomized model test runs a seeded random sequence of operations against the engine and
 * against a {@link TreeMap} in unsigned key order, and compares every read. Its seed comes from the
 * system property {@code storage.model.seed} when set (to replay a failure: {@code
 * -Dstorage.model.seed=...}), else from a fixed list; every assertion names the seed and the
 * operation index. {@code -Dringkv.long=true} runs ten times as many operations.
 */
public abstract class StorageEngineContract {
  /** Wall-clock time the {@link ManualClock} starts at: 2023-11-14, far from 0. */
  protected static final long START_MILLIS = 1_700_000_000_000L;

  private static final HexFormat HEX = HexFormat.of();

  @TempDir protected Path temporaryDirectory;

  /** The clock every engine of a test uses; moves only when the test moves it. */
  protected ManualClock clock;

  /** The engine under test, open at the start of each test. */
  protected StorageEngine engine;

  /** The options {@link #engine} was opened with. */
  protected EngineOptions engineOptions;

  /** The value of {@link EngineOptions#engine()} for the engine under test. */
  protected abstract String engineName();

  /** Opens the engine under test with {@code options}. */
  protected abstract StorageEngine open(EngineOptions options) throws StorageException;

  /**
   * The options tests open engines with: the defaults, with this engine's name, {@link #clock}, a
   * 256 KiB memtable so that flushes happen, 1 MiB log segments, values up to 512 KiB and an 8 MiB
   * block cache.
   */
  protected EngineOptions options(Path directory) {
    return EngineOptions.defaults(directory).toBuilder()
        .engine(engineName())
        .clock(clock)
        .memtableBytes(256 << 10)
        .walSegmentBytes(1 << 20)
        .valueBytesMax(512 << 10)
        .blockCacheBytes(8 << 20)
        .build()
        .validate();
  }

  @BeforeEach
  void openEngine() throws StorageException {
    clock = new ManualClock(0, START_MILLIS);
    engineOptions = options(temporaryDirectory.resolve("db"));
    engine = open(engineOptions);
  }

  @AfterEach
  void closeEngine() throws StorageException {
    if (engine != null) {
      engine.close();
    }
  }

  /** Closes {@link #engine} and opens it again on the same directory and options. */
  protected void reopen() throws StorageException {
    engine.close();
    engine = null;
    engine = open(engineOptions);
  }

  // --- point reads and writes ---

  @Test
  void put_getReturnsTheCell() throws StorageException {
    Cell cell = Cell.value(bytes("v1"), 10);

    engine.put(bytes("a"), cell, Durability.NONE);

    assertThat(engine.get(bytes("a"))).isEqualTo(cell);
    assertThat(engine.getLive(bytes("a"))).isEqualTo(cell);
  }

  @Test
  void get_missingKeyReturnsNull() throws StorageException {
    engine.put(bytes("a"), Cell.value(bytes("v"), 1), Durability.NONE);

    assertThat(engine.get(bytes("b"))).isNull();
    assertThat(engine.getLive(bytes("b"))).isNull();
    assertThat(engine.get(bytes("a\0"))).isNull();
  }

  @Test
  void put_overwriteReturnsNewestWriteEvenWithSmallerTimestamp() throws StorageException {
    // The engine orders versions by when they were written; reconciling by timestamp is the
    // cluster's job (Cell's Javadoc).
    engine.put(bytes("k"), Cell.value(bytes("first"), 100), Durability.NONE);
    engine.put(bytes("k"), Cell.value(bytes("second"), 5), Durability.NONE);

    assertThat(engine.get(bytes("k"))).isEqualTo(Cell.value(bytes("second"), 5));

    engine.flush();
    engine.put(bytes("k"), Cell.value(bytes("third"), 1), Durability.NONE);

    assertThat(engine.get(bytes("k"))).isEqualTo(Cell.value(bytes("third"), 1));
  }

  @Test
  void delete_leavesATombstoneWithItsTimestamp() throws StorageException {
    engine.put(bytes("k"), Cell.value(bytes("v"), 1), Durability.NONE);

    engine.delete(bytes("k"), 42, Durability.NONE);

    assertThat(engine.get(bytes("k"))).isEqualTo(stored(Cell.tombstone(42)));
    assertThat(engine.getLive(bytes("k"))).isNull();

    engine.flush();
    engine.compact();

    assertThat(engine.get(bytes("k"))).isEqualTo(stored(Cell.tombstone(42)));
    assertThat(engine.getLive(bytes("k"))).isNull();
  }

  @Test
  void put_versionExpiryAndEmptyValueRoundTrip() throws StorageException {
    Cell full =
        Cell.value(bytes("value"), -7)
            .withExpiry(START_MILLIS + 60_000)
            .withVersion(new byte[] {1, 2, 3, (byte) 0xFF});
    Cell empty = Cell.value(new byte[0], 8);
    Cell versionedTombstone = Cell.tombstone(9).withVersion(new byte[] {4});

    engine.put(bytes("full"), full, Durability.NONE);
    engine.put(bytes("empty"), empty, Durability.NONE);
    engine.put(bytes("gone"), versionedTombstone, Durability.NONE);

    assertRoundTrip(full, empty, stored(versionedTombstone));
    engine.flush();
    assertRoundTrip(full, empty, stored(versionedTombstone));
    reopen();
    assertRoundTrip(full, empty, stored(versionedTombstone));
  }

  private void assertRoundTrip(Cell full, Cell empty, Cell versionedTombstone)
      throws StorageException {
    assertThat(engine.get(bytes("full"))).isEqualTo(full);
    assertThat(engine.get(bytes("empty"))).isEqualTo(empty);
    assertThat(engine.get(bytes("empty")).isTombstone()).isFalse();
    assertThat(engine.getLive(bytes("empty"))).isEqualTo(empty);
    assertThat(engine.get(bytes("gone"))).isEqualTo(versionedTombstone);
  }

  @Test
  void getLive_returnsNullOnceTheClockPassesTheExpiry() throws StorageException {
    Cell cell = Cell.value(bytes("v"), 1).withExpiry(START_MILLIS + 1_000);
    engine.put(bytes("k"), cell, Durability.NONE);

    clock.advanceNanos(999 * 1_000_000L);
    assertThat(engine.getLive(bytes("k"))).isEqualTo(cell);

    clock.advanceNanos(1_000_000L);
    assertThat(engine.getLive(bytes("k"))).isNull();
    assertThat(engine.get(bytes("k"))).isEqualTo(cell);

    engine.flush();
    engine.compact();
    assertThat(engine.getLive(bytes("k"))).isNull();
    assertThat(engine.get(bytes("k"))).isEqualTo(cell);
  }

  // --- scans ---

  @Test
  void scan_ordersKeysUnsignedLexicographically() throws StorageException {
    List<byte[]> ordered =
        List.of(
            key(),
            key(0x00),
            key(0x00, 0x00),
            key(0x00, 0x01),
            key(0x01),
            key(0x7F),
            key(0x7F, 0xFF),
            key(0x80),
            key(0x80, 0x00),
            key(0xFF),
            key(0xFF, 0x00),
            key(0xFF, 0xFF));
    // Written in a scrambled order, half of them flushed to a table, half left in memory.
    int[] writeOrder = {7, 0, 11, 3, 9, 5, 1, 10, 2, 8, 4, 6};
    for (int i = 0; i < writeOrder.length; i++) {
      int index = writeOrder[i];
      engine.put(ordered.get(index), Cell.value(new byte[] {(byte) index}, index), Durability.NONE);
      if (i == writeOrder.length / 2) {
        engine.flush();
      }
    }
    List<Map.Entry<String, Cell>> expected = new ArrayList<>();
    for (int i = 0; i < ordered.size(); i++) {
      expected.add(Map.entry(HEX.formatHex(ordered.get(i)), Cell.value(new byte[] {(byte) i}, i)));
    }

    assertThat(scanAll(KeyRange.ALL, ScanMode.ALL)).containsExactlyElementsOf(expected);
    assertThat(scanAll(KeyRange.ALL, ScanMode.LIVE)).containsExactlyElementsOf(expected);

    engine.flush();
    engine.compact();

    assertThat(scanAll(KeyRange.ALL, ScanMode.ALL)).containsExactlyElementsOf(expected);
  }

  @Test
  void scan_fromIsInclusiveToIsExclusiveAndNullIsOpen() throws StorageException {
    for (String key : List.of("", "a", "b", "b\0", "bb", "c", "d")) {
      engine.put(bytes(key), Cell.value(bytes("v" + key), 1), Durability.NONE);
    }
    engine.flush();
    engine.put(bytes("ba"), Cell.value(bytes("vba"), 1), Durability.NONE);

    assertThat(scanKeys(range("b", "d"))).containsExactly("b", "b\0", "ba", "bb", "c");
    assertThat(scanKeys(range(null, "b"))).containsExactly("", "a");
    assertThat(scanKeys(range("bb", null))).containsExactly("bb", "c", "d");
    assertThat(scanKeys(range("b\0", "bb"))).containsExactly("b\0", "ba");
    assertThat(scanKeys(range("a0", "az"))).isEmpty();
    assertThat(scanKeys(range("c", "c"))).isEmpty();
    assertThat(scanKeys(range(null, ""))).isEmpty();
    assertThat(scanKeys(range("", "a"))).containsExactly("");
    assertThat(scanKeys(range("e", null))).isEmpty();
    assertThat(scanKeys(KeyRange.ALL)).containsExactly("", "a", "b", "b\0", "ba", "bb", "c", "d");
  }

  @Test
  void scan_liveSkipsTombstonesAndExpiredCellsAllReturnsThem() throws StorageException {
    Cell live = Cell.value(bytes("live"), 1);
    Cell tombstone = stored(Cell.tombstone(2));
    Cell expired = Cell.value(bytes("expired"), 3).withExpiry(START_MILLIS);
    Cell expiring = Cell.value(bytes("expiring"), 4).withExpiry(START_MILLIS + 500);
    Cell forever = Cell.value(bytes("forever"), 5);
    engine.put(bytes("a"), live, Durability.NONE);
    engine.put(bytes("b"), Cell.value(bytes("was here"), 0), Durability.NONE);
    engine.flush();
    engine.put(bytes("b"), tombstone, Durability.NONE);
    engine.put(bytes("c"), expired, Durability.NONE);
    engine.put(bytes("d"), expiring, Durability.NONE);
    engine.put(bytes("e"), forever, Durability.NONE);

    assertThat(scanAll(KeyRange.ALL, ScanMode.LIVE))
        .containsExactly(
            Map.entry(hex("a"), live), Map.entry(hex("d"), expiring), Map.entry(hex("e"), forever));
    assertThat(scanAll(KeyRange.ALL, ScanMode.ALL))
        .containsExactly(
            Map.entry(hex("a"), live),
            Map.entry(hex("b"), tombstone),
            Map.entry(hex("c"), expired),
            Map.entry(hex("d"), expiring),
            Map.entry(hex("e"), forever));

    clock.advanceNanos(500 * 1_000_000L);

    assertThat(scanAll(KeyRange.ALL, ScanMode.LIVE))
        .containsExactly(Map.entry(hex("a"), live), Map.entry(hex("e"), forever));
    assertThat(scanAll(KeyRange.ALL, ScanMode.ALL)).hasSize(5);
  }

  @Test
  void scan_isAPointInTimeView() throws StorageException {
    List<Map.Entry<String, Cell>> before = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      Cell cell = Cell.value(bytes("value " + i), i);
      engine.put(numberedKey(i), cell, Durability.NONE);
      before.add(Map.entry(HEX.formatHex(numberedKey(i)), cell));
    }
    List<Map.Entry<String, Cell>> seenAll = new ArrayList<>();
    List<Map.Entry<String, Cell>> seenLive = new ArrayList<>();
    try (CellIterator all = engine.scan(KeyRange.ALL, ScanMode.ALL);
        CellIterator live = engine.scan(KeyRange.ALL, ScanMode.LIVE)) {
      for (int i = 0; i < 10; i++) {
        seenAll.add(entry(all.next()));
      }

      engine.put(numberedKey(5), Cell.value(bytes("overwritten"), 1_000), Durability.NONE);
      engine.put(numberedKey(50), Cell.value(bytes("overwritten"), 1_000), Durability.NONE);
      engine.delete(numberedKey(60), 1_000, Durability.NONE);
      engine.put(numberedKey(1_000), Cell.value(bytes("new"), 1_000), Durability.NONE);
      engine.put(bytes("zzz"), Cell.value(bytes("new"), 1_000), Durability.NONE);
      engine.flush();
      engine.compact();
      engine.delete(numberedKey(70), 1_001, Durability.NONE);

      all.forEachRemaining(keyCell -> seenAll.add(entry(keyCell)));
      live.forEachRemaining(keyCell -> seenLive.add(entry(keyCell)));
    }

    assertThat(seenAll).containsExactlyElementsOf(before);
    assertThat(seenLive).containsExactlyElementsOf(before);
    assertThat(engine.get(numberedKey(60))).isEqualTo(stored(Cell.tombstone(1_000)));
    assertThat(scanAll(KeyRange.ALL, ScanMode.LIVE)).hasSize(100 + 2 - 2);
  }

  @Test
  void scan_iteratorEndsWithNoSuchElementAndClosesTwice() throws StorageException {
    engine.put(bytes("a"), Cell.value(bytes("v"), 1), Durability.NONE);

    CellIterator iterator = engine.scan(KeyRange.ALL, ScanMode.LIVE);
    assertThat(iterator.hasNext()).isTrue();
    assertThat(iterator.next().key()).isEqualTo(bytes("a"));
    assertThat(iterator.hasNext()).isFalse();
    assertThatThrownBy(iterator::next).isInstanceOf(NoSuchElementException.class);
    iterator.close();
    assertThatCode(iterator::close).doesNotThrowAnyException();
  }

  // --- batches ---

  @Test
  void write_batchAppliesEveryEntryAndLaterEntriesWin() throws StorageException {
    engine.put(bytes("c"), Cell.value(bytes("old"), 1), Durability.NONE);
    WriteBatch batch =
        new WriteBatch()
            .put(bytes("a"), Cell.value(bytes("a1"), 10))
            .put(bytes("b"), Cell.value(bytes("b1"), 11))
            .put(bytes("a"), Cell.value(bytes("a2"), 12))
            .delete(bytes("c"), 13)
            .delete(bytes("b"), 14)
            .put(bytes("d"), Cell.value(bytes("d1"), 15).withVersion(new byte[] {9}));

    engine.write(batch, Durability.SYNC);

    assertThat(engine.get(bytes("a"))).isEqualTo(Cell.value(bytes("a2"), 12));
    assertThat(engine.get(bytes("b"))).isEqualTo(stored(Cell.tombstone(14)));
    assertThat(engine.get(bytes("c"))).isEqualTo(stored(Cell.tombstone(13)));
    assertThat(engine.get(bytes("d")))
        .isEqualTo(Cell.value(bytes("d1"), 15).withVersion(new byte[] {9}));
    reopen();
    assertThat(engine.get(bytes("a"))).isEqualTo(Cell.value(bytes("a2"), 12));
    assertThat(engine.get(bytes("b"))).isEqualTo(stored(Cell.tombstone(14)));
  }

  @Test
  void write_emptyBatchChangesNothing() throws StorageException {
    engine.write(new WriteBatch(), Durability.SYNC);

    assertThat(scanAll(KeyRange.ALL, ScanMode.ALL)).isEmpty();
  }

  // --- durability across reopen ---

  /** What a test does before it closes the engine. */
  enum BeforeClose {
    NOTHING,
    FLUSH,
    COMPACT
  }

  static Stream<Arguments> durabilitiesAndActions() {
    List<Arguments> cases = new ArrayList<>();
    for (Durability durability : Durability.values()) {
      for (BeforeClose action : BeforeClose.values()) {
        cases.add(Arguments.of(durability, action));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} then {1}")
  @MethodSource("durabilitiesAndActions")
  void close_dataSurvivesReopen(Durability durability, BeforeClose action) throws StorageException {
    TreeMap<byte[], Cell> written = new TreeMap<>(Arrays::compareUnsigned);
    for (int i = 0; i < 300; i++) {
      byte[] key = numberedKey(i % 200);
      Cell cell =
          switch (i % 7) {
            case 0 -> Cell.tombstone(i);
            case 1 -> Cell.value(bytes("expiring " + i), i).withExpiry(START_MILLIS + i);
            case 2 -> Cell.value(bytes("versioned " + i), i).withVersion(bytes("v" + i));
            default -> Cell.value(bytes("value " + i), i);
          };
      engine.put(key, cell, durability);
      written.put(key, stored(cell));
    }
    engine.write(new WriteBatch().put(bytes("batched"), Cell.value(bytes("b"), 1)), durability);
    written.put(bytes("batched"), Cell.value(bytes("b"), 1));
    switch (action) {
      case NOTHING -> {}
      case FLUSH -> engine.flush();
      case COMPACT -> {
        engine.flush();
        engine.compact();
      }
    }

    reopen();

    for (Map.Entry<byte[], Cell> entry : written.entrySet()) {
      assertThat(engine.get(entry.getKey()))
          .as("key %s", HEX.formatHex(entry.getKey()))
          .isEqualTo(entry.getValue());
    }
    assertThat(scanAll(KeyRange.ALL, ScanMode.ALL)).containsExactlyElementsOf(entries(written));
  }

  @Test
  void close_manyKeysOverSeveralMemtablesSurviveReopen() throws StorageException {
    int keys = 20_000;
    long seed = 20_000L;
    Rng rng = new Rng(seed);
    byte[][] values = new byte[keys][];
    for (int i = 0; i < keys; i++) {
      // Written in a scrambled order so that every table overlaps every other.
      int index = (int) ((i * 7_919L) % keys);
      byte[] value = new byte[rng.nextInt(100, 1_001)];
      rng.nextBytes(value);
      values[index] = value;
      engine.put(numberedKey(index), Cell.value(value, index), Durability.NONE);
    }
    assertThat(engine.stats().flushes()).as("memtables flushed").isGreaterThan(1);

    reopen();

    for (int i = 0; i < keys; i++) {
      assertThat(engine.get(numberedKey(i)))
          .as("key %d (seed %d)", i, seed)
          .isEqualTo(Cell.value(values[i], i));
    }
    int scanned = 0;
    try (CellIterator iterator = engine.scan(KeyRange.ALL, ScanMode.LIVE)) {
      while (iterator.hasNext()) {
        CellIterator.KeyCell keyCell = iterator.next();
        assertThat(keyCell.key()).as("scan position %d", scanned).isEqualTo(numberedKey(scanned));
        assertThat(keyCell.cell().value()).isEqualTo(values[scanned]);
        scanned++;
      }
    }
    assertThat(scanned).isEqualTo(keys);
  }

  // --- limits ---

  @Test
  void put_keyOverKeyBytesMaxIsRefusedAndNothingStored() throws StorageException {
    int max = engineOptions.keyBytesMax();
    byte[] tooLong = new byte[max + 1];

    assertThatThrownBy(() -> engine.put(tooLong, Cell.value(bytes("v"), 1), Durability.NONE))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("key_bytes_max")
        .hasMessageContaining(Integer.toString(max + 1))
        .hasMessageContaining(Integer.toString(max));
    assertThat(engine.get(tooLong)).isNull();
    assertThat(scanAll(KeyRange.ALL, ScanMode.ALL)).isEmpty();

    byte[] longest = new byte[max];
    engine.put(longest, Cell.value(bytes("v"), 1), Durability.NONE);
    assertThat(engine.get(longest)).isEqualTo(Cell.value(bytes("v"), 1));
  }

  @Test
  void put_valueOverValueBytesMaxIsRefusedAndNothingStored() throws StorageException {
    int max = engineOptions.valueBytesMax();

    assertThatThrownBy(
            () -> engine.put(bytes("k"), Cell.value(new byte[max + 1], 1), Durability.NONE))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("value_bytes_max")
        .hasMessageContaining(Integer.toString(max));
    assertThat(engine.get(bytes("k"))).isNull();

    Cell largest = Cell.value(new byte[max], 2);
    engine.put(bytes("k"), largest, Durability.NONE);
    assertThat(engine.get(bytes("k"))).isEqualTo(largest);
  }

  @Test
  void write_batchWithOneOversizedEntryStoresNothing() throws StorageException {
    WriteBatch batch =
        new WriteBatch()
            .put(bytes("fine"), Cell.value(bytes("v"), 1))
            .put(bytes("big"), Cell.value(new byte[engineOptions.valueBytesMax() + 1], 1));

    assertThatThrownBy(() -> engine.write(batch, Durability.NONE))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("value_bytes_max");
    assertThat(engine.get(bytes("fine"))).isNull();
    assertThat(engine.get(bytes("big"))).isNull();
  }

  @Test
  void write_batchOverWalSegmentBytesIsRefusedAndNothingStored() throws StorageException {
    // An atomic batch must fit in one log segment; WriteLimits checks it for every engine.
    WriteBatch batch = new WriteBatch();
    int valueBytes = engineOptions.valueBytesMax();
    int entries = (int) (engineOptions.walSegmentBytes() / valueBytes) + 1;
    for (int i = 0; i < entries; i++) {
      batch.put(numberedKey(i), Cell.value(new byte[valueBytes], i));
    }

    assertThatThrownBy(() -> engine.write(batch, Durability.NONE))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("wal_segment_bytes");
    assertThat(engine.get(numberedKey(0))).isNull();
  }

  @Test
  void put_nullKeyIsRefused() {
    assertThatThrownBy(() -> engine.put(null, Cell.value(bytes("v"), 1), Durability.NONE))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("key");
  }

  @Test
  void put_emptyKeyIsAnOrdinaryKey() throws StorageException {
    engine.put(new byte[0], Cell.value(bytes("empty key"), 1), Durability.NONE);
    engine.flush();
    engine.put(new byte[] {0}, Cell.value(bytes("zero"), 2), Durability.NONE);

    assertThat(engine.get(new byte[0])).isEqualTo(Cell.value(bytes("empty key"), 1));
    assertThat(scanKeys(KeyRange.ALL)).containsExactly("", "\0");

    engine.delete(new byte[0], 3, Durability.NONE);
    assertThat(engine.get(new byte[0])).isEqualTo(stored(Cell.tombstone(3)));
  }

  // --- lifecycle ---

  @Test
  void close_laterOperationsThrowAndCloseIsIdempotent() throws StorageException {
    engine.put(bytes("k"), Cell.value(bytes("v"), 1), Durability.NONE);
    StorageEngine closed = engine;
    closed.close();
    engine = null;

    List<ThrowingCall> calls =
        List.of(
            () -> closed.put(bytes("k"), Cell.value(bytes("v"), 2), Durability.NONE),
            () -> closed.delete(bytes("k"), 2, Durability.SYNC),
            () -> closed.write(new WriteBatch().delete(bytes("k"), 3), Durability.NONE),
            () -> closed.get(bytes("k")),
            () -> closed.getLive(bytes("k")),
            () -> closed.scan(KeyRange.ALL, ScanMode.ALL).close(),
            closed::flush,
            closed::compact,
            closed::sync);
    for (ThrowingCall call : calls) {
      assertThatThrownBy(call::run)
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("closed");
    }
    assertThatCode(closed::close).doesNotThrowAnyException();
  }

  /** A call on an engine that may throw. */
  interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void put_concurrentWritersAllLand() throws Exception {
    int writers = 4;
    int keysPerWriter = 2_000;
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService executor = Executors.newFixedThreadPool(writers + 1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        futures.add(
            executor.submit(
                () -> {
                  for (int i = 0; i < keysPerWriter; i++) {
                    // Mostly unsynced, with a synced write now and then, and a batch now and
                    // then, so that every write path runs concurrently.
                    Durability durability =
                        i % 100 == 0
                            ? Durability.SYNC
                            : i % 2 == 0 ? Durability.PERIODIC : Durability.NONE;
                    byte[] key = writerKey(writer, i);
                    Cell cell = Cell.value(bytes("w" + writer + " i" + i), i);
                    if (i % 10 == 0) {
                      engine.write(new WriteBatch().put(key, cell), durability);
                    } else {
                      engine.put(key, cell, durability);
                    }
                  }
                  return null;
                }));
      }
      // A reader that reads and scans while the writers write.
      Future<?> reader =
          executor.submit(
              () -> {
                while (writing.get()) {
                  engine.get(writerKey(0, 0));
                  try (CellIterator iterator = engine.scan(KeyRange.ALL, ScanMode.LIVE)) {
                    for (int i = 0; i < 50 && iterator.hasNext(); i++) {
                      iterator.next();
                    }
                  }
                }
                return null;
              });
      for (Future<?> future : futures) {
        future.get(60, TimeUnit.SECONDS);
      }
      writing.set(false);
      reader.get(60, TimeUnit.SECONDS);
    } finally {
      writing.set(false);
      executor.shutdownNow();
      assertThat(executor.awaitTermination(60, TimeUnit.SECONDS)).as("threads ended").isTrue();
    }

    for (int w = 0; w < writers; w++) {
      for (int i = 0; i < keysPerWriter; i++) {
        assertThat(engine.get(writerKey(w, i)))
            .as("writer %d key %d", w, i)
            .isEqualTo(Cell.value(bytes("w" + w + " i" + i), i));
      }
    }
    assertThat(scanAll(KeyRange.ALL, ScanMode.LIVE)).hasSize(writers * keysPerWriter);
  }

  private static byte[] writerKey(int writer, int i) {
    return bytes(String.format("writer-%d-%06d", writer, i));
  }

  @Test
  void stats_countUserBytesAndTables() throws StorageException {
    assertThat(engine.stats().userBytesWritten()).isZero();
    long keyAndValueBytes = 0;
    for (int i = 0; i < 1_000; i++) {
      byte[] key = numberedKey(i);
      byte[] value = new byte[200];
      engine.put(key, Cell.value(value, i), Durability.NONE);
      keyAndValueBytes += key.length + value.length;
    }
    EngineStats beforeFlush = engine.stats();
    assertThat(beforeFlush.userBytesWritten()).isGreaterThanOrEqualTo(keyAndValueBytes);

    engine.flush();
    engine.put(bytes("one more"), Cell.value(bytes("v"), 1), Durability.NONE);
    EngineStats afterFlush = engine.stats();

    assertThat(afterFlush.userBytesWritten()).isGreaterThan(beforeFlush.userBytesWritten());
    assertThat(afterFlush.filesPerLevel()).isNotEmpty();
    assertThat(afterFlush.filesPerLevel().stream().mapToInt(Integer::intValue).sum()).isPositive();
    assertThat(afterFlush.bytesPerLevel()).hasSameSizeAs(afterFlush.filesPerLevel());
    assertThat(afterFlush.flushes()).isPositive();
    assertThat(afterFlush.flushBytesWritten()).isPositive();
    assertThat(afterFlush.liveDataBytes()).isPositive();
    assertThat(afterFlush.writeAmplification()).isPositive();
  }

  // --- the randomized model test ---

  static Stream<Long> modelSeeds() {
    String seed = System.getProperty("storage.model.seed");
    if (seed != null) {
      return Stream.of(Long.decode(seed));
    }
    return Stream.of(0x5EED_0001L, 7L, 20_240_607L);
  }

  /** Every byte a model key is made of: both ends and both sides of the sign bit. */
  private static final byte[] MODEL_KEY_BYTES = {0x00, 0x01, 0x7F, (byte) 0x80, (byte) 0xFF};

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("modelSeeds")
  void randomOperations_matchATreeMapModel(long seed) throws StorageException {
    int operations = Boolean.getBoolean("ringkv.long") ? 50_000 : 5_000;
    Rng rng = new Rng(seed);
    TreeMap<byte[], Cell> model = new TreeMap<>(Arrays::compareUnsigned);
    for (int op = 0; op < operations; op++) {
      int dice = rng.nextInt(1_000);
      if (dice < 300) {
        byte[] key = modelKey(rng);
        Cell cell = modelCell(rng);
        engine.put(key, cell, modelDurability(rng));
        model.put(key, stored(cell));
      } else if (dice < 380) {
        byte[] key = modelKey(rng);
        long timestamp = rng.nextLong();
        engine.delete(key, timestamp, modelDurability(rng));
        model.put(key, stored(Cell.tombstone(timestamp)));
      } else if (dice < 460) {
        WriteBatch batch = new WriteBatch();
        int size = rng.nextInt(1, 9);
        for (int i = 0; i < size; i++) {
          batch.put(modelKey(rng), modelCell(rng));
        }
        engine.write(batch, modelDurability(rng));
        for (WriteBatch.Entry entry : batch.entries()) {
          model.put(entry.key(), stored(entry.cell()));
        }
      } else if (dice < 680) {
        byte[] key = modelKey(rng);
        Cell expected = model.get(key);
        String where = describe(seed, op, "get " + show(key));
        assertThat(engine.get(key)).as(where).isEqualTo(expected);
        assertThat(engine.getLive(key))
            .as(where + " (live)")
            .isEqualTo(expected != null && expected.isLive(clock.epochMillis()) ? expected : null);
      } else if (dice < 820) {
        modelScan(rng, model, seed, op);
      } else if (dice < 880) {
        clock.advanceNanos(rng.nextInt(3_000) * 1_000_000L);
      } else if (dice < 930) {
        engine.flush();
      } else if (dice < 950) {
        engine.compact();
      } else if (dice < 970) {
        engine.sync();
      } else if (dice < 975) {
        reopen();
      } else {
        // Overwrite a key that certainly exists, so that versions pile up in every layer.
        if (!model.isEmpty()) {
          byte[] key = model.ceilingKey(modelKey(rng));
          key = key != null ? key : model.firstKey();
          Cell cell = modelCell(rng);
          engine.put(key, cell, Durability.NONE);
          model.put(key, stored(cell));
        }
      }
    }
    assertThat(scanAll(KeyRange.ALL, ScanMode.ALL))
        .as(describe(seed, operations, "final scan"))
        .containsExactlyElementsOf(entries(model));
    reopen();
    assertThat(scanAll(KeyRange.ALL, ScanMode.ALL))
        .as(describe(seed, operations, "final scan after reopen"))
        .containsExactlyElementsOf(entries(model));
  }

  /**
   * Scans a random range in a random mode, and compares it with the model as it was when the scan
   * opened, after changing the engine (and the model) while the scan is open now and then.
   */
  private void modelScan(Rng rng, TreeMap<byte[], Cell> model, long seed, int op)
      throws StorageException {
    byte[] from = rng.chance(0.3) ? null : modelKey(rng);
    byte[] to = rng.chance(0.3) ? null : modelKey(rng);
    if (from != null && to != null && Arrays.compareUnsigned(from, to) > 0) {
      byte[] swap = from;
      from = to;
      to = swap;
    }
    ScanMode mode = rng.nextBoolean() ? ScanMode.LIVE : ScanMode.ALL;
    KeyRange range = new KeyRange(from, to);
    long nowMillis = clock.epochMillis();
    List<Map.Entry<String, Cell>> expected = new ArrayList<>();
    for (Map.Entry<byte[], Cell> entry : slice(model, from, to).entrySet()) {
      if (mode == ScanMode.ALL || entry.getValue().isLive(nowMillis)) {
        expected.add(Map.entry(HEX.formatHex(entry.getKey()), entry.getValue()));
      }
    }
    List<Map.Entry<String, Cell>> actual = new ArrayList<>();
    try (CellIterator iterator = engine.scan(range, mode)) {
      if (rng.chance(0.3)) {
        int writes = rng.nextInt(1, 6);
        for (int i = 0; i < writes; i++) {
          byte[] key = modelKey(rng);
          Cell cell = rng.chance(0.3) ? Cell.tombstone(rng.nextLong()) : modelCell(rng);
          engine.put(key, cell, Durability.NONE);
          model.put(key, stored(cell));
        }
        if (rng.chance(0.3)) {
          engine.flush();
        }
      }
      iterator.forEachRemaining(keyCell -> actual.add(entry(keyCell)));
    }
    assertThat(actual)
        .as(describe(seed, op, "scan " + mode + " [" + show(from) + ", " + show(to) + ")"))
        .containsExactlyElementsOf(expected);
  }

  private static NavigableMap<byte[], Cell> slice(
      TreeMap<byte[], Cell> model, byte[] from, byte[] to) {
    if (from == null && to == null) {
      return model;
    }
    if (from == null) {
      return model.headMap(to, false);
    }
    if (to == null) {
      return model.tailMap(from, true);
    }
    return model.subMap(from, true, to, false);
  }

  /** A key of 0 to 3 bytes from {@link #MODEL_KEY_BYTES}: 156 keys, prefixes of each other. */
  private static byte[] modelKey(Rng rng) {
    byte[] key = new byte[rng.nextInt(4)];
    for (int i = 0; i < key.length; i++) {
      key[i] = MODEL_KEY_BYTES[rng.nextInt(MODEL_KEY_BYTES.length)];
    }
    return key;
  }

  /** A random cell: tombstones, empty and large values, expiries in the past and future. */
  private Cell modelCell(Rng rng) {
    long timestamp = rng.nextLong();
    if (rng.chance(0.15)) {
      return Cell.tombstone(timestamp);
    }
    int roll = rng.nextInt(100);
    int length = roll < 60 ? rng.nextInt(21) : roll < 95 ? rng.nextInt(20, 300) : 5_000;
    byte[] value = new byte[length];
    rng.nextBytes(value);
    Cell cell = Cell.value(value, timestamp);
    if (rng.chance(0.2)) {
      cell = cell.withExpiry(Math.max(1, clock.epochMillis() + rng.nextInt(-2_000, 5_000)));
    }
    if (rng.chance(0.15)) {
      byte[] version = new byte[rng.nextInt(1, 17)];
      rng.nextBytes(version);
      cell = cell.withVersion(version);
    }
    return cell;
  }

  /** Mostly unsynced: a synced write costs an fsync. */
  private static Durability modelDurability(Rng rng) {
    int roll = rng.nextInt(10);
    return roll == 0 ? Durability.SYNC : roll < 3 ? Durability.PERIODIC : Durability.NONE;
  }

  private static String describe(long seed, int op, String what) {
    return String.format(
        "seed %d (replay with -Dstorage.model.seed=%d) op %d: %s", seed, seed, op, what);
  }

  // --- helpers ---

  /** A key for a message: hex, "(empty)" for the empty key, "open" for a missing bound. */
  private static String show(byte[] key) {
    return key == null ? "open" : key.length == 0 ? "(empty)" : HEX.formatHex(key);
  }

  /** Every entry of a scan, with keys in hex so that lists compare by content. */
  protected List<Map.Entry<String, Cell>> scanAll(KeyRange range, ScanMode mode)
      throws StorageException {
    List<Map.Entry<String, Cell>> result = new ArrayList<>();
    try (CellIterator iterator = engine.scan(range, mode)) {
      iterator.forEachRemaining(keyCell -> result.add(entry(keyCell)));
    }
    return result;
  }

  /** The keys of a LIVE scan, as ISO-8859-1 strings (one char per byte). */
  private List<String> scanKeys(KeyRange range) throws StorageException {
    List<String> keys = new ArrayList<>();
    try (CellIterator iterator = engine.scan(range, ScanMode.LIVE)) {
      iterator.forEachRemaining(
          keyCell -> keys.add(new String(keyCell.key(), StandardCharsets.ISO_8859_1)));
    }
    return keys;
  }

  private static Map.Entry<String, Cell> entry(CellIterator.KeyCell keyCell) {
    return Map.entry(HEX.formatHex(keyCell.key()), keyCell.cell());
  }

  private static List<Map.Entry<String, Cell>> entries(TreeMap<byte[], Cell> map) {
    List<Map.Entry<String, Cell>> result = new ArrayList<>();
    map.forEach((key, cell) -> result.add(Map.entry(HEX.formatHex(key), cell)));
    return result;
  }

  private static KeyRange range(String from, String to) {
    return new KeyRange(from == null ? null : bytes(from), to == null ? null : bytes(to));
  }

  /** The bytes of {@code text}, one byte per char (ISO-8859-1), so "\0" is the byte 0. */
  /**
   * {@code written} as an engine stores it now: a tombstone gets the clock's time as its deletion
   * time (see {@link Cell#stampDeletionTime}).
   */
  protected Cell stored(Cell written) {
    return written.stampDeletionTime(clock.epochMillis());
  }

  protected static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String hex(String text) {
    return HEX.formatHex(bytes(text));
  }

  private static byte[] key(int... unsignedBytes) {
    byte[] key = new byte[unsignedBytes.length];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) unsignedBytes[i];
    }
    return key;
  }

  /** A key whose unsigned order is the order of {@code i}: "key-" and 8 decimal digits. */
  protected static byte[] numberedKey(int i) {
    return bytes(String.format("key-%08d", i));
  }
}
