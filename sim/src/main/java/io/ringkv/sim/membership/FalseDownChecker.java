package io.ringkv.sim.membership;

import io.ringkv.cluster.membership.EndpointState;
import io.ringkv.cluster.membership.Gossip;
import io.ringkv.cluster.membership.GossipEvent;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.Violation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Checker 3 of issue 5: no node is marked down while it and its observer are connected and running.
 * It watches, after every input, when each observer last saw each other node's heartbeat arrive
 * (its generation or heartbeat version advancing: what the failure detector counts), and gives
 * every {@code Down} event one {@link Verdict}:
 *
 * <ul>
 *   <li>{@link Verdict#STOPPED}: the subject was crashed or frozen: a true positive;
 *   <li>{@link Verdict#STALE_INCARNATION}: the observer convicted a process of the subject that has
 *       since been replaced (it still knows the old generation): a true positive;
 *   <li>{@link Verdict#STALE_REFUSAL}: a refused connection convicted the very process that runs
 *       (the observer already knew its generation): the refusal was about an earlier process, and
 *       acting on it is a violation whatever the network;
 *   <li>{@link Verdict#RECENT_FAULT}: the pair was not {@link FaultHistory#connectedSince
 *       connected} for the whole silence that convicted (since the last arrival): a cut, a stop or
 *       start, a freeze, a clock jump of the observer explains it;
 *   <li>{@link Verdict#FALSE_UNDER_FAULTS}: both ran and were connected through the whole silence,
 *       but the cluster around them was not {@link FaultHistory#cleanSince clean} for the
 *       detector's window (loss above {@link FaultHistory#CLEAN_LOSS_MAX}, a third node stopping,
 *       starting or cut off): a false positive, which phi accrual makes at some rate by design;
 *       counted in the false-positive rate, not a violation;
 *   <li>{@link Verdict#FALSE_CLEAN}: a false positive although the whole cluster was clean for
 *       longer than the detector's window (its {@link
 *       io.ringkv.cluster.membership.FailureDetectorConfig#convictionBoundNanos()} plus a round): a
 *       violation.
 * </ul>
 *
 * <p>The false-positive rate is false Downs (both kinds) per hour of ordered node pairs that were
 * both running.
 *
 * <p>Not thread-safe: a {@link ClusterListener} on the simulation's one thread.
 */
final class FalseDownChecker implements ClusterListener {
  /** Examples of false Downs under faults kept for the report. */
  static final int SAMPLES_MAX = 8;

  /** What a Down event was. */
  enum Verdict {
    STOPPED,
    STALE_INCARNATION,
    STALE_REFUSAL,
    RECENT_FAULT,
    FALSE_UNDER_FAULTS,
    FALSE_CLEAN
  }

  private final SimCluster cluster;
  private final FaultHistory history;
  private final long windowNanos;
  private final List<String> names;
  private final TreeMap<String, Integer> indexes = new TreeMap<>();

  /** Per observer and subject: the generation and heartbeat last seen, and when they arrived. */
  private final long[][] seenGeneration;

  private final long[][] seenHeartbeat;
  private final long[][] lastArrival;
  private final long[] counts = new long[Verdict.values().length];
  private final List<Violation> violations = new ArrayList<>();
  private final List<String> falseSamples = new ArrayList<>();
  private double pairSeconds;

  /** The destination of the refusal being handled, if the input being handled is one. */
  private String refusedDestination;

  FalseDownChecker(SimCluster cluster, FaultHistory history, long windowNanos) {
    this.cluster = cluster;
    this.history = history;
    this.windowNanos = windowNanos;
    this.names = cluster.names();
    int size = names.size();
    for (int i = 0; i < size; i++) {
      indexes.put(names.get(i), i);
    }
    seenGeneration = new long[size][size];
    seenHeartbeat = new long[size][size];
    lastArrival = new long[size][size];
    for (int i = 0; i < size; i++) {
      forget(i);
    }
  }

  private void forget(int observer) {
    Arrays.fill(seenGeneration[observer], -1);
    Arrays.fill(seenHeartbeat[observer], -1);
    Arrays.fill(lastArrival[observer], FaultHistory.NEVER);
  }

  @Override
  public void onStarted(SimNode node, boolean restart) {
    forget(indexes.get(node.name())); // a new process knows nothing yet
  }

  @Override
  public void onRefused(SimNode sender, String destination) {
    refusedDestination = destination;
  }

  @Override
  public void onInputHandled(SimNode node) {
    refusedDestination = null;
    int o = indexes.get(node.name());
    Gossip gossip = node.membership().orElseThrow().gossip();
    for (int s = 0; s < names.size(); s++) {
      if (s == o) {
        continue;
      }
      Optional<EndpointState> state = gossip.endpointState(names.get(s));
      if (state.isEmpty()) {
        continue;
      }
      long generation = state.get().generation();
      long heartbeat = state.get().heartbeatVersion();
      if (generation != seenGeneration[o][s] || heartbeat != seenHeartbeat[o][s]) {
        seenGeneration[o][s] = generation;
        seenHeartbeat[o][s] = heartbeat;
        lastArrival[o][s] = cluster.nowNanos();
      }
    }
  }

  @Override
  public void onGossipEvent(SimNode observer, GossipEvent event) {
    if (!(event instanceof GossipEvent.Down down)) {
      return;
    }
    Verdict verdict = judge(observer, down.endpoint());
    counts[verdict.ordinal()]++;
    if (verdict == Verdict.STALE_REFUSAL) {
      violations.add(
          new Violation(
              "false-down",
              cluster.nowNanos(),
              observer.name()
                  + " marked "
                  + down.endpoint()
                  + " down on a refused connection, but "
                  + down.endpoint()
                  + " runs generation "
                  + cluster.node(down.endpoint()).generation()
                  + ", which "
                  + observer.name()
                  + " already knew: the refusal was about an earlier process"));
      return;
    }
    if (verdict != Verdict.FALSE_CLEAN && verdict != Verdict.FALSE_UNDER_FAULTS) {
      return;
    }
    long silence =
        cluster.nowNanos()
            - lastArrival[indexes.get(observer.name())][indexes.get(down.endpoint())];
    String what =
        observer.name()
            + " marked "
            + down.endpoint()
            + " down (phi "
            + GossipText.phi(down.phi())
            + ") after "
            + SimTime.formatShort(silence)
            + " without its heartbeat, both running and connected all along";
    if (verdict == Verdict.FALSE_CLEAN) {
      violations.add(
          new Violation(
              "false-down",
              cluster.nowNanos(),
              what
                  + ", on a cluster clean for over "
                  + SimTime.formatShort(windowNanos)
                  + " (every link up with loss <= "
                  + Math.round(FaultHistory.CLEAN_LOSS_MAX * 100)
                  + "%, no node starting or stopping)"));
    } else if (falseSamples.size() < SAMPLES_MAX) {
      falseSamples.add(SimTime.format(cluster.nowNanos()) + " " + what + ", under faults");
    }
  }

  private Verdict judge(SimNode observer, String subjectName) {
    SimNode subject = cluster.node(subjectName);
    if (!subject.isRunning()) {
      return Verdict.STOPPED;
    }
    int o = indexes.get(observer.name());
    int s = indexes.get(subjectName);
    if (seenGeneration[o][s] < subject.generation()) {
      return Verdict.STALE_INCARNATION;
    }
    if (subjectName.equals(refusedDestination)) {
      return Verdict.STALE_REFUSAL;
    }
    long now = cluster.nowNanos();
    long connectedSince = history.connectedSince(observer.name(), subjectName);
    if (connectedSince == FaultHistory.NOW_DISTURBED || connectedSince >= lastArrival[o][s]) {
      return Verdict.RECENT_FAULT;
    }
    long cleanSince = history.cleanSince(observer.name(), subjectName);
    if (cleanSince == FaultHistory.NOW_DISTURBED || now - cleanSince <= windowNanos) {
      return Verdict.FALSE_UNDER_FAULTS;
    }
    return Verdict.FALSE_CLEAN;
  }

  /** Counts {@code intervalNanos} of every ordered pair of running nodes. */
  void sample(long intervalNanos) {
    int running = 0;
    for (SimNode node : cluster.nodes()) {
      if (node.isRunning()) {
        running++;
      }
    }
    pairSeconds += (double) running * (running - 1) * intervalNanos / SimTime.SECOND_NANOS;
  }

  long count(Verdict verdict) {
    return counts[verdict.ordinal()];
  }

  double pairHours() {
    return pairSeconds / 3600;
  }

  List<Violation> violations() {
    return violations;
  }

  List<String> falseSamples() {
    return falseSamples;
  }
}
