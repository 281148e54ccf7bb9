package io.ringkv.sim.replication;

import io.ringkv.cluster.version.Actor;
import io.ringkv.cluster.version.Dot;
import io.ringkv.cluster.version.VersionVector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The ground truth of a run's causal writes, noted by the simulator at the dot replicas, outside
 * the protocol: for every causal write a dot replica applied (answered or not, acknowledged or
 * not), the dot it got and the context it superseded; for every counter increment its delta and
 * whether it was a duplicate; for every set add or remove the element's dots it observed and the
 * dot it added. {@link CausalChecker} judges the final states against it.
 *
 * <p>Bounded by {@link History#OPERATIONS_MAX} entries (a write is applied once per delivery of its
 * update, and the network duplicates rarely). Not thread-safe: the simulation's one thread.
 */
public final class CausalLedger {
  /**
   * One applied causal write.
   *
   * @param value the value written (unique per write in the causal workload)
   * @param dot the dot it got, or null if it added no sibling (its value equalled one it did not
   *     cover: a duplicate delivery of its update)
   * @param superseded what it superseded: its client's context, or for a blind write the dot
   *     replica's context before it
   */
  public record Applied(String value, Dot dot, VersionVector superseded) {}

  /**
   * One increment a dot replica took.
   *
   * @param idempotencyKey its key, or null
   * @param duplicate the key was seen: not applied again
   * @param actor the dot replica's actor (node and incarnation) that took it
   */
  public record Increment(long delta, String idempotencyKey, boolean duplicate, Actor actor) {}

  /**
   * One set add or remove a dot replica took.
   *
   * @param added the dot an add gave the element (null for a remove)
   * @param observed the element's dots at the dot replica before: the adds it replaced or removed
   */
  public record SetUpdate(String element, Dot added, Set<Dot> observed) {
    public SetUpdate {
      observed = Set.copyOf(observed);
    }
  }

  private final TreeMap<String, List<Applied>> byKey = new TreeMap<>();
  private final TreeMap<String, List<Increment>> increments = new TreeMap<>();
  private final TreeMap<String, List<SetUpdate>> setUpdates = new TreeMap<>();
  private int size;
  private long objectBytesMax;

  void noteObjectBytes(long bytes) {
    objectBytesMax = Math.max(objectBytesMax, bytes);
  }

  /** The largest causal object a dot replica left. */
  public long objectBytesMax() {
    return objectBytesMax;
  }

  void recordIncrement(
      String key, long delta, String idempotencyKey, boolean duplicate, Actor actor) {
    count();
    increments
        .computeIfAbsent(key, k -> new ArrayList<>())
        .add(new Increment(delta, idempotencyKey, duplicate, actor));
  }

  void recordSet(String key, String element, Dot added, Set<Dot> observed) {
    count();
    setUpdates
        .computeIfAbsent(key, k -> new ArrayList<>())
        .add(new SetUpdate(element, added, observed));
  }

  /** The increments applied to counter {@code key}, in order. */
  public List<Increment> incrementsOf(String key) {
    return Collections.unmodifiableList(increments.getOrDefault(key, List.of()));
  }

  /** The adds and removes applied to set {@code key}, in order. */
  public List<SetUpdate> setUpdatesOf(String key) {
    return Collections.unmodifiableList(setUpdates.getOrDefault(key, List.of()));
  }

  private void count() {
    if (++size > History.OPERATIONS_MAX) {
      throw new IllegalStateException(
          "the causal ledger passed " + History.OPERATIONS_MAX + " entries: a runaway workload");
    }
  }

  void record(String key, String value, Dot dot, VersionVector superseded) {
    count();
    byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(new Applied(value, dot, superseded));
  }

  /** The writes applied to {@code key}, in the order they were applied. */
  public List<Applied> of(String key) {
    return Collections.unmodifiableList(byKey.getOrDefault(key, List.of()));
  }
}
