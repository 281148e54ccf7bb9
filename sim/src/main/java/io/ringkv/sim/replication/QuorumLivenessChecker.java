package io.ringkv.sim.replication;

import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.sim.SimNetwork;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.Violation;
import io.ringkv.sim.membership.StopKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Liveness: with enough replicas of a key up and connected, requests on it succeed. Precisely, an
 * operation at level L (not ANY) on key k, coordinated by C, sent at t and answered at e, is in a
 * <em>quiet window</em> when, with W the {@link #stabilisationNanos settling time}:
 *
 * <ol>
 *   <li>the network is clean (no cut, no lossy link, no loss) and no link changed in [t - W, e];
 *   <li>C ran throughout [t - W, e]: no start, stop, freeze, thaw or clock jump of C in it (a
 *       backward jump of d counts until d after it, or after C's previous disturbance if that is
 *       later: jumps compound, since the detector's deadlines are on C's clock);
 *   <li>at least L's number of k's replicas ran throughout [t - W, e], with the same rule;
 *   <li>every other replica of k was stopped (crashed or frozen) throughout [t, e], and C's failure
 *       detector held it down at t.
 * </ol>
 *
 * An operation in a quiet window must succeed: not unavailable, not timed out, not refused, not
 * unanswered. W is what C needs to see a steady replica up: the refusal hold, three ping intervals
 * and four one-way delays (a ping, its pong, and a reset for an attempt made before a restart).
 * Condition 4 asks that C's view be right about the replicas that are down, since a coordinator
 * that still believes a dead replica alive sends it its share and waits: that is the failure
 * detector's accuracy, judged by the membership simulation, not the coordinator's liveness.
 *
 * <p>Not thread-safe: runs on the simulation's one thread.
 */
public final class QuorumLivenessChecker implements History.Listener, ReplicationListener {
  private record Pending(
      History.Operation operation, List<String> replicas, TreeSet<String> seenDown) {}

  private final ReplicatedCluster cluster;
  private final long stabilisationNanos;
  private final Map<Long, Pending> pending = new HashMap<>();
  private final TreeMap<String, Long> lastDisturbanceNanos = new TreeMap<>();
  private final List<Violation> violations = new ArrayList<>();
  private long lastNetworkChangeNanos = Long.MIN_VALUE / 2;
  private long judged;
  private long quiet;

  public QuorumLivenessChecker(ReplicatedCluster cluster) {
    this(cluster, stabilisationNanos(cluster.settings(), cluster.network().faults()));
  }

  public QuorumLivenessChecker(ReplicatedCluster cluster, long stabilisationNanos) {
    this.cluster = cluster;
    this.stabilisationNanos = stabilisationNanos;
    for (String name : cluster.names()) {
      lastDisturbanceNanos.put(name, Long.MIN_VALUE / 2);
    }
  }

  /** W: the refusal hold, three ping intervals and four of the network's longest delays. */
  public static long stabilisationNanos(NodeSettings settings, SimNetwork.Faults faults) {
    return settings.refusalHoldNanos()
        + 3 * settings.pingIntervalNanos()
        + 4 * faults.delayMaxNanos();
  }

  public long stabilisationNanos() {
    return stabilisationNanos;
  }

  public List<Violation> violations() {
    return List.copyOf(violations);
  }

  /** Operations judged (every level but ANY). */
  public long judged() {
    return judged;
  }

  /** Operations that were in a quiet window, hence had to succeed. */
  public long quiet() {
    return quiet;
  }

  // --- what happens ---

  @Override
  public void onStarted(ReplicaNode node, boolean restart) {
    disturbed(node.name(), cluster.nowNanos());
  }

  @Override
  public void onStopped(ReplicaNode node, StopKind kind) {
    disturbed(node.name(), cluster.nowNanos());
  }

  @Override
  public void onThawed(ReplicaNode node) {
    disturbed(node.name(), cluster.nowNanos());
  }

  /**
   * A backward jump of d delays by d every deadline the node set on its own clock (a refusal's
   * hold, the detector's last arrival); jumps compound, since a deadline set before the first is
   * delayed by each: the node is disturbed until max(its previous disturbance, now) + d (seed 8966:
   * two jumps of 9 s kept a refusal's hold for 23 s).
   */
  @Override
  public void onClockJumped(ReplicaNode node, long deltaNanos) {
    long now = cluster.nowNanos();
    if (deltaNanos >= 0) {
      disturbed(node.name(), now);
    } else {
      long until = Math.max(lastDisturbanceNanos.get(node.name()), now) - deltaNanos;
      disturbed(node.name(), until);
    }
  }

  @Override
  public void onLinkChanged(String from, String to) {
    lastNetworkChangeNanos = cluster.nowNanos();
  }

  private void disturbed(String node, long untilNanos) {
    lastDisturbanceNanos.merge(node, untilNanos, Math::max);
  }

  @Override
  public void onStart(History.Operation operation) {
    if (operation.request().level() == ConsistencyLevel.ANY) {
      return;
    }
    TreeSet<String> seenDown = new TreeSet<>();
    ReplicaNode coordinator = cluster.node(operation.coordinator());
    List<String> replicas = cluster.replicasOf(operation.key());
    if (coordinator.process != null) {
      for (String replica : replicas) {
        if (!coordinator.process.seesUp(replica)) {
          seenDown.add(replica);
        }
      }
    }
    pending.put(operation.id(), new Pending(operation, replicas, seenDown));
  }

  @Override
  public void onEnd(History.Operation operation) {
    Pending started = pending.remove(operation.id());
    if (started == null) {
      return;
    }
    judged++;
    String notQuiet = whyNotQuiet(started);
    if (notQuiet != null) {
      return;
    }
    quiet++;
    if (!operation.succeeded()) {
      violations.add(
          new Violation(
              "liveness",
              operation.endNanos(),
              operation
                  + " failed in a quiet window (network clean and coordinator and "
                  + required(operation.request().level())
                  + " of replicas "
                  + started.replicas()
                  + " steady for "
                  + SimTime.formatShort(stabilisationNanos)
                  + " before it was sent, the others down and seen down)"));
    }
  }

  /** Why {@code started} was not in a quiet window, or null if it was. */
  private String whyNotQuiet(Pending started) {
    History.Operation operation = started.operation();
    long from = operation.startNanos() - stabilisationNanos;
    if (lastNetworkChangeNanos >= from || !networkClean()) {
      return "network";
    }
    if (!steady(operation.coordinator(), from)) {
      return "coordinator";
    }
    int steadyReplicas = 0;
    for (String replica : started.replicas()) {
      if (steady(replica, from)) {
        steadyReplicas++;
      } else {
        ReplicaNode node = cluster.node(replica);
        boolean stopped = !node.isRunning();
        if (!stopped
            || lastDisturbanceNanos.get(replica) >= operation.startNanos()
            || !started.seenDown().contains(replica)) {
          return "replica " + replica;
        }
      }
    }
    return steadyReplicas >= required(operation.request().level()) ? null : "too few replicas";
  }

  private boolean steady(String name, long sinceNanos) {
    return cluster.node(name).isRunning() && lastDisturbanceNanos.get(name) < sinceNanos;
  }

  private boolean networkClean() {
    SimNetwork<ReplicaMessage> network = cluster.network();
    for (String from : cluster.names()) {
      for (String to : cluster.names()) {
        if (!from.equals(to)
            && (network.isCut(from, to) || network.lossProbability(from, to) > 0)) {
          return false;
        }
      }
    }
    return true;
  }

  private int required(ConsistencyLevel level) {
    int factor =
        cluster
            .metadata()
            .keyspace(Keyspace.DEFAULT_NAME)
            .orElseThrow()
            .replication()
            .totalReplicationFactor();
    return switch (level) {
      case ONE, LOCAL_ONE, ANY -> 1;
      case TWO -> 2;
      case THREE -> 3;
      case QUORUM, LOCAL_QUORUM, EACH_QUORUM -> factor / 2 + 1;
      case ALL -> factor;
    };
  }
}
