package io.ringkv.sim.replication;

import io.ringkv.cluster.version.Dot;
import io.ringkv.cluster.version.VersionVector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;

/**
 * The ground truth of a run's causal writes, noted by the simulator at the dot replicas, outside
 * the protocol: for every causal write a dot replica applied (answered or not, acknowledged or
 * not), the dot it got and the context it superseded. {@link CausalChecker} judges the final
 * siblings against it.
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

  private final TreeMap<String, List<Applied>> byKey = new TreeMap<>();
  private int size;

  void record(String key, String value, Dot dot, VersionVector superseded) {
    if (++size > History.OPERATIONS_MAX) {
      throw new IllegalStateException(
          "the causal ledger passed " + History.OPERATIONS_MAX + " entries: a runaway workload");
    }
    byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(new Applied(value, dot, superseded));
  }

  /** The writes applied to {@code key}, in the order they were applied. */
  public List<Applied> of(String key) {
    return Collections.unmodifiableList(byKey.getOrDefault(key, List.of()));
  }
}
