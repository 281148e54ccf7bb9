package io.ringkv.cluster.version;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * The join that {@link DvvSet} and {@link PnCounter} share: both are an immutable sorted map from
 * actor to that actor's entry, and both join two values actor by actor, with their own rule for two
 * entries of one actor. An empty side or the same object joins without a copy, so that a replica
 * already up to date allocates nothing.
 *
 * <p>Stateless; thread-safe.
 */
final class ActorEntries {
  private ActorEntries() {}

  /**
   * The join of {@code left} and {@code right}: every actor of either, and for an actor of both,
   * {@code mergeEntries} of its two entries.
   *
   * @param entries a value's map from actor to entry (read, never changed)
   * @param make a value of a joined map (which it may keep: the map is a fresh copy)
   */
  static <V, E> V join(
      V left,
      V right,
      Function<V, NavigableMap<Actor, E>> entries,
      BinaryOperator<E> mergeEntries,
      Function<TreeMap<Actor, E>, V> make) {
    NavigableMap<Actor, E> rightEntries = entries.apply(right);
    if (rightEntries.isEmpty() || right == left) {
      return left;
    }
    NavigableMap<Actor, E> leftEntries = entries.apply(left);
    if (leftEntries.isEmpty()) {
      return right;
    }
    TreeMap<Actor, E> joined = new TreeMap<>(leftEntries);
    for (Map.Entry<Actor, E> entry : rightEntries.entrySet()) {
      joined.merge(entry.getKey(), entry.getValue(), mergeEntries);
    }
    return make.apply(joined);
  }
}
