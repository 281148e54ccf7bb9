package io.ringkv.server.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.ring.KeyCodec;
import io.ringkv.cluster.ring.Token;
import io.ringkv.cluster.ring.TokenRange;
import io.ringkv.common.SystemClock;
import io.ringkv.storage.Cell;
import io.ringkv.storage.CellIterator;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.KeyRange;
import io.ringkv.storage.ScanMode;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service stores every key under its token prefix ({@link KeyCodec}), so that a token range is
 * one contiguous engine scan, and callers still see only user keys, each exactly once per scan.
 */
class LocalKeyValueServiceTest {
  static final long SEED = Long.getLong("ringkv.seed", System.nanoTime());
  private static final int KEYS = 2_000;

  @TempDir Path directory;
  private StorageEngine engine;
  private LocalKeyValueService service;
  private final List<String> keys = new ArrayList<>();

  @BeforeEach
  void open() throws Exception {
    engine = StorageEngines.open(EngineOptions.defaults(directory));
    service = new LocalKeyValueService(engine, SystemClock.INSTANCE, Durability.NONE);
    for (int i = 0; i < KEYS; i++) {
      String key = "user:" + i;
      service.write(utf8(key), Mutation.put(utf8("v" + i)), WriteOptions.defaults()).join();
      keys.add(key);
    }
  }

  @AfterEach
  void close() throws Exception {
    service.close();
    engine.close();
  }

  /** A directory that served a cluster holds other keyspaces' keys; alone, the node shows none. */
  @Test
  void scanAndGet_ignoreOtherKeyspacesKeys() throws Exception {
    int otherTag = KeyCodec.tag("carts");
    for (int i = 0; i < 50; i++) {
      engine.put(
          KeyCodec.encode(otherTag, utf8("cart:" + i)), Cell.value(utf8("c"), 1), Durability.NONE);
    }
    engine.put(
        KeyCodec.encode(otherTag, utf8("user:3")), Cell.value(utf8("other"), 1), Durability.NONE);
    Set<String> scanned = new HashSet<>();
    ScanCursor cursor = ScanCursor.START;
    do {
      ScanPage page = service.scan(cursor, 7, ReadOptions.defaults()).join();
      for (ScanPage.Entry entry : page.entries()) {
        assertThat(scanned.add(new String(entry.key(), StandardCharsets.UTF_8))).isTrue();
      }
      cursor = page.next();
    } while (!cursor.end());
    assertThat(scanned).containsExactlyInAnyOrderElementsOf(keys);
    assertThat(
            new String(
                service.get(utf8("user:3"), ReadOptions.defaults()).join().value(),
                StandardCharsets.UTF_8))
        .isEqualTo("v3");
  }

