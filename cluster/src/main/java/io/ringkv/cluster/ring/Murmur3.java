package io.ringkv.cluster.ring;

import java.util.Objects;

/**
 * MurmurHash3, the x64 128-bit variant (Austin Appleby, SMHasher, {@code MurmurHash3_x64_128}),
 * written from the reference algorithm, and the partitioner's token of a key.
 *
 * <p>Why this hash: it is fast, spreads keys evenly, and is what Cassandra's {@code
 * Murmur3Partitioner} uses, so operators know its behaviour. Why by hand: no new dependency, and
 * the token of a key decides where data lives on disk and on the ring, so the function must never
 * change under us with a library upgrade.
 *
 * <p>Two choices differ from what a reader may expect:
 *
 * <ul>
 *   <li>The tail bytes are read unsigned, as in the reference. Cassandra's Java port sign-extends
 *       them, so for keys whose length is not a multiple of 16 and whose tail holds a byte of 0x80
 *       or more, our tokens differ from Cassandra's. We match the reference (and Guava's {@code
 *       murmur3_128}), checked by SMHasher's verification value in the tests.
 *   <li>The seed is an unsigned 32-bit value widened with zeros, as the reference's {@code uint32_t
 *       seed} is (Guava sign-extends negative seeds).
 * </ul>
 *
 * <p>The token is the first 64 bits of the hash ({@code h1}, which is the first 8 output bytes read
 * little-endian), with {@link Long#MIN_VALUE} mapped to {@link Long#MAX_VALUE}: {@code
 * Long.MIN_VALUE} is the ring's reserved minimum token ({@link Token#MIN}), which no key may have,
 * so that the range {@code (MIN, t]} holds every key whose token is at most {@code t}. This is
 * Cassandra's {@code Murmur3Partitioner.normalize}.
 *
 * <p>Stateless and thread-safe.
 */
public final class Murmur3 {
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private Murmur3() {}

  /** The 128-bit hash of {@code data} with seed 0: {@code {h1, h2}}. */
  public static long[] hash128(byte[] data) {
    return hash128(data, 0, data.length, 0);
  }

  /**
   * The 128-bit hash of {@code length} bytes of {@code data} from {@code offset}, as {@code {h1,
   * h2}}: the reference's output is {@code h1} then {@code h2}, each written little-endian.
   *
   * @param seed the reference's {@code uint32_t} seed; widened without sign extension
   */
  public static long[] hash128(byte[] data, int offset, int length, int seed) {
    return new long[] {
      half(data, offset, length, seed, false), half(data, offset, length, seed, true)
    };
  }

  /**
   * One half of the 128-bit hash: {@code h1}, or {@code h2} if {@code second}. The token needs only
   * {@code h1}, and returning a long instead of an array keeps a GET's hashing free of allocation.
   */
  private static long half(byte[] data, int offset, int length, int seed, boolean second) {
    Objects.checkFromIndexSize(offset, length, data.length);
    long h1 = seed & 0xFFFF_FFFFL;
    long h2 = h1;
    int blocks = length >>> 4;
    for (int i = 0; i < blocks; i++) {
      int at = offset + (i << 4);
      long k1 = littleEndianLong(data, at);
      long k2 = littleEndianLong(data, at + 8);

      h1 ^= mixK1(k1);
      h1 = Long.rotateLeft(h1, 27);
      h1 += h2;
      h1 = h1 * 5 + 0x52dce729;

      h2 ^= mixK2(k2);
      h2 = Long.rotateLeft(h2, 31);
      h2 += h1;
      h2 = h2 * 5 + 0x38495ab5;
    }

    int tail = offset + (blocks << 4);
    int rest = length & 15;
    long k1 = 0;
    long k2 = 0;
    // The reference's switch falls through from the highest tail byte down; these loops do the
    // same.
    for (int i = rest - 1; i >= 8; i--) {
      k2 ^= (data[tail + i] & 0xFFL) << ((i - 8) * 8);
    }
    for (int i = Math.min(rest, 8) - 1; i >= 0; i--) {
      k1 ^= (data[tail + i] & 0xFFL) << (i * 8);
    }
    if (rest > 8) {
      h2 ^= mixK2(k2);
    }
    if (rest > 0) {
      h1 ^= mixK1(k1);
    }

    h1 ^= length;
    h2 ^= length;
    h1 += h2;
    h2 += h1;
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 += h2;
    if (!second) {
      return h1;
    }
    return h2 + h1;
  }

  /**
   * The token of a key: {@code h1} of the seed-0 hash, with {@link Long#MIN_VALUE} (reserved)
   * mapped to {@link Long#MAX_VALUE}.
   */
  public static long token(byte[] key) {
    return normalize(half(key, 0, key.length, 0, false));
  }

  /** Maps the reserved minimum token to the maximum one; every other value is itself. */
  static long normalize(long h1) {
    return h1 == Long.MIN_VALUE ? Long.MAX_VALUE : h1;
  }

  private static long mixK1(long k1) {
    k1 *= C1;
    k1 = Long.rotateLeft(k1, 31);
    return k1 * C2;
  }

  private static long mixK2(long k2) {
    k2 *= C2;
    k2 = Long.rotateLeft(k2, 33);
    return k2 * C1;
  }

  private static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  private static long littleEndianLong(byte[] data, int at) {
    long value = 0;
    for (int i = 7; i >= 0; i--) {
      value = (value << 8) | (data[at + i] & 0xFFL);
    }
    return value;
  }
}
