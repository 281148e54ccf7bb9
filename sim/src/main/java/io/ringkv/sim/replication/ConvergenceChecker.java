package io.ringkv.sim.replication;

import io.ringkv.sim.Violation;
import io.ringkv.storage.Cell;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Convergence, judged on the nodes' stores: after healing, hint delivery and one read at ALL of
 * every key, every replica of every key holds the same cell (value or tombstone, timestamp,
 * expiry), and no node that is not a replica of a key holds it at all (hints live in the hint log,
 * never in the store). Run it on a quiescent cluster: nothing in flight could still change a store.
 * Stateless between calls.
 */
public final class ConvergenceChecker {
  private long keysJudged;
  private long keysHeld;

  /** Judges {@code keys} on {@code cluster}'s stores, now. */
  public List<Violation> check(ReplicatedCluster cluster, List<String> keys) {
    List<Violation> violations = new ArrayList<>();
    keysJudged = 0;
    keysHeld = 0;
    for (String key : keys) {
      keysJudged++;
      List<String> replicas = cluster.replicasOf(key);
      Set<String> replicaSet = new HashSet<>(replicas);
      Cell first = cluster.storedCell(replicas.get(0), key);
      boolean same = true;
      for (String replica : replicas) {
        if (!Objects.equals(first, cluster.storedCell(replica, key))) {
          same = false;
        }
      }
      if (first != null) {
        keysHeld++;
      }
      if (!same) {
        StringBuilder cells = new StringBuilder();
        for (String replica : replicas) {
          cells
              .append(' ')
              .append(replica)
              .append('=')
              .append(ReplicaMessage.cell(cluster.storedCell(replica, key)));
        }
        violations.add(
            new Violation(
                "convergence",
                cluster.nowNanos(),
                "the replicas of " + key + " disagree after healing and a read at ALL:" + cells));
      }
      for (String node : cluster.names()) {
        if (!replicaSet.contains(node) && cluster.storedCell(node, key) != null) {
          violations.add(
              new Violation(
                  "convergence",
                  cluster.nowNanos(),
                  node + " holds " + key + " but is not one of its replicas " + replicas));
        }
      }
    }
    return violations;
  }

  /** Keys judged by the last check. */
  public long keysJudged() {
    return keysJudged;
  }

  /** Keys the replicas hold a cell for (the others were never written anywhere). */
  public long keysHeld() {
    return keysHeld;
  }
}
