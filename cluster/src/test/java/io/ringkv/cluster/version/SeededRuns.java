package io.ringkv.cluster.version;

import io.ringkv.common.Rng;
import java.util.function.Consumer;

/**
 * Runs a randomized property over seeds, printing the seed of a failure (and how to replay it).
 * {@code -Dcausal.seed=N} runs only seed N; {@code -Dcausal.seeds=K} runs K seeds.
 */
final class SeededRuns {
  private SeededRuns() {}

  static void run(String property, int defaultSeeds, Consumer<Rng> body) {
    String only = System.getProperty("causal.seed");
    int seeds = Integer.getInteger("causal.seeds", defaultSeeds);
    long first = only != null ? Long.decode(only) : 1;
    long last = only != null ? first : seeds;
    for (long seed = first; seed <= last; seed++) {
      try {
        body.accept(new Rng(seed));
      } catch (AssertionError | RuntimeException e) {
        System.out.println(
            property + " failed at seed " + seed + " (replay with -Dcausal.seed=" + seed + ")");
        throw new AssertionError(property + " failed at seed " + seed + ": " + e.getMessage(), e);
      }
    }
  }
}
