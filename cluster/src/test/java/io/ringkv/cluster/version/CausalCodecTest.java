package io.ringkv.cluster.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.Rng;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class CausalCodecTest {
  private static final Actor[] ACTORS = {
    Actor.of("node-1", 0), Actor.of("node-1", 3), Actor.of("node-2", 0), Actor.of("n3", 1L << 40)
  };

  private static byte[] randomBytes(Rng rng, int max) {
    byte[] bytes = new byte[rng.nextInt(max + 1)];
    rng.nextBytes(bytes);
    return bytes;
  }

  static DvvSet randomRegister(Rng rng) {
    DvvSet[] replicas = {DvvSet.empty(), DvvSet.empty(), DvvSet.empty(), DvvSet.empty()};
    int steps = rng.nextInt(12);
    for (int i = 0; i < steps; i++) {
      int r = rng.nextInt(replicas.length);
      if (rng.nextInt(3) == 0) {
        replicas[r] = replicas[r].sync(replicas[rng.nextInt(replicas.length)]);
      } else {
        VersionVector context = rng.nextBoolean() ? null : VersionVector.empty();
        byte[] value = rng.nextInt(6) == 0 ? null : randomBytes(rng, 40);
        replicas[r] = replicas[r].update(context, ACTORS[r], rng.nextLong(), value);
      }
    }
    return replicas[0].sync(replicas[1]).sync(replicas[rng.nextInt(4)]);
  }

  static PnCounter randomCounter(Rng rng) {
    PnCounter counter = PnCounter.empty();
    int steps = rng.nextInt(20);
    for (int i = 0; i < steps; i++) {
      byte[] key =
          rng.nextBoolean() ? null : ("k" + rng.nextInt(100)).getBytes(StandardCharsets.UTF_8);
      Actor actor = ACTORS[rng.nextInt(ACTORS.length)];
      PnCounter.Increment result =
          rng.nextInt(4) == 0
              ? counter.incrementDecimal(
                  actor, BigDecimal.valueOf(rng.nextLong() >> 2, rng.nextInt(18)), key)
              : counter.increment(actor, rng.nextLong() >> 2, key);
      if (result instanceof PnCounter.Increment.Applied applied) {
        counter = applied.counter();
      }
    }
    return counter;
  }

  static OrSet randomSet(Rng rng) {
    OrSet[] replicas = {OrSet.empty(), OrSet.empty(), OrSet.empty()};
    int steps = rng.nextInt(20);
    for (int i = 0; i < steps; i++) {
      int r = rng.nextInt(replicas.length);
      byte[] element = randomBytes(rng, 3);
      replicas[r] =
          switch (rng.nextInt(3)) {
            case 0 -> replicas[r].add(ACTORS[r], element);
            case 1 -> replicas[r].remove(element);
            default -> replicas[r].merge(replicas[rng.nextInt(replicas.length)]);
          };
    }
    return replicas[0].merge(replicas[1]).merge(replicas[2]);
  }

  @Test
  void roundTrip_randomObjectsDecodeEqualAndReencodeToTheSameBytes() {
    SeededRuns.run(
        "causal codec round trip",
        500,
        rng -> {
          try {
            DvvSet register = randomRegister(rng);
            byte[] encoded = CausalCodec.encodeRegister(register);
            assertThat(CausalCodec.type(encoded)).isEqualTo(CausalType.REGISTER);
            DvvSet decoded = CausalCodec.decodeRegister(encoded);
            assertThat(decoded).isEqualTo(register);
            assertThat(CausalCodec.encodeRegister(decoded)).isEqualTo(encoded);

            VersionVector context = register.context();
            assertThat(CausalCodec.decodeContext(CausalCodec.encodeContext(context)))
                .isEqualTo(context);

            PnCounter counter = randomCounter(rng);
            byte[] counterBytes = CausalCodec.encodeCounter(counter);
            assertThat(CausalCodec.decodeCounter(counterBytes)).isEqualTo(counter);
            assertThat(CausalCodec.decodeCounter(counterBytes).exactValue())
                .isEqualTo(counter.exactValue());
            assertThat(CausalCodec.encodeCounter(CausalCodec.decodeCounter(counterBytes)))
                .isEqualTo(counterBytes);

            OrSet set = randomSet(rng);
            byte[] setBytes = CausalCodec.encodeSet(set);
            assertThat(CausalCodec.decodeSet(setBytes)).isEqualTo(set);
            assertThat(CausalCodec.encodeSet(CausalCodec.decodeSet(setBytes))).isEqualTo(setBytes);
          } catch (CausalFormatException e) {
            throw new AssertionError(e);
          }
        });
  }

  @Test
  void decode_everyFlippedByteOrCutIsReportedNeverDecodedWrong() {
    SeededRuns.run(
        "causal codec damage",
        100,
        rng -> {
          byte[][] objects = {
            CausalCodec.encodeRegister(randomRegister(rng)),
            CausalCodec.encodeCounter(randomCounter(rng)),
            CausalCodec.encodeSet(randomSet(rng)),
          };
          for (byte[] object : objects) {
            for (int i = 0; i < object.length; i++) {
              byte[] damaged = object.clone();
              damaged[i] ^= (byte) (1 + rng.nextInt(255));
              assertThatThrownBy(() -> decodeAny(damaged))
                  .isInstanceOf(CausalFormatException.class);
            }
            for (int length = 0; length < object.length; length++) {
              byte[] cut = Arrays.copyOf(object, length);
              assertThatThrownBy(() -> decodeAny(cut)).isInstanceOf(CausalFormatException.class);
            }
          }
        });
  }

  private static Object decodeAny(byte[] bytes) throws CausalFormatException {
    return switch (CausalCodec.type(bytes)) {
      case REGISTER -> CausalCodec.decodeRegister(bytes);
      case COUNTER -> CausalCodec.decodeCounter(bytes);
      case SET -> CausalCodec.decodeSet(bytes);
      case CONTEXT -> CausalCodec.decodeContext(bytes);
      case OPERATION -> CausalCodec.decodeOperation(bytes);
    };
  }

  /** Recomputes the trailing CRC, to build well-checksummed but malformed objects. */
  private static byte[] recrc(byte[] object) {
    CRC32C crc = new CRC32C();
    crc.update(object, 0, object.length - 4);
    long value = crc.getValue();
    for (int i = 0; i < 4; i++) {
      object[object.length - 4 + i] = (byte) (value >>> (24 - 8 * i));
    }
    return object;
  }

  private static byte[] object(int type, int... body) {
    byte[] bytes = new byte[3 + body.length + 4];
    bytes[0] = CausalFormat.MAGIC;
    bytes[1] = (byte) type;
    bytes[2] = CausalFormat.FORMAT_VERSION;
    for (int i = 0; i < body.length; i++) {
      bytes[3 + i] = (byte) body[i];
    }
    return recrc(bytes);
  }

  @Test
  void decode_badMagicNamesTheByte() {
    byte[] bytes = CausalCodec.encodeContext(VersionVector.empty());
    bytes[0] = 0x11;
    assertThatThrownBy(() -> CausalCodec.decodeContext(bytes))
        .hasMessageContaining("magic 0x11 at byte 0, expected 0xca");
  }

  @Test
  void decode_newerFormatVersionIsRefused() {
    byte[] bytes = CausalCodec.encodeContext(VersionVector.empty());
    bytes[2] = 2;
    assertThatThrownBy(() -> CausalCodec.decodeContext(recrc(bytes)))
        .hasMessageContaining("format version 2 at byte 2, this node reads 1");
  }

  @Test
  void decode_newerCounterFormatVersionIsRefused() {
    byte[] bytes = CausalCodec.encodeCounter(PnCounter.empty());
    bytes[2] = 4;
    assertThatThrownBy(() -> CausalCodec.decodeCounter(recrc(bytes)))
        .hasMessageContaining("format version 4 at byte 2, this node reads 1 to 3 for a counter");
  }

  @Test
  void encode_aCounterWithDecimalsIsWrittenInFormatVersion3() throws CausalFormatException {
    PnCounter counter =
        ((PnCounter.Increment.Applied)
                PnCounter.empty()
                    .incrementDecimal(
                        Actor.of("a", 0),
                        new BigDecimal("-0.50"),
                        "k".getBytes(StandardCharsets.UTF_8)))
            .counter();
    // magic, type 2, version 3; 1 actor "a"#0, sequence 1, net 0, decimal net (scale 1, 1 byte
    // unscaled -5 = 0xFB), 1 keyed increment: key "k", delta 0, decimal delta (scale 1, 0xFB)
    byte[] encoded = CausalCodec.encodeCounter(counter);
    assertThat(Arrays.copyOf(encoded, encoded.length - CausalFormat.TRAILER_BYTES))
        .containsExactly(0xCA, 2, 3, 1, 1, 'a', 0, 1, 0, 1, 1, 0xFB, 1, 1, 'k', 0, 1, 1, 0xFB);
    PnCounter decoded = CausalCodec.decodeCounter(encoded);
    assertThat(decoded).isEqualTo(counter);
    assertThat(PnCounter.format(decoded.exactValue())).isEqualTo("-0.5");
  }

  @Test
  void encode_aCounterWhoseDecimalsCancelKeepsItsVersion2Bytes() {
    Actor a = Actor.of("a", 0);
    PnCounter counter =
        ((PnCounter.Increment.Applied)
                PnCounter.empty().incrementDecimal(a, new BigDecimal("0.5"), null))
            .counter();
    counter =
        ((PnCounter.Increment.Applied) counter.incrementDecimal(a, new BigDecimal("-0.5"), null))
            .counter();
    PnCounter integer =
        ((PnCounter.Increment.Applied) PnCounter.empty().increment(a, 0, null)).counter();
    integer = ((PnCounter.Increment.Applied) integer.increment(a, 0, null)).counter();
    // magic, type 2, version 2; 1 actor "a"#0, sequence 2, net 0, no keyed increments
    byte[] encoded = CausalCodec.encodeCounter(counter);
    assertThat(Arrays.copyOf(encoded, encoded.length - CausalFormat.TRAILER_BYTES))
        .containsExactly(0xCA, 2, 2, 1, 1, 'a', 0, 2, 0, 0);
    assertThat(encoded).isEqualTo(CausalCodec.encodeCounter(integer));
  }

  @Test
  void decode_aDecimalWithTrailingZerosIsRefused() {
    // version 3: 1 actor "a"#0, sequence 1, net 0, decimal net scale 1 unscaled 10 (1.0), 0 keyed
    byte[] bytes = object(2, 1, 1, 'a', 0, 1, 0, 1, 1, 10, 0);
    bytes[2] = CausalFormat.COUNTER_FORMAT_VERSION_DECIMAL;
    assertThatThrownBy(() -> CausalCodec.decodeCounter(recrc(bytes)))
        .hasMessageContaining("decimal net of a#0 1.0")
        .hasMessageContaining("no trailing zeros");
  }

  @Test
  void decode_aDecimalScaleAbove17IsRefused() {
    byte[] bytes = object(2, 1, 1, 'a', 0, 1, 0, 18, 1, 1, 0);
    bytes[2] = CausalFormat.COUNTER_FORMAT_VERSION_DECIMAL;
    assertThatThrownBy(() -> CausalCodec.decodeCounter(recrc(bytes)))
        .hasMessageContaining("decimal net of a#0 scale 18")
        .hasMessageContaining("expected 0 to 17");
  }

  @Test
  void decode_aVersion3CounterWithoutDecimalsIsRefused() {
    byte[] bytes = object(2, 1, 1, 'a', 0, 1, 0, 0, 0, 0);
    bytes[2] = CausalFormat.COUNTER_FORMAT_VERSION_DECIMAL;
    assertThatThrownBy(() -> CausalCodec.decodeCounter(recrc(bytes)))
        .hasMessageContaining("format version 3")
        .hasMessageContaining("2 for a counter without decimals");
  }

  @Test
  void encode_counterIsWrittenInFormatVersion2WithTheDeltaOfEachKeyedIncrement() {
    PnCounter counter =
        ((PnCounter.Increment.Applied)
                PnCounter.empty()
                    .increment(Actor.of("a", 0), -3, "k".getBytes(StandardCharsets.UTF_8)))
            .counter();
    // magic, type 2, version 2; 1 actor "a"#0, sequence 1, net zigzag(-3) = 5, 1 keyed
    // increment: key "k", delta zigzag(-3) = 5
    byte[] encoded = CausalCodec.encodeCounter(counter);
    assertThat(encoded).hasSize(13 + CausalFormat.TRAILER_BYTES);
    assertThat(Arrays.copyOf(encoded, 13))
        .containsExactly(0xCA, 2, 2, 1, 1, 'a', 0, 1, 5, 1, 1, 'k', 5);
  }

  @Test
  void decode_counterFormatVersion1StillDecodes_itsKeysStopRetriesAndCarryNoDelta()
      throws CausalFormatException {
    // version 1: 1 actor "a"#0, sequence 3, net zigzag(7) = 14, 1 key "k1" (no delta)
    byte[] v1 = object(2, 1, 1, 'a', 0, 3, 14, 1, 2, 'k', '1');
    v1[2] = CausalFormat.COUNTER_FORMAT_VERSION_KEYS_ONLY;
    PnCounter counter = CausalCodec.decodeCounter(recrc(v1));

    assertThat(counter.value()).isEqualTo(7);
    assertThat(counter.seen("k1".getBytes(StandardCharsets.UTF_8))).isTrue();
    PnCounter.Entry entry = counter.entries().get(Actor.of("a", 0));
    assertThat(entry.sequence()).isEqualTo(3);
    assertThat(entry.keyed())
        .singleElement()
        .extracting(PnCounter.KeyedIncrement::delta)
        .isEqualTo(0L);
    byte[] reencoded = CausalCodec.encodeCounter(counter);
    assertThat(reencoded[2]).isEqualTo(CausalFormat.COUNTER_FORMAT_VERSION);
    assertThat(CausalCodec.decodeCounter(reencoded)).isEqualTo(counter);
  }

  @Test
  void decode_aCounterWithMoreKeyedIncrementsThanItsSequenceIsRefused() {
    // version 2: 1 actor "a"#0, sequence 1, net 0, 2 keyed increments
    byte[] bytes = object(2, 1, 1, 'a', 0, 1, 0, 2, 1, 'x', 0, 1, 'y', 0);
    bytes[2] = CausalFormat.COUNTER_FORMAT_VERSION;
    assertThatThrownBy(() -> CausalCodec.decodeCounter(recrc(bytes)))
        .hasMessageContaining("keyed increment count of a#0 2")
        .hasMessageContaining("at most its sequence 1");
  }

  @Test
  void decode_unknownTypeIsRefused() {
    assertThatThrownBy(() -> CausalCodec.type(object(9, 0)))
        .hasMessageContaining("type 9 at byte 1 is unknown (1 to 5)");
  }

  @Test
  void decode_anotherTypeIsRefusedNamingBoth() {
    byte[] counter = CausalCodec.encodeCounter(PnCounter.empty());
    assertThatThrownBy(() -> CausalCodec.decodeSet(counter))
        .hasMessageContaining("causal set: the object is a counter");
  }

  @Test
  void decode_checksumMismatchSaysDamaged() {
    byte[] bytes =
        CausalCodec.encodeRegister(DvvSet.empty().update(null, ACTORS[0], 1, new byte[] {1, 2}));
    bytes[bytes.length - 6] ^= 1;
    assertThatThrownBy(() -> CausalCodec.decodeRegister(bytes))
        .hasMessageContaining("checksum")
        .hasMessageContaining("damaged");
  }

  @Test
  void decode_actorsOutOfOrderAreRefused() {
    // context: 2 actors, "b"#0 counter 1, then "a"#0 counter 1
    byte[] bytes = object(CausalFormat.TYPE_CONTEXT, 2, 1, 'b', 0, 1, 1, 'a', 0, 1);
    assertThatThrownBy(() -> CausalCodec.decodeContext(bytes)).hasMessageContaining("actor order");
  }

  @Test
  void decode_aCountBeyondTheBytesLeftIsRefusedNamingTheField() {
    byte[] bytes = object(CausalFormat.TYPE_CONTEXT, 100);
    assertThatThrownBy(() -> CausalCodec.decodeContext(bytes))
        .hasMessageContaining("actor count 100");
  }

  @Test
  void decode_anEntryCounterBelowItsValueCountIsRefused() {
    // register: 1 actor "a"#0, counter 1, 2 tombstone values
    byte[] bytes =
        object(
            CausalFormat.TYPE_REGISTER,
            1,
            1,
            'a',
            0,
            1,
            2,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            1,
            1,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            2,
            1);
    assertThatThrownBy(() -> CausalCodec.decodeRegister(bytes))
        .hasMessageContaining("entry counter of a#0 1");
  }

  @Test
  void decode_aSetDotBeyondItsContextIsRefused() {
    // set: context a#0:1; one element "x" with dot (actor 0, counter 2)
    byte[] bytes = object(CausalFormat.TYPE_SET, 1, 1, 'a', 0, 1, 1, 1, 'x', 1, 0, 2);
    assertThatThrownBy(() -> CausalCodec.decodeSet(bytes))
        .hasMessageContaining("dot counter of a#0 2")
        .hasMessageContaining("1 to 1");
  }

  @Test
  void decode_trailingBytesAreRefused() {
    byte[] bytes = object(CausalFormat.TYPE_CONTEXT, 0, 7);
    assertThatThrownBy(() -> CausalCodec.decodeContext(bytes))
        .hasMessageContaining("1 bytes left over");
  }
}
