package io.ringkv.cluster.version;

import java.util.Comparator;
import java.util.Objects;

/**
 * One event of one actor: its {@code counter}-th causal write (or set add) to a key. Dots of one
 * actor on one key are 1, 2, 3, … and never reused ({@link Actor}).
 *
 * @param actor who assigned it
 * @param counter 1 or more
 */
public record Dot(Actor actor, long counter) implements Comparable<Dot> {
  private static final Comparator<Dot> ORDER =
      Comparator.comparing(Dot::actor).thenComparingLong(Dot::counter);

  public Dot {
    Objects.requireNonNull(actor, "actor");
    if (counter < 1) {
      throw new IllegalArgumentException(
          "dot counter must be >= 1, was " + counter + " (actor " + actor + ")");
    }
  }

  @Override
  public int compareTo(Dot other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return actor + ":" + counter;
  }
}
