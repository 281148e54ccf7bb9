package io.ringkv.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.Rng;
import io.ringkv.storage.KeyRange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KeyCodecTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void encode_prefixIsBigEndianTokenWithSignBitFlipped() {
    assertThat(HEX.formatHex(KeyCodec.tokenPrefix(Token.MIN))).isEqualTo("0000000000000000");
    assertThat(HEX.formatHex(KeyCodec.tokenPrefix(Token.of(-1)))).isEqualTo("7fffffffffffffff");
    assertThat(HEX.formatHex(KeyCodec.tokenPrefix(Token.of(0)))).isEqualTo("8000000000000000");
    assertThat(HEX.formatHex(KeyCodec.tokenPrefix(Token.MAX))).isEqualTo("ffffffffffffffff");
    byte[] key = "hello".getBytes(StandardCharsets.UTF_8);
    // token("hello") = 0xcbd8a7b341bd9b02, flipped 0x4bd8a7b341bd9b02
    assertThat(HEX.formatHex(KeyCodec.encode(key))).isEqualTo("4bd8a7b341bd9b02" + "68656c6c6f");
  }

  @Test
  void decode_roundTripsKeyAndToken() {
    byte[] key = "user:42".getBytes(StandardCharsets.UTF_8);
    byte[] stored = KeyCodec.encode(key);
    assertThat(KeyCodec.decodeUserKey(stored)).isEqualTo(key);
    assertThat(KeyCodec.tokenOf(stored)).isEqualTo(Token.forKey(key));
    byte[] empty = KeyCodec.encode(new byte[0]);
    assertThat(empty).hasSize(KeyCodec.TOKEN_BYTES);
    assertThat(KeyCodec.decodeUserKey(empty)).isEmpty();
  }

  @Test
  void decode_rejectsKeysShorterThanThePrefix() {
    assertThatThrownBy(() -> KeyCodec.tokenOf(new byte[5]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5 bytes")
        .hasMessageContaining("8-byte token prefix");
    assertThatThrownBy(() -> KeyCodec.decodeUserKey(new byte[7]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keyRanges_wrappingRangeIsTwoScansInRingOrder() {
    List<KeyRange> ranges = KeyCodec.keyRanges(TokenRange.of(100, -100));
    assertThat(ranges).hasSize(2);
    assertThat(ranges.get(0).from()).isEqualTo(KeyCodec.tokenPrefix(Token.of(101)));
    assertThat(ranges.get(0).to()).isNull();
    assertThat(ranges.get(1).from()).isEqualTo(KeyCodec.tokenPrefix(Token.MIN));
    assertThat(ranges.get(1).to()).isEqualTo(KeyCodec.tokenPrefix(Token.of(-99)));
    assertThat(KeyCodec.keyRanges(TokenRange.fullRing())).hasSize(1);
    assertThat(KeyCodec.keyRanges(TokenRange.of(-5, 5))).hasSize(1);
  }

  static Stream<Long> seeds() {
    return TestSeeds.seeds(0xC0DE_C0DEL, 5);
  }

  record Entry(long token, byte[] key, byte[] stored) {}

  /** Unsigned byte order of stored keys is (signed token, unsigned user key) order. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void encode_unsignedByteOrderIsTokenThenKeyOrder(long seed) {
    Rng rng = new Rng(seed);
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      long token = randomToken(rng);
      byte[] key = randomKey(rng);
      entries.add(new Entry(token, key, KeyCodec.encode(Token.of(token), key)));
    }
    for (int i = 0; i < 500; i++) {
      byte[] key = randomKey(rng);
      entries.add(new Entry(Token.forKey(key).value(), key, KeyCodec.encode(key)));
    }
    List<Entry> byStored = new ArrayList<>(entries);
    byStored.sort((a, b) -> Arrays.compareUnsigned(a.stored(), b.stored()));
    List<Entry> byModel = new ArrayList<>(entries);
    byModel.sort(
        Comparator.comparingLong(Entry::token)
            .thenComparing(Entry::key, (a, b) -> Arrays.compareUnsigned(a, b)));
    for (int i = 0; i < entries.size(); i++) {
      Entry got = byStored.get(i);
      Entry want = byModel.get(i);
      String where = TestSeeds.replay(seed) + " position " + i;
      assertThat(got.token()).as(where).isEqualTo(want.token());
      assertThat(got.key()).as(where).isEqualTo(want.key());
      assertThat(KeyCodec.tokenOf(got.stored()).value()).as(where).isEqualTo(got.token());
      assertThat(KeyCodec.decodeUserKey(got.stored())).as(where).isEqualTo(got.key());
    }
  }

  /** A stored key lies in the engine ranges of a token range exactly when its token is in it. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void keyRanges_holdExactlyTheKeysOfTheTokenRange(long seed) {
    Rng rng = new Rng(seed);
    for (int round = 0; round < 1_000; round++) {
      TokenRange range = TokenRangeTest.randomRange(rng);
      List<KeyRange> scans = KeyCodec.keyRanges(range);
      String where = TestSeeds.replay(seed) + " round " + round + ": " + range;
      assertThat(scans).as(where).hasSizeBetween(1, 2);
      for (int i = 0; i < 60; i++) {
        long token =
            switch (rng.nextInt(4)) {
              case 0 -> range.start().value() + rng.nextInt(-2, 3);
              case 1 -> range.end().value() + rng.nextInt(-2, 3);
              default -> randomToken(rng);
            };
        byte[] stored = KeyCodec.encode(Token.of(token), randomKey(rng));
        long holders = scans.stream().filter(scan -> scan.contains(stored)).count();
        assertThat(holders)
            .as(where + " token " + token)
            .isEqualTo(range.contains(Token.of(token)) ? 1 : 0);
      }
    }
  }

  private static long randomToken(Rng rng) {
    return switch (rng.nextInt(5)) {
      case 0 -> Long.MIN_VALUE + rng.nextInt(3);
      case 1 -> Long.MAX_VALUE - rng.nextInt(3);
      case 2 -> rng.nextInt(-3, 3);
      default -> rng.nextLong();
    };
  }

  private static byte[] randomKey(Rng rng) {
    byte[] key = new byte[rng.nextInt(0, 6)];
    byte[] alphabet = {0x00, 0x01, 0x7F, (byte) 0x80, (byte) 0xFF};
    for (int i = 0; i < key.length; i++) {
      key[i] = alphabet[rng.nextInt(alphabet.length)];
    }
    return key;
  }
}
