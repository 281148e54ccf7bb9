package io.ringkv.sim;

import io.ringkv.common.Rng;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The random draws every simulator's chaos phase makes the same way: when a fault strikes next, how
 * long it lasts, how a partition splits the nodes, which link a cut or a lossy link takes, and how
 * lossy. Each method draws from the {@link Rng} in one fixed order, the order the chaos phases drew
 * in before they shared it, so a seed's trace is the same.
 *
 * <p>Not thread-safe: used on the simulation's one thread.
 */
public final class FaultDraws {
  private final Rng rng;

  public FaultDraws(Rng rng) {
    this.rng = rng;
  }

  /** Two sides of a partition, neither empty. */
  public record Sides(String[] one, String[] other) {}

  /** A directed link between two different nodes. */
  public record Link(String from, String to) {}

  /** The gap before the next strike: exponentially distributed around the mean, at least 1 ns. */
  public long gapNanos(long meanIntervalNanos) {
    return 1 + (long) (-meanIntervalNanos * StrictMath.log(1 - rng.nextDouble()));
  }

  /** How long a strike lasts: uniform between a tenth of the maximum and the maximum. */
  public long durationNanos(long durationMaxNanos) {
    long max = durationMaxNanos;
    return max / 10 + rng.nextLong(max - max / 10 + 1);
  }

  /** Shuffles {@code names} (at least two) and splits them at a random point. */
  public Sides partition(List<String> names) {
    List<String> shuffled = new ArrayList<>(names);
    for (int i = shuffled.size() - 1; i > 0; i--) {
      Collections.swap(shuffled, i, rng.nextInt(i + 1));
    }
    int split = 1 + rng.nextInt(shuffled.size() - 1);
    return new Sides(
        shuffled.subList(0, split).toArray(String[]::new),
        shuffled.subList(split, shuffled.size()).toArray(String[]::new));
  }

  /** A link from one of {@code names} (at least two) to another. */
  public Link link(List<String> names) {
    int from = rng.nextInt(names.size());
    int to = (from + 1 + rng.nextInt(names.size() - 1)) % names.size();
    return new Link(names.get(from), names.get(to));
  }

  /** A lossy link's loss probability: 30 to 90 %, in whole percent. */
  public double linkLoss() {
    return Math.round((0.3 + 0.6 * rng.nextDouble()) * 100) / 100.0;
  }
}
