package io.ringkv.cluster.version;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A version vector: for each actor, the highest counter whose dots 1..counter are all covered. It
 * is the causal context a client gets with a read and hands back with a write (opaque to it: the
 * {@link CausalCodec#encodeContext} bytes), and the context of an {@link OrSet}.
 *
 * <p>A vector is enough (no dot cloud of stray dots) because every actor's dots on a key are made
 * one after another by one replica under its key lock, and every state a replica holds is a join of
 * states from that sequence: what is covered of one actor is always a prefix 1..n.
 *
 * <p>Immutable; actors ordered ({@link Actor#compareTo}). Join is the per-actor maximum:
 * commutative, associative, idempotent.
 */
public final class VersionVector {
  private static final VersionVector EMPTY = new VersionVector(new TreeMap<>());

  private final NavigableMap<Actor, Long> counters;

  private VersionVector(NavigableMap<Actor, Long> counters) {
    this.counters = counters;
  }

  /** Covers nothing. */
  public static VersionVector empty() {
    return EMPTY;
  }

  /** A vector of {@code counters}; counters of 0 are left out, negative ones refused. */
  public static VersionVector of(Map<Actor, Long> counters) {
    TreeMap<Actor, Long> copy = new TreeMap<>();
    for (Map.Entry<Actor, Long> entry : counters.entrySet()) {
      long counter = entry.getValue();
      if (counter < 0) {
        throw new IllegalArgumentException(
            "version vector counter of " + entry.getKey() + " must be >= 0, was " + counter);
      }
      if (counter > 0) {
        copy.put(entry.getKey(), counter);
      }
    }
    return copy.isEmpty() ? EMPTY : new VersionVector(copy);
  }

  /** The highest covered counter of {@code actor}, 0 if none. */
  public long get(Actor actor) {
    return counters.getOrDefault(actor, 0L);
  }

  /** True if {@code dot} is covered. */
  public boolean covers(Dot dot) {
    return dot.counter() <= get(dot.actor());
  }

  /** True if this covers everything {@code other} covers. */
  public boolean descends(VersionVector other) {
    for (Map.Entry<Actor, Long> entry : other.counters.entrySet()) {
      if (get(entry.getKey()) < entry.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** This with {@code actor} covering at least 1..{@code counter}. */
  public VersionVector with(Actor actor, long counter) {
    if (counter <= get(actor)) {
      return this;
    }
    TreeMap<Actor, Long> copy = new TreeMap<>(counters);
    copy.put(actor, counter);
    return new VersionVector(copy);
  }

  /** The least vector covering both. */
  public VersionVector join(VersionVector other) {
    if (other.descends(this)) {
      return other;
    }
    if (descends(other)) {
      return this;
    }
    TreeMap<Actor, Long> joined = new TreeMap<>(counters);
    other.counters.forEach((actor, counter) -> joined.merge(actor, counter, Math::max));
    return new VersionVector(joined);
  }

  /** The counters, in actor order; unmodifiable. */
  public NavigableMap<Actor, Long> counters() {
    return Collections.unmodifiableNavigableMap(counters);
  }

  public boolean isEmpty() {
    return counters.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionVector other && counters.equals(other.counters);
  }

  @Override
  public int hashCode() {
    return Objects.hash(counters);
  }

  @Override
  public String toString() {
    return counters.toString();
  }
}
