package io.ringkv.sim.replication;

import io.ringkv.cluster.version.CausalCells;
import io.ringkv.cluster.version.CausalFormatException;
import io.ringkv.cluster.version.DvvSet;
import io.ringkv.cluster.version.Sibling;
import io.ringkv.sim.Violation;
import io.ringkv.storage.Cell;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Issue 7's check, "causal mode loses nothing": after healing, a read at ALL and quiet, every
 * acknowledged causal write is either a sibling of the key's final state (the join of every
 * replica's cell) or was superseded: every dot it got at a dot replica is covered by the context of
 * some applied write ({@link CausalLedger}). Anything else is a lost write and a violation (when
 * the run is strict: no unsynced data could be lost).
 *
 * <p>The same workload's last-write-wins keys are only counted: an acknowledged LWW write that is
 * not the final value and that no later write had read (so no client chose to replace it) was lost
 * to concurrency, the loss LWW accepts. The figure shows users the difference.
 *
 * <p>Not thread-safe.
 */
public final class CausalChecker {
  /**
   * What the check counted.
   *
   * @param causalAcknowledged acknowledged causal writes
   * @param causalLost of those, neither present nor superseded (must be 0)
   * @param causalSiblingsMax the most siblings a causal key ended with
   * @param lwwAcknowledged acknowledged LWW writes of the same workload
   * @param lwwLost of those, dropped by LWW though no write had read them
   */
  public record Figures(
      long causalAcknowledged,
      long causalLost,
      long causalSiblingsMax,
      long lwwAcknowledged,
      long lwwLost) {}

  private Figures figures = new Figures(0, 0, 0, 0, 0);

  public List<Violation> check(
      History history,
      CausalLedger ledger,
      ReplicatedCluster cluster,
      Map<String, String> observedByLwwWrite,
      boolean strict) {
    List<Violation> violations = new ArrayList<>();
    long causalAcknowledged = 0;
    long causalLost = 0;
    long siblingsMax = 0;
    long lwwAcknowledged = 0;
    long lwwLost = 0;
    for (String key : history.keys(History.Workload.CAUSAL)) {
      Cell merged = null;
      for (String node : cluster.names()) {
        merged = CausalCells.merge(merged, cluster.storedCell(node, key));
      }
      if (!key.startsWith(CausalWorkload.CAUSAL_PREFIX)
          && !key.startsWith(CausalWorkload.LWW_PREFIX)) {
        continue; // counters and sets: CrdtChecker
      }
      if (key.startsWith(CausalWorkload.CAUSAL_PREFIX)) {
        Set<String> present = new HashSet<>();
        if (merged != null) {
          DvvSet clock = register(merged);
          siblingsMax = Math.max(siblingsMax, clock.siblingCount());
          for (Sibling sibling : clock.siblings()) {
            if (!sibling.isTombstone()) {
              present.add(new String(sibling.value(), StandardCharsets.UTF_8));
            }
          }
        }
        for (History.Operation operation : history.of(key)) {
          if (operation.request().kind() != ClientRequest.Kind.CAUSAL_WRITE
              || !operation.succeeded()) {
            continue;
          }
          causalAcknowledged++;
          String value = operation.request().value();
          if (present.contains(value) || superseded(ledger.of(key), value)) {
            continue;
          }
          causalLost++;
          if (strict) {
            violations.add(
                new Violation(
                    "causal-lost",
                    cluster.nowNanos(),
                    "acknowledged causal write "
                        + key
                        + "="
                        + value
                        + " is not a sibling of the final state "
                        + (merged == null ? "(none)" : register(merged))
                        + " and no applied write's context covered it"));
          }
        }
      } else {
        String finalValue =
            merged == null || merged.isTombstone()
                ? null
                : new String(merged.value(), StandardCharsets.UTF_8);
        Set<String> read = new HashSet<>();
        for (History.Operation operation : history.of(key)) {
          if (operation.request().kind() == ClientRequest.Kind.WRITE
              && (operation.outcome() == null || !operation.outcome().notAttempted())) {
            String observed = observedByLwwWrite.get(operation.request().value());
            if (observed != null) {
              read.add(observed);
            }
          }
        }
        for (History.Operation operation : history.of(key)) {
          if (operation.request().kind() != ClientRequest.Kind.WRITE || !operation.succeeded()) {
            continue;
          }
          lwwAcknowledged++;
          String value = operation.request().value();
          if (!value.equals(finalValue) && !read.contains(value)) {
            lwwLost++;
          }
        }
      }
    }
    figures = new Figures(causalAcknowledged, causalLost, siblingsMax, lwwAcknowledged, lwwLost);
    return violations;
  }

  /** True if every dot {@code value} got is covered by some applied write's superseded context. */
  private static boolean superseded(List<CausalLedger.Applied> applied, String value) {
    boolean anyDot = false;
    for (CausalLedger.Applied write : applied) {
      if (!write.value().equals(value) || write.dot() == null) {
        continue;
      }
      anyDot = true;
      boolean covered = false;
      for (CausalLedger.Applied other : applied) {
        if (other.superseded().covers(write.dot())) {
          covered = true;
          break;
        }
      }
      if (!covered) {
        return false;
      }
    }
    return anyDot;
  }

  private static DvvSet register(Cell cell) {
    try {
      return CausalCells.register(cell);
    } catch (CausalFormatException e) {
      throw new IllegalStateException("a causal key's final cell does not decode: " + cell, e);
    }
  }

  public Figures figures() {
    return figures;
  }
}
