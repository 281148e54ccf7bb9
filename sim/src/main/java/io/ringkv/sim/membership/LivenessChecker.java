package io.ringkv.sim.membership;

import io.ringkv.cluster.membership.ApplicationState;
import io.ringkv.cluster.membership.ClusterMembership;
import io.ringkv.cluster.membership.EndpointState;
import io.ringkv.cluster.membership.GossipEvent;
import io.ringkv.cluster.ring.Token;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checker 2 of issue 5: a node that stops (crash or freeze) is down on every other running node
 * within a bound, and up again within a bound after it returns, at its new generation (higher after
 * a restart) and with the same tokens.
 *
 * <p>Down: a stop at {@code t} must be seen by observer O (not up in its gossip) by {@code max(t,
 * d(O)) + downBound}, where {@code d(O)} is O's last {@link FaultHistory#downDisturbance
 * disturbance}, and provided no link between running nodes is cut (a node cut off from O may hold
 * the stopped node's last heartbeats, and hand them over when the cut heals). {@code downBound} is
 * the detector's conviction bound plus the time for the last heartbeat to spread, which grows with
 * the highest loss on a link between running nodes (see {@link MembershipRun.Bounds} and
 * docs/design/simulator.md).
 *
 * <p>Up: a return at {@code t} must be seen by O (up, at the returned process's generation, with
 * its TOKENS value) by {@code max(t, u(O)) + upBound}, on the same condition and provided a seed
 * runs (a restarted process knows only the seeds). A restart must also come back at a generation
 * above the highest one it stored and with the tokens it stored.
 *
 * <p>It also measures detection and recovery times on the cases with no disturbance at all.
 *
 * <p>Not thread-safe: a {@link ClusterListener} on the simulation's one thread.
 */
final class LivenessChecker implements ClusterListener {
  private final SimCluster cluster;
  private final FaultHistory history;
  private final MembershipRun.Bounds bounds;
  private final TreeMap<String, Outage> outages = new TreeMap<>();
  private final TreeMap<String, Comeback> comebacks = new TreeMap<>();
  private final List<Violation> violations = new ArrayList<>();
  private long cleanDetections;
  private long detectionNanosMax;
  private long cleanRecoveries;
  private long recoveryNanosMax;

  private static final class Outage {
    final long stoppedAt;
    final long generationBefore;
    final List<Token> tokensBefore;
    final TreeMap<String, Long> detectedAt = new TreeMap<>();
    final TreeSet<String> reported = new TreeSet<>();

    Outage(long stoppedAt, long generationBefore, List<Token> tokensBefore) {
      this.stoppedAt = stoppedAt;
      this.generationBefore = generationBefore;
      this.tokensBefore = tokensBefore;
    }
  }

  private static final class Comeback {
    final long returnedAt;
    final TreeMap<String, Long> upAt = new TreeMap<>();
    final TreeSet<String> reported = new TreeSet<>();

    Comeback(long returnedAt) {
      this.returnedAt = returnedAt;
    }
  }

  LivenessChecker(SimCluster cluster, FaultHistory history, MembershipRun.Bounds bounds) {
    this.cluster = cluster;
    this.history = history;
    this.bounds = bounds;
  }

  @Override
  public void onStopped(SimNode node, StopKind kind) {
    comebacks.remove(node.name());
    if (!outages.containsKey(node.name())) {
      outages.put(
          node.name(),
          new Outage(cluster.nowNanos(), node.generationStored(), node.tokensStored()));
    }
  }

  @Override
  public void onStarted(SimNode node, boolean restart) {
    Outage outage = outages.remove(node.name());
    if (outage == null) {
      return; // a first start: convergence covers it
    }
    long now = cluster.nowNanos();
    if (node.generation() <= outage.generationBefore) {
      violations.add(
          new Violation(
              "restart",
              now,
              node.name()
                  + " restarted at generation "
                  + node.generation()
                  + ", not above "
                  + outage.generationBefore
                  + ", the highest it had stored"));
    }
    List<Token> tokens = SimNode.ownTokens(node.membership().orElseThrow());
    if (!outage.tokensBefore.isEmpty() && !tokens.equals(outage.tokensBefore)) {
      violations.add(
          new Violation(
              "restart",
              now,
              node.name()
                  + " restarted with "
                  + tokens.size()
                  + " tokens other than the "
                  + outage.tokensBefore.size()
                  + " it had stored"));
    }
    comebacks.put(node.name(), new Comeback(now));
  }

  @Override
  public void onThawed(SimNode node) {
    if (outages.remove(node.name()) != null) {
      comebacks.put(node.name(), new Comeback(cluster.nowNanos()));
    }
  }

  @Override
  public void onGossipEvent(SimNode observer, GossipEvent event) {
    if (event instanceof GossipEvent.Down down) {
      Outage outage = outages.get(down.endpoint());
      if (outage != null) {
        detected(outage, observer.name());
      }
    }
  }

  /** Judges every pending case now; the run calls it once per simulated second. */
  void check() {
    long now = cluster.nowNanos();
    boolean linked = history.runningNodesFullyLinked();
    double loss = history.lossBetweenRunningNodesMax();
    long downBoundNanos = bounds.downNanos(loss);
    long upBoundNanos = bounds.upNanos(loss);
    for (Map.Entry<String, Outage> entry : outages.entrySet()) {
      String subject = entry.getKey();
      Outage outage = entry.getValue();
      for (SimNode observer : cluster.nodes()) {
        if (observer.name().equals(subject) || !observer.isRunning()) {
          continue;
        }
        if (!observer.membership().orElseThrow().gossip().isUp(subject)) {
          detected(outage, observer.name());
          continue;
        }
        long deadline =
            Math.max(outage.stoppedAt, history.downDisturbance(observer.name())) + downBoundNanos;
        if (linked && now >= deadline && outage.reported.add(observer.name())) {
          violations.add(
              new Violation(
                  "down-bound",
                  now,
                  observer.name()
                      + " still sees "
                      + subject
                      + " up "
                      + SimTime.formatShort(now - outage.stoppedAt)
                      + " after it stopped (bound "
                      + SimTime.formatShort(downBoundNanos)
                      + " after the stop or the observer's last disturbance)"));
        }
      }
    }
    for (Map.Entry<String, Comeback> entry : comebacks.entrySet()) {
      SimNode subject = cluster.node(entry.getKey());
      Comeback comeback = entry.getValue();
      if (!subject.isRunning()) {
        continue;
      }
      ClusterMembership truth = subject.membership().orElseThrow();
      Optional<String> tokens = truth.gossip().localState().value(ApplicationState.TOKENS);
      for (SimNode observer : cluster.nodes()) {
        if (observer == subject
            || !observer.isRunning()
            || comeback.upAt.containsKey(observer.name())) {
          continue;
        }
        ClusterMembership view = observer.membership().orElseThrow();
        Optional<EndpointState> known = view.gossip().endpointState(subject.name());
        String wrong = null;
        if (!view.gossip().isUp(subject.name())) {
          wrong = "down";
        } else if (known.isEmpty() || known.get().generation() != subject.generation()) {
          wrong =
              "at generation "
                  + known.map(EndpointState::generation).orElse(-1L)
                  + ", not "
                  + subject.generation();
        } else if (!known.get().value(ApplicationState.TOKENS).equals(tokens)) {
          wrong = "with other tokens";
        }
        if (wrong == null) {
          comeback.upAt.put(observer.name(), now);
          if (history.upDisturbance(observer.name()) <= comeback.returnedAt) {
            cleanRecoveries++;
            recoveryNanosMax = Math.max(recoveryNanosMax, now - comeback.returnedAt);
          }
          continue;
        }
        long deadline =
            Math.max(comeback.returnedAt, history.upDisturbance(observer.name())) + upBoundNanos;
        if (linked
            && history.anySeedRunning()
            && now >= deadline
            && comeback.reported.add(observer.name())) {
          violations.add(
              new Violation(
                  "up-bound",
                  now,
                  observer.name()
                      + " still sees "
                      + subject.name()
                      + " "
                      + wrong
                      + " "
                      + SimTime.formatShort(now - comeback.returnedAt)
                      + " after it returned (bound "
                      + SimTime.formatShort(upBoundNanos)
                      + ")"));
        }
      }
    }
  }

  private void detected(Outage outage, String observer) {
    if (outage.detectedAt.putIfAbsent(observer, cluster.nowNanos()) == null
        && history.downDisturbance(observer) <= outage.stoppedAt) {
      cleanDetections++;
      detectionNanosMax = Math.max(detectionNanosMax, cluster.nowNanos() - outage.stoppedAt);
    }
  }

  List<Violation> violations() {
    return violations;
  }

  long cleanDetections() {
    return cleanDetections;
  }

  long detectionNanosMax() {
    return detectionNanosMax;
  }

  long cleanRecoveries() {
    return cleanRecoveries;
  }

  long recoveryNanosMax() {
    return recoveryNanosMax;
  }
}