  @Test
  void scanCursor_tokensRoundTrip_positionsHaveTheirLength() {
    ScanCursor after = ScanCursor.after(utf8("k"));
    assertThat(ScanCursor.parse(after.toToken())).isEqualTo(after);
    assertThat(after.toToken()).isEqualTo("k6b");
    ScanCursor from = ScanCursor.from(KeyCodec.tagPrefix(Token.of(0), 7));
    assertThat(from.toToken()).isEqualTo("p800000000000000000000007");
    assertThat(ScanCursor.parse(from.toToken())).isEqualTo(from);
    assertThat(ScanCursor.parse("0")).isEqualTo(ScanCursor.START);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ScanCursor.parse("p0102"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid cursor 'p0102'")
        .cause()
        .hasMessageContaining("2 bytes; a position is 12 bytes");
  }

  @Test
  void write_storesTheKeyUnderItsTokenPrefixAndGetDecodesIt() throws Exception {
    byte[] key = utf8("user:7");
    assertThat(engine.getLive(KeyCodec.encode(KeyCodec.DEFAULT_TAG, key))).isNotNull();
    assertThat(engine.getLive(key)).isNull();
    Versioned value = service.get(key, ReadOptions.defaults()).join();
    assertThat(new String(value.value(), StandardCharsets.UTF_8)).isEqualTo("v7");
    assertThat(service.multiGet(List.of(key, utf8("missing")), ReadOptions.defaults()).join())
        .extracting(Versioned::isPresent)
        .containsExactly(true, false);
  }

  @Test
  void scan_pagesVisitEveryKeyExactlyOnceInTokenOrder() {
    List<String> seen = new ArrayList<>();
    List<Token> tokens = new ArrayList<>();
    ScanCursor cursor = ScanCursor.START;
    int pages = 0;
    while (!cursor.end()) {
      ScanPage page = service.scan(cursor, 37, ReadOptions.defaults()).join();
      for (ScanPage.Entry entry : page.entries()) {
        seen.add(new String(entry.key(), StandardCharsets.UTF_8));
        tokens.add(Token.forKey(entry.key()));
      }
      cursor = page.next();
      assertThat(++pages).as("pages").isLessThanOrEqualTo(KEYS / 37 + 2);
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(keys);
    assertThat(tokens).isSorted();
  }

  @Test
  void tokenRange_isOneContiguousEngineScanOfExactlyItsKeys() throws Exception {
    List<byte[]> storedInEngineOrder = new ArrayList<>();
    try (CellIterator it = engine.scan(KeyRange.ALL, ScanMode.LIVE)) {
      it.forEachRemaining(keyCell -> storedInEngineOrder.add(keyCell.key()));
    }
    assertThat(storedInEngineOrder).hasSize(KEYS);
    Random random = new Random(SEED);
    for (int round = 0; round < 50; round++) {
      long start = random.nextLong();
      long end = random.nextLong();
      TokenRange range =
          switch (round) {
            case 0 -> TokenRange.fullRing();
            case 1 -> TokenRange.of(Long.MIN_VALUE, 0);
            case 2 -> TokenRange.of(0, Long.MIN_VALUE);
            default -> TokenRange.of(start, end);
          };
      Set<String> expected = new HashSet<>();
      for (String key : keys) {
        if (range.contains(Token.forKey(utf8(key)))) {
          expected.add(key);
        }
      }
      List<KeyRange> pieces = KeyCodec.keyRanges(range);
      assertThat(pieces).as("seed %d round %d %s", SEED, round, range).hasSizeBetween(1, 2);
      List<String> scanned = new ArrayList<>();
      int piecesWithKeys = 0;
      for (KeyRange piece : pieces) {
        List<byte[]> stored = new ArrayList<>();
        try (CellIterator it = engine.scan(piece, ScanMode.LIVE)) {
          it.forEachRemaining(keyCell -> stored.add(keyCell.key()));
        }
        piecesWithKeys += stored.isEmpty() ? 0 : 1;
        // Each piece is a run of consecutive keys of the whole engine, not keys picked from it.
        if (!stored.isEmpty()) {
          int first = indexOf(storedInEngineOrder, stored.get(0));
          assertThat(storedInEngineOrder.subList(first, first + stored.size()))
              .as("seed %d round %d %s", SEED, round, range)
              .containsExactlyElementsOf(stored);
        }
        for (byte[] storedKey : stored) {
          scanned.add(new String(KeyCodec.decodeUserKey(storedKey), StandardCharsets.UTF_8));
        }
      }
      assertThat(scanned)
          .as("seed %d round %d %s", SEED, round, range)
          .containsExactlyInAnyOrderElementsOf(expected);
      // A range that does not wrap is one scan; (s, MIN] adds an empty piece for MIN, which no key
      // has.
      if (!range.wrapsAround()) {
        assertThat(piecesWithKeys).as("seed %d round %d %s", SEED, round, range).isLessThan(2);
      }
    }
  }

  private static int indexOf(List<byte[]> keys, byte[] key) {
    for (int i = 0; i < keys.size(); i++) {
      if (Arrays.equals(keys.get(i), key)) {
        return i;
      }
    }
    throw new AssertionError("key not in the engine");
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
