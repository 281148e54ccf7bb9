package io.ringkv.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.common.Rng;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MurmurHash3 x64 128 against published vectors, SMHasher's verification value, and a slow
 * implementation written independently (BigInteger arithmetic, zero-padded tail block).
 */
class Murmur3Test {

  /**
   * Vectors of the reference algorithm, taken from Guava's {@code Hashing.murmur3_128} (which
   * follows the reference for non-negative seeds). The fox vector with seed 0 is the widely
   * published {@code 6c1b07bc7bbc4be347939ac4a93c437a} (the 16 output bytes, h1 then h2
   * little-endian).
   */
  static Stream<Object[]> vectors() {
    return Stream.of(
        new Object[] {"", 0, 0x0000000000000000L, 0x0000000000000000L},
        new Object[] {"", 42, 0xf02aa77dfa1b8523L, 0xd1016610da11cbb9L},
        new Object[] {"a", 0, 0x85555565f6597889L, 0xe6b53a48510e895aL},
        new Object[] {"a", 42, 0x28259ca4fdf626b0L, 0x25ebca9125f82b15L},
        new Object[] {"hello", 0, 0xcbd8a7b341bd9b02L, 0x5b1e906a48ae1d19L},
        new Object[] {"hello", 42, 0xc4b8b3c960af6f08L, 0x2334b875b0efbc7aL},
        new Object[] {"hello, world", 0, 0x342fac623a5ebc8eL, 0x4cdcbc079642414dL},
        new Object[] {"hello, world", 42, 0xb91864d797caa956L, 0xd5d139a55afe6150L},
        new Object[] {
          "The quick brown fox jumps over the lazy dog", 0, 0xe34bbc7bbc071b6cL, 0x7a433ca9c49a9347L
        },
        new Object[] {
          "The quick brown fox jumps over the lazy dog",
          42,
          0x740dcf93fe0bd5d7L,
          0xc4546cf4ec705c8fL
        },
        new Object[] {"0123456789abcdef", 0, 0x4be06d94cf4ad1a7L, 0x87c35b5c63a708daL},
        new Object[] {"0123456789abcdef", 42, 0x818ea26bed3cb2a4L, 0xf604d245f9269fdeL},
        new Object[] {"0123456789abcdef0", 0, 0xeb24ae8785a5c075L, 0x73fb68b3313128caL},
        new Object[] {"0123456789abcdef0", 42, 0x66fb2273f71d63e3L, 0xc5a33661978eeeeeL});
  }

  @ParameterizedTest(name = "\"{0}\" seed {1}")
  @MethodSource("vectors")
  void hash128_matchesReferenceVectors(String input, int seed, long h1, long h2) {
    byte[] data = input.getBytes(StandardCharsets.UTF_8);
    assertThat(Murmur3.hash128(data, 0, data.length, seed)).containsExactly(h1, h2);
    assertThat(SlowMurmur3.hash128(data, seed)).containsExactly(h1, h2);
  }

  @Test
  void hash128_emptyInputSeedZeroIsZero() {
    assertThat(Murmur3.hash128(new byte[0])).containsExactly(0L, 0L);
    assertThat(Murmur3.token(new byte[0])).isZero();
  }

  /**
   * SMHasher's {@code VerificationTest}: hash the keys {0}, {0,1}, ..., {0..254} with seed 256 - i,
   * concatenate the 16-byte outputs, hash that with seed 0, and read the first 4 bytes
   * little-endian. The reference's value for MurmurHash3_x64_128 is 0x6384BA69. Every tail length
   * and many seeds go through this one number.
   */
  @Test
  void hash128_smhasherVerificationValue() {
    byte[] key = new byte[256];
    byte[] hashes = new byte[16 * 256];
    for (int i = 0; i < 256; i++) {
      key[i] = (byte) i;
      long[] hash = Murmur3.hash128(key, 0, i, 256 - i);
      writeLittleEndian(hash[0], hashes, i * 16);
      writeLittleEndian(hash[1], hashes, i * 16 + 8);
    }
    long[] last = Murmur3.hash128(hashes, 0, hashes.length, 0);
    assertThat((int) last[0]).isEqualTo(0x6384BA69);
  }

  @Test
  void hash128_honoursOffsetAndLength() {
    byte[] data = "xxhello, worldyy".getBytes(StandardCharsets.UTF_8);
    assertThat(Murmur3.hash128(data, 2, 12, 0))
        .containsExactly(0x342fac623a5ebc8eL, 0x4cdcbc079642414dL);
  }

  @Test
  void hash128_tailBytesAreUnsigned() {
    // Cassandra's port sign-extends tail bytes; the reference (and we) do not.
    byte[] data = {(byte) 0x80, (byte) 0xFF, 1, 2, 3};
    assertThat(Murmur3.hash128(data)).containsExactly(SlowMurmur3.hash128(data, 0));
  }

