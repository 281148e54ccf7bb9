package io.ringkv.cluster.ring;

import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * Seeds for the randomized tests of the ring and the metadata: a fixed list, or the one given by
 * {@code -Dring.seed=...} to replay a failure. Failures name the seed and this property.
 */
public final class TestSeeds {
  /** The system property that replays one seed. */
  public static final String PROPERTY = "ring.seed";

  private TestSeeds() {}

  /** {@code count} fixed seeds derived from {@code base}, or the replayed seed alone. */
  public static Stream<Long> seeds(long base, int count) {
    String replay = System.getProperty(PROPERTY);
    if (replay != null) {
      return Stream.of(Long.decode(replay));
    }
    int runs = Boolean.getBoolean("ringkv.long") ? count * 10 : count;
    return LongStream.range(0, runs).mapToObj(i -> base + i * 0x9E37_79B9L);
  }

  /** The prefix of every failure message: the seed and how to replay it. */
  public static String replay(long seed) {
    return "seed " + seed + " (replay with -D" + PROPERTY + "=" + seed + ")";
  }
}
