package io.ringkv.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.metadata.Keyspace;
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
    // token("hello") = 0xcbd8a7b341bd9b02, flipped 0x4bd8a7b341bd9b02; then the tag, then the key
    assertThat(HEX.formatHex(KeyCodec.encode(KeyCodec.DEFAULT_TAG, key)))
        .isEqualTo("4bd8a7b341bd9b02" + "00000000" + "68656c6c6f");
    assertThat(HEX.formatHex(KeyCodec.encode(0x01020304, key)))
        .isEqualTo("4bd8a7b341bd9b02" + "01020304" + "68656c6c6f");
  }

  @Test
  void decode_roundTripsKeyTokenAndTag() {
    byte[] key = "user:42".getBytes(StandardCharsets.UTF_8);
    byte[] stored = KeyCodec.encode(-7, key);
    assertThat(KeyCodec.decodeUserKey(stored)).isEqualTo(key);
    assertThat(KeyCodec.tokenOf(stored)).isEqualTo(Token.forKey(key));
    assertThat(KeyCodec.tagOf(stored)).isEqualTo(-7);
    byte[] empty = KeyCodec.encode(KeyCodec.DEFAULT_TAG, new byte[0]);
    assertThat(empty).hasSize(KeyCodec.PREFIX_BYTES);
    assertThat(KeyCodec.decodeUserKey(empty)).isEmpty();
    assertThat(KeyCodec.tagPrefix(Token.of(5), 9))
        .isEqualTo(KeyCodec.encode(Token.of(5), 9, new byte[0]));
  }

  @Test
  void tag_defaultIsZeroOthersAreStableHashesAwayFromZero() {
    assertThat(KeyCodec.tag(Keyspace.DEFAULT_NAME)).isEqualTo(KeyCodec.DEFAULT_TAG).isZero();
    assertThat(KeyCodec.tag("sessions")).isEqualTo(KeyCodec.tag("sessions")).isNotZero();
    assertThat(KeyCodec.tag("sessions")).isNotEqualTo(KeyCodec.tag("carts"));
    // The tag is in every stored key on disk: pinned, so that a change of the hash shows here.
    assertThat(KeyCodec.tag("sessions"))
        .isEqualTo((int) (Murmur3.hash128("sessions".getBytes(StandardCharsets.UTF_8))[0] >>> 32));
    for (int i = 0; i < 10_000; i++) {
      assertThat(KeyCodec.tag("keyspace-" + i)).as("keyspace-" + i).isNotZero();
    }
  }

  /** Two keyspaces never share a stored key, and every part decodes back, over random inputs. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void encode_roundTripsAndSeparatesKeyspaces(long seed) {
    Rng rng = new Rng(seed);
    for (int i = 0; i < 2_000; i++) {
      String where = TestSeeds.replay(seed) + " round " + i;
      int tag = randomTag(rng);
      int otherTag = randomTag(rng);
      byte[] key = randomKey(rng);
      byte[] stored = KeyCodec.encode(tag, key);
      assertThat(KeyCodec.tagOf(stored)).as(where).isEqualTo(tag);
      assertThat(KeyCodec.tokenOf(stored)).as(where).isEqualTo(Token.forKey(key));
      assertThat(KeyCodec.decodeUserKey(stored)).as(where).isEqualTo(key);
      assertThat(KeyCodec.encode(tag, key)).as(where).isEqualTo(stored);
      if (otherTag != tag) {
        assertThat(KeyCodec.encode(otherTag, key)).as(where).isNotEqualTo(stored);
      }
      // A keyspace's keys of one token begin at its tag prefix.
      assertThat(Arrays.compareUnsigned(KeyCodec.tagPrefix(Token.forKey(key), tag), stored) <= 0)
          .as(where)
          .isTrue();
    }
  }

  @Test
  void decode_rejectsKeysShorterThanThePrefix() {
    assertThatThrownBy(() -> KeyCodec.tokenOf(new byte[5]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5 bytes")
        .hasMessageContaining("8-byte token prefix");
    assertThatThrownBy(() -> KeyCodec.decodeUserKey(new byte[11]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("11 bytes")
        .hasMessageContaining("12-byte prefix");
    assertThatThrownBy(() -> KeyCodec.tagOf(new byte[9]))
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

  record Entry(long token, int tag, byte[] key, byte[] stored) {}

  /**
   * Unsigned byte order of stored keys is (signed token, unsigned tag, unsigned user key) order.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void encode_unsignedByteOrderIsTokenThenKeyOrder(long seed) {
    Rng rng = new Rng(seed);
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      long token = randomToken(rng);
      int tag = randomTag(rng);
      byte[] key = randomKey(rng);
      entries.add(new Entry(token, tag, key, KeyCodec.encode(Token.of(token), tag, key)));
    }
    for (int i = 0; i < 500; i++) {
      byte[] key = randomKey(rng);
      int tag = randomTag(rng);
      entries.add(new Entry(Token.forKey(key).value(), tag, key, KeyCodec.encode(tag, key)));
    }
    List<Entry> byStored = new ArrayList<>(entries);
    byStored.sort((a, b) -> Arrays.compareUnsigned(a.stored(), b.stored()));
    List<Entry> byModel = new ArrayList<>(entries);
    byModel.sort(
        Comparator.comparingLong(Entry::token)
            .thenComparing(Entry::tag, Integer::compareUnsigned)
            .thenComparing(Entry::key, (a, b) -> Arrays.compareUnsigned(a, b)));
    for (int i = 0; i < entries.size(); i++) {
      Entry got = byStored.get(i);
      Entry want = byModel.get(i);
      String where = TestSeeds.replay(seed) + " position " + i;
      assertThat(got.token()).as(where).isEqualTo(want.token());
      assertThat(got.tag()).as(where).isEqualTo(want.tag());
      assertThat(got.key()).as(where).isEqualTo(want.key());
      assertThat(KeyCodec.tagOf(got.stored())).as(where).isEqualTo(got.tag());
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
        byte[] stored = KeyCodec.encode(Token.of(token), randomTag(rng), randomKey(rng));
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

  private static int randomTag(Rng rng) {
    return switch (rng.nextInt(4)) {
      case 0 -> KeyCodec.DEFAULT_TAG;
      case 1 -> -1; // the largest unsigned
      case 2 -> rng.nextInt(1, 3);
      default -> (int) rng.nextLong();
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
