package io.ringkv.sim.replication;

import io.ringkv.cluster.version.Actor;
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
 *       replicas applied, each idempotency key counted once however many dot replicas applied it
 *       (an increment retried after an indeterminate answer may reach a second dot replica that had
 *       not seen the first attempt: it must count once after the join, docs/design/causal.md,
 *       "Counters"); an increment counted twice is a violation, and so is an acknowledged one that
 *       no dot replica applied. So an indeterminate increment counts once if it applied and not at
 *       all otherwise: never more than once.
 *   <li><b>Sets are exact</b>: for each element, the final add dots are exactly the dots of the
 *       applied adds that no applied add or remove of the element had observed; so an element is
 *       present iff some add of it was not observed by a remove (add wins).
 * </ul>
 *
 * Violations only when the run is strict (no unsynced data could be lost); otherwise the counters
 * that are not exact are a figure. Not thread-safe.
 */
public final class CrdtChecker {
  /**
   * What the check counted.
   *
   * @param incrementsAcknowledged acknowledged increments
   * @param incrementsRetried increments sent again after an indeterminate answer
   * @param incrementsAppliedByTwoDotReplicas idempotency keys applied by more than one dot replica
   *     (a retry that reached a dot replica that had not seen the first attempt)
   * @param incrementsAppliedTwiceCountedOnce of those, the ones in a counter that ended exact
   * @param countersNotExact counters whose final value is not the sum of their increments, each key
   *     once (a violation in a strict run)
   * @param setUpdatesAcknowledged acknowledged set adds and removes
   */
  public record Figures(
      long incrementsAcknowledged,
      long incrementsRetried,
      long incrementsAppliedByTwoDotReplicas,
      long incrementsAppliedTwiceCountedOnce,
      long countersNotExact,
      long setUpdatesAcknowledged) {}

  private Figures figures = new Figures(0, 0, 0, 0, 0, 0);

  public List<Violation> check(
      History history, CausalLedger ledger, ReplicatedCluster cluster, boolean strict) {
    List<Violation> violations = new ArrayList<>();
    long acknowledged = 0;
    long retried = 0;
    long appliedByTwo = 0;
    long appliedTwiceCountedOnce = 0;
    long notExact = 0;
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
        long extra = 0;
        TreeMap<String, Set<Actor>> appliers = new TreeMap<>();
        for (CausalLedger.Increment increment : ledger.incrementsOf(key)) {
          if (increment.duplicate()) {
            continue;
          }
          if (increment.idempotencyKey() == null) {
            expected += increment.delta();
          } else if (appliers
              .computeIfAbsent(increment.idempotencyKey(), k -> new TreeSet<>())
              .isEmpty()) {
            expected += increment.delta();
            appliers.get(increment.idempotencyKey()).add(increment.actor());
          } else if (appliers.get(increment.idempotencyKey()).add(increment.actor())) {
            extra += increment.delta();
          } else if (strict) {
            // outside the idempotency window: the counter counts it twice, reported below too
            violations.add(
                new Violation(
                    "counter-exact",
                    cluster.nowNanos(),
                    "increment "
                        + increment.idempotencyKey()
                        + " of "
                        + key
                        + " was applied twice by one dot replica, "
                        + increment.actor()));
          }
        }
        long twice = 0;
        for (Set<Actor> actors : appliers.values()) {
          twice += actors.size() > 1 ? 1 : 0;
        }
        appliedByTwo += twice;
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
            if (strict && !appliers.containsKey(operation.request().idempotencyKey())) {
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
        if (actual == expected) {
          appliedTwiceCountedOnce += twice;
        } else {
          notExact++;
          if (strict) {
            violations.add(
                new Violation(
                    "counter-exact",
                    cluster.nowNanos(),
                    key
                        + " ends at "
                        + actual
                        + ", the increments applied sum to "
                        + expected
                        + " counting each idempotency key once"
                        + (twice > 0 && actual == expected + extra
                            ? ": the "
                                + twice
                                + " increments applied by two dot replicas were counted twice"
                            : " (" + twice + " applied by two dot replicas)")));
          }
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
    figures =
        new Figures(
            acknowledged,
            retried,
            appliedByTwo,
            appliedTwiceCountedOnce,
            notExact,
            setAcknowledged);
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
