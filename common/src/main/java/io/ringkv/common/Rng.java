package io.ringkv.common;

/**
 * A seeded pseudo-random number generator: xoshiro256** (Blackman and Vigna, "Scrambled Linear
 * Pseudorandom Number Generators", 2018), its state filled from the seed by SplitMix64.
 *
 * <p>Why our own: protocol code and the simulator must replay exactly from one seed, on every JDK
 * version. {@link java.util.Random} and {@link java.util.SplittableRandom} are deterministic too,
 * but their algorithms are the JDK's to change, and their no-argument constructors draw an unseeded
 * seed that a reviewer cannot tell apart from a seeded one at a glance. Here every instance has a
 * seed.
 *
 * <p>Not thread-safe: each owner (a node loop, the simulator's scheduler) holds its own, and hands
 * independent streams to its parts with {@link #fork()}.
 */
public final class Rng {
  private final long seed;
  private long s0;
  private long s1;
  private long s2;
  private long s3;

  /** A generator whose whole output is decided by {@code seed}. */
  public Rng(long seed) {
    this.seed = seed;
    long x = seed;
    x += 0x9E3779B97F4A7C15L;
    s0 = mix(x);
    x += 0x9E3779B97F4A7C15L;
    s1 = mix(x);
    x += 0x9E3779B97F4A7C15L;
    s2 = mix(x);
    x += 0x9E3779B97F4A7C15L;
    s3 = mix(x);
  }

  /** The seed this generator was made from, for printing on failure. */
  public long seed() {
    return seed;
  }

  /** The next 64 uniformly distributed bits. */
  public long nextLong() {
    long result = Long.rotateLeft(s1 * 5, 7) * 9;
    long t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = Long.rotateLeft(s3, 45);
    return result;
  }

  /** A uniform int in {@code [0, bound)}; {@code bound} must be positive. */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, was " + bound);
    }
    return (int) nextLong(bound);
  }

  /** A uniform int in {@code [from, to)}; {@code from} must be less than {@code to}. */
  public int nextInt(int from, int to) {
    if (from >= to) {
      throw new IllegalArgumentException("empty range [" + from + ", " + to + ")");
    }
    return (int) (from + nextLong((long) to - from));
  }

  /**
   * A uniform long in {@code [0, bound)}; {@code bound} must be positive. Unbiased: Lemire's
   * multiply-and-reject ("Fast Random Integer Generation in an Interval", 2019).
   */
  public long nextLong(long bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, was " + bound);
    }
    long r = nextLong();
    long m = bound - 1;
    if ((bound & m) == 0) {
      return r & m;
    }
    long u = r >>> 1;
    for (long v = u % bound; u + m - v < 0; v = u % bound) {
      u = nextLong() >>> 1;
    }
    return u % bound;
  }

  /** A uniform double in {@code [0, 1)}. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** True with probability {@code p}. */
  public boolean chance(double p) {
    return nextDouble() < p;
  }

  /** A fair coin. */
  public boolean nextBoolean() {
    return nextLong() < 0;
  }

  /** Fills {@code bytes} with random bytes. */
  public void nextBytes(byte[] bytes) {
    int i = 0;
    while (i < bytes.length) {
      long r = nextLong();
      for (int n = Math.min(8, bytes.length - i); n > 0; n--, r >>>= 8) {
        bytes[i++] = (byte) r;
      }
    }
  }

  /**
   * A new generator with its own stream, seeded from this one. Forking the same generator at the
   * same point always gives the same child, so a component's stream does not shift when another
   * component draws more or fewer numbers.
   */
  public Rng fork() {
    return new Rng(nextLong());
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
