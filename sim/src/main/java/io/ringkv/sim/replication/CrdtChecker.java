package io.ringkv.sim.replication;

import io.ringkv.cluster.version.CausalCells;
import io.ringkv.cluster.version.CausalFormatException;
import io.ringkv.cluster.version.Dot;
import io.ringkv.cluster.version.OrSet;
import io.ringkv.cluster.version.PnCounter;
import io.ringkv.sim.Violation;
import io.ringkv.storage.Cell;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Issue 7's checks of the CRDTs merged on the server, judged against the {@link CausalLedger} (what
 * the dot replicas applied) and the join of every replica's final cell:
 *
 * <ul>
 *   <li><b>Counters are exact</b>: a counter's final value is the sum of the increments its dot
 *       replicas applied (duplicates by idempotency key not counted), and every acknowledged
 *       increment was applied. An increment retried after an indeterminate answer and applied twice
 *       (by two dot replicas that each missed the other's attempt) is counted as a figure: the
 *       known gap of the idempotency window (docs/design/causal.md, "Counters").
 *   <li><b>Sets are exact</b>: for each element, the final add dots are exactly the dots of the
 *       applied adds that no applied add or remove of the element had observed; so an element is
 *       present iff some add of it was not observed by a remove (add wins).
 * </ul>
 *
 * Violations only when the run is strict (no unsynced data could be lost). Not thread-safe.
 */
public final class CrdtChecker {
  /**
   * What the check counted.
   *
   * @param incrementsAcknowledged acknowledged increments
   * @param incrementsRetried increments sent again after an indeterminate answer
   * @param incrementsAppliedTwice idempotency keys applied by more than one dot replica
   * @param setUpdatesAcknowledged acknowledged set adds and removes
   */
  public record Figures(
      long incrementsAcknowledged,
      long incrementsRetried,
      long incrementsAppliedTwice,
      long setUpdatesAcknowledged) {}

  private Figures figures = new Figures(0, 0, 0, 0);

  public List<Violation> check(
      History history, CausalLedger ledger, ReplicatedCluster cluster, boolean strict) {
    List<Violation> violations = new ArrayList<>();
    long acknowledged = 0;
    long retried = 0;
    long appliedTwice = 0;
    long setAcknowledged = 0;
    for (String key : history.keys(History.Workload.CAUSAL)) {
      boolean counter = key.startsWith(CausalWorkload.COUNTER_PREFIX);
      boolean set = key.startsWith(CausalWorkload.SET_PREFIX);
      if (!counter && !set) {
        continue;
      }
      Cell merged = null;
      for (String node : cluster.names()) {
        merged = CausalCells.merge(merged, cluster.storedCell(node, key));
      }
      if (counter) {
        long expected = 0;
        TreeMap<String, Integer> applications = new TreeMap<>();
        for (CausalLedger.Increment increment : ledger.incrementsOf(key)) {
          if (!increment.duplicate()) {
            expected += increment.delta();
            if (increment.idempotencyKey() != null) {
              applications.merge(increment.idempotencyKey(), 1, Integer::sum);
            }
          }
        }
        for (int count : applications.values()) {
          appliedTwice += count > 1 ? 1 : 0;
        }
        TreeSet<String> sent = new TreeSet<>();
        for (History.Operation operation : history.of(key)) {
          if (operation.request().kind() != ClientRequest.Kind.COUNTER_INCREMENT) {
            continue;
          }
          if (!sent.add(operation.request().idempotencyKey())) {
            retried++;
          }
          if (operation.succeeded()) {
            acknowledged++;
            if (strict && !applications.containsKey(operation.request().idempotencyKey())) {
              violations.add(
                  new Violation(
                      "counter-exact",
                      cluster.nowNanos(),
                      "acknowledged increment "
                          + operation.request().idempotencyKey()
                          + " of "
                          + key
                          + " was applied by no dot replica"));
            }
          }
        }
        long actual = merged == null ? 0 : decodeCounter(merged).value();
        if (strict && actual != expected) {
          violations.add(
              new Violation(
                  "counter-exact",
                  cluster.nowNanos(),
                  key + " ends at " + actual + ", the increments applied sum to " + expected));
        }
      } else {
        Map<String, Set<Dot>> expected = new TreeMap<>();
        Set<Dot> observed = new TreeSet<>();
        for (CausalLedger.SetUpdate update : ledger.setUpdatesOf(key)) {
          observed.addAll(update.observed());
          if (update.added() != null) {
            expected.computeIfAbsent(update.element(), e -> new TreeSet<>()).add(update.added());
          }
        }
        for (Set<Dot> dots : expected.values()) {
          dots.removeAll(observed);
        }
        expected.values().removeIf(Set::isEmpty);
        Map<String, Set<Dot>> actual = new TreeMap<>();
        if (merged != null) {
          for (Map.Entry<byte[], NavigableSet<Dot>> entry : decodeSet(merged).dots()) {
            actual.put(new String(entry.getKey(), StandardCharsets.UTF_8), entry.getValue());
          }
        }
        for (History.Operation operation : history.of(key)) {
          if (operation.request().kind().isCausal() && operation.succeeded()) {
            setAcknowledged++;
          }
        }
        if (strict && !actual.equals(expected)) {
          violations.add(
              new Violation(
                  "set-exact",
                  cluster.nowNanos(),
                  key
                      + " ends with "
                      + actual
                      + ", the adds no add or remove observed are "
                      + expected));
        }
      }
    }
    figures = new Figures(acknowledged, retried, appliedTwice, setAcknowledged);
    return violations;
  }

  public Figures figures() {
    return figures;
  }

  private static PnCounter decodeCounter(Cell cell) {
    try {
      return CausalCells.counter(cell);
    } catch (CausalFormatException e) {
      throw new IllegalStateException("a counter's final cell does not decode: " + cell, e);
    }
  }

  private static OrSet decodeSet(Cell cell) {
    try {
      return CausalCells.set(cell);
    } catch (CausalFormatException e) {
      throw new IllegalStateException("a set's final cell does not decode: " + cell, e);
    }
  }
}