  @Test
  void hash128_matchesSlowImplementationOnRandomInputs() {
    long seed = Long.getLong("murmur3.seed", 0x3A3A_3A3AL);
    Rng rng = new Rng(seed);
    for (int round = 0; round < 2_000; round++) {
      byte[] data = new byte[rng.nextInt(0, 80)];
      rng.nextBytes(data);
      int hashSeed = round % 3 == 0 ? 0 : (int) rng.nextLong();
      assertThat(Murmur3.hash128(data, 0, data.length, hashSeed))
          .as(
              "seed %d (replay with -Dmurmur3.seed=%d) round %d input %s hash seed %d",
              seed, seed, round, Arrays.toString(data), hashSeed)
          .containsExactly(SlowMurmur3.hash128(data, hashSeed));
    }
  }

  @Test
  void normalize_mapsOnlyTheReservedMinimum() {
    assertThat(Murmur3.normalize(Long.MIN_VALUE)).isEqualTo(Long.MAX_VALUE);
    assertThat(Murmur3.normalize(Long.MIN_VALUE + 1)).isEqualTo(Long.MIN_VALUE + 1);
    assertThat(Murmur3.normalize(0)).isZero();
    assertThat(Murmur3.normalize(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void token_isTheFirstHalfOfTheHash() {
    byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
    assertThat(Murmur3.token(data)).isEqualTo(0xcbd8a7b341bd9b02L);
  }

  private static void writeLittleEndian(long value, byte[] into, int at) {
    for (int i = 0; i < 8; i++) {
      into[at + i] = (byte) (value >>> (8 * i));
    }
  }

  /**
   * The algorithm again, from its description rather than from {@link Murmur3}: 64-bit words as
   * BigIntegers reduced mod 2^64, the input zero-padded to whole 16-byte blocks, and the last
   * partial block mixed into h1/h2 without the per-block rotations (which is what the reference's
   * tail switch amounts to).
   */
  static final class SlowMurmur3 {
    private static final BigInteger MASK = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final BigInteger C1 = new BigInteger("87c37b91114253d5", 16);
    private static final BigInteger C2 = new BigInteger("4cf5ad432745937f", 16);

    static long[] hash128(byte[] data, int seed) {
      BigInteger h1 = BigInteger.valueOf(Integer.toUnsignedLong(seed));
      BigInteger h2 = h1;
      int full = data.length / 16;
      byte[] padded = Arrays.copyOf(data, (full + 1) * 16);
      for (int block = 0; block <= full; block++) {
        BigInteger k1 = word(padded, block * 16);
        BigInteger k2 = word(padded, block * 16 + 8);
        boolean tail = block == full;
        int tailLength = data.length - full * 16;
        if (!tail) {
          h1 = h1.xor(mul(rotl(mul(k1, C1), 31), C2));
          h1 = add(mul(add(rotl(h1, 27), h2), BigInteger.valueOf(5)), 0x52dce729L);
          h2 = h2.xor(mul(rotl(mul(k2, C2), 33), C1));
          h2 = add(mul(add(rotl(h2, 31), h1), BigInteger.valueOf(5)), 0x38495ab5L);
        } else {
          if (tailLength > 8) {
            h2 = h2.xor(mul(rotl(mul(k2, C2), 33), C1));
          }
          if (tailLength > 0) {
            h1 = h1.xor(mul(rotl(mul(k1, C1), 31), C2));
          }
        }
      }
      BigInteger length = BigInteger.valueOf(data.length);
      h1 = h1.xor(length);
      h2 = h2.xor(length);
      h1 = add(h1, h2);
      h2 = add(h2, h1);
      h1 = fmix(h1);
      h2 = fmix(h2);
      h1 = add(h1, h2);
      h2 = add(h2, h1);
      return new long[] {h1.longValue(), h2.longValue()};
    }

    private static BigInteger word(byte[] data, int at) {
      BigInteger value = BigInteger.ZERO;
      for (int i = 0; i < 8; i++) {
        value = value.add(BigInteger.valueOf(data[at + i] & 0xFF).shiftLeft(8 * i));
      }
      return value;
    }

    private static BigInteger mul(BigInteger a, BigInteger b) {
      return a.multiply(b).and(MASK);
    }

    private static BigInteger add(BigInteger a, BigInteger b) {
      return a.add(b).and(MASK);
    }

    private static BigInteger add(BigInteger a, long b) {
      return add(a, BigInteger.valueOf(b));
    }

    private static BigInteger rotl(BigInteger x, int bits) {
      return x.shiftLeft(bits).or(x.shiftRight(64 - bits)).and(MASK);
    }

    private static BigInteger fmix(BigInteger k) {
      k = k.xor(k.shiftRight(33));
      k = mul(k, new BigInteger("ff51afd7ed558ccd", 16));
      k = k.xor(k.shiftRight(33));
      k = mul(k, new BigInteger("c4ceb9fe1a85ec53", 16));
      return k.xor(k.shiftRight(33));
    }
  }
}
