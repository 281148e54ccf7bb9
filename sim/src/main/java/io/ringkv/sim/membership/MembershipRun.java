package io.ringkv.sim.membership;

import io.ringkv.cluster.membership.FailureDetectorConfig;
import io.ringkv.cluster.membership.GossipStats;
import io.ringkv.common.Rng;
import io.ringkv.sim.SimNetwork;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.SimulationFailure;
import io.ringkv.sim.Trace;
import io.ringkv.sim.Violation;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One seeded run of the membership simulation of issue 5, start to verdict:
 *
 * <ol>
 *   <li>the {@link SwarmPlan} of the seed builds the cluster; nodes start at their planned times;
 *   <li>chaos: from the plan's chaos start (0 or after the cluster formed) to its end, the enabled
 *       faults strike ({@link Chaos});
 *   <li>healing: every cut restored, loss set to 0, frozen nodes thawed, crashed nodes restarted;
 *       the cluster must {@link Convergence converge} within {@link Bounds#convergeNanos()} and
 *       stay converged for {@link #STABLE_NANOS};
 *   <li>the last act: one node is killed, powered off or frozen (per the plan) on a clean network;
 *       every other must see it down within {@link Bounds#downNanos}; then it returns and the
 *       cluster must converge again (up everywhere, higher generation, same tokens) within {@link
 *       Bounds#upNanos} plus the convergence bound, and stay so.
 * </ol>
 *
 * Throughout, {@link LivenessChecker} and {@link FalseDownChecker} judge every stop, return and
 * Down event, and an exception from the protocol code ends the run as a violation. See
 * docs/design/simulator.md for the bounds and the definitions.
 *
 * <p>Pure: no wall clock, no threads; the same seed gives the same trace hash.
 */
public final class MembershipRun {
  /** How often the checkers judge pending cases (simulated time). */
  public static final long MONITOR_INTERVAL_NANOS = SimTime.SECOND_NANOS;

  /**
   * Gossip rounds allowed, on a loss-free network, for a stopped node's last heartbeat (or a
   * returned node's first one) to reach every node: a generous bound on epidemic spreading among at
   * most 7 nodes. Under loss the allowance grows as {@code 1 / (1 - loss)^3}, the expected number
   * of tries for the three messages of a round to get through (docs/design/simulator.md).
   */
  public static final int SPREAD_ROUNDS = 20;

  /** How long a converged cluster must stay converged. */
  public static final long STABLE_NANOS = SimTime.seconds(10);

  /**
   * The bounds of one plan (docs/design/simulator.md derives them).
   *
   * @param convictionNanos the detector's conviction bound in true time (clock drift included): no
   *     endpoint heard from and then silent stays up longer
   * @param delayMaxNanos the network's longest one-way delay
   * @param refusalHoldNanos how long a conviction on a refused connection holds a node down
   * @param joinWaitMaxNanos the longest a joining node waits before choosing tokens
   */
  public record Bounds(
      long convictionNanos, long delayMaxNanos, long refusalHoldNanos, long joinWaitMaxNanos) {

    /** The bounds for {@code plan}. */
    public static Bounds of(SwarmPlan plan) {
      FailureDetectorConfig detector = plan.membershipConfig().gossip().failureDetector();
      double driftFactor = 1 + 2 * plan.driftPpmMax() / 1e6;
      return new Bounds(
          (long) Math.ceil(detector.convictionBoundNanos() * driftFactor),
          plan.network().delayMaxNanos(),
          detector.localPauseMaxNanos(),
          plan.joinWaitMaxNanos());
    }

    /** The time for a heartbeat to reach every node when links lose {@code loss} of messages. */
    public long spreadNanos(double loss) {
      double delivered = 1 - Math.min(loss, 0.99);
      double rounds = Math.ceil(SPREAD_ROUNDS / (delivered * delivered * delivered));
      return delayMaxNanos + (long) Math.min(rounds * SimCluster.TICK_INTERVAL_NANOS, 1e15);
    }

    /** A stopped node is down everywhere within this (plus the checkers' one-second cadence). */
    public long downNanos(double loss) {
      return convictionNanos + spreadNanos(loss) + MONITOR_INTERVAL_NANOS;
    }

    /** A returned node is up everywhere within this. */
    public long upNanos(double loss) {
      return refusalHoldNanos + spreadNanos(loss) + MONITOR_INTERVAL_NANOS;
    }

    /** A pair connected longer than this must not see Downs (see {@link FalseDownChecker}). */
    public long falseDownWindowNanos() {
      return convictionNanos + SimCluster.TICK_INTERVAL_NANOS;
    }

    /** A healed cluster converges within this. */
    public long convergeNanos() {
      return joinWaitMaxNanos + upNanos(0);
    }
  }

  private final SwarmPlan plan;
  private final Bounds bounds;
  private final SimCluster cluster;
  private final Simulation simulation;
  private final FaultHistory history;
  private final FalseDownChecker falseDowns;
  private final LivenessChecker liveness;
  private final Chaos chaos;
  private final Rng rng;
  private final List<Violation> violations = new ArrayList<>();
  private long convergedAfterNanos = -1;
  private long lastActDetectionNanos = -1;
  private long lastActRecoveryNanos = -1;

  private MembershipRun(long seed, Trace trace) {
    plan = SwarmPlan.of(seed);
    bounds = Bounds.of(plan);
    cluster = plan.build(trace);
    simulation = cluster.simulation();
    history = new FaultHistory(cluster);
    falseDowns = new FalseDownChecker(cluster, history, bounds.falseDownWindowNanos());
    liveness = new LivenessChecker(cluster, history, bounds);
    chaos = new Chaos(cluster, plan, simulation.rng().fork());
    rng = simulation.rng().fork();
    cluster.addListener(history);
    cluster.addListener(falseDowns);
    cluster.addListener(liveness);
    cluster.addListener(chaos);
  }

  /** Runs {@code seed}, keeping only the trace's hash and tail. */
  public static RunResult run(long seed) {
    return run(seed, new Trace());
  }

  /** Runs {@code seed}, tracing to {@code trace}. */
  public static RunResult run(long seed, Trace trace) {
    return new MembershipRun(seed, trace).execute();
  }

  private RunResult execute() {
    simulation.trace("seed " + plan.seed() + ": " + plan.describe());
    simulation.trace(
        "bounds: down "
            + SimTime.formatShort(bounds.downNanos(0))
            + ", up "
            + SimTime.formatShort(bounds.upNanos(0))
            + " (without loss), false-Down window "
            + SimTime.formatShort(bounds.falseDownWindowNanos())
            + ", convergence "
            + SimTime.formatShort(bounds.convergeNanos()));
    simulation.at(0, this::monitor);
    for (int i = 0; i < plan.nodeCount(); i++) {
      String name = cluster.names().get(i);
      simulation.at(plan.startAtNanos(i), () -> cluster.start(name));
    }
    simulation.at(plan.chaosStartNanos(), chaos::begin);
    try {
      simulation.runUntil(plan.chaosEndNanos());
      chaos.end();
      heal();
      convergedAfterNanos = converge("convergence", bounds.convergeNanos());
      if (convergedAfterNanos >= 0) {
        lastAct();
      }
      liveness.check();
    } catch (SimulationFailure failure) {
      violations.add(
          new Violation(
              "exception", simulation.nowNanos(), failure.getMessage() + "\n" + stack(failure)));
    }
    violations.addAll(liveness.violations());
    violations.addAll(falseDowns.violations());
    violations.sort(Comparator.comparingLong(Violation::atNanos));
    simulation.trace("end: " + violations.size() + " violations");
    return new RunResult(
        plan.seed(),
        plan.describe(),
        violations,
        simulation.trace().hash(),
        simulation.trace().tail(),
        figures(),
        falseDowns.falseSamples());
  }

  private void monitor() {
    liveness.check();
    falseDowns.sample(MONITOR_INTERVAL_NANOS);
    simulation.after(MONITOR_INTERVAL_NANOS, this::monitor);
  }

  /** Ends every fault: restores links, stops loss, thaws and restarts every node. */
  private void heal() {
    cluster.healNetwork();
    cluster.network().setFaults(cluster.network().faults().withoutLoss());
    for (SimNode node : cluster.nodes()) {
      node.fileSystem().failNextSyncs(0);
    }
    for (SimNode node : cluster.nodes()) {
      switch (node.state()) {
        case FROZEN -> cluster.thaw(node.name());
        case CRASHED, NOT_STARTED -> cluster.start(node.name());
        case RUNNING -> {}
      }
    }
    simulation.trace("healed");
  }

  /**
   * Runs until the cluster has converged and stayed so for {@link #STABLE_NANOS}, the stretch
   * starting within {@code withinNanos}: right after healing, a node may still convict a peer whose
   * silence began in a partition (a true verdict on the past), then see it up again; convergence is
   * the start of the first stretch that lasts.
   *
   * @return the time from now to the start of that stretch, or -1 (and a violation) if none
   */
  private long converge(String checker, long withinNanos) {
    long from = simulation.nowNanos();
    long deadline = from + withinNanos;
    String lastBreak = "";
    while (cluster.runUntil(
        () -> cluster.whyNotConverged().isEmpty(), Math.max(0, deadline - simulation.nowNanos()))) {
      long stretchStart = simulation.nowNanos();
      Optional<String> broken = Optional.empty();
      while (broken.isEmpty() && simulation.nowNanos() < stretchStart + STABLE_NANOS) {
        simulation.runFor(MONITOR_INTERVAL_NANOS);
        broken = cluster.whyNotConverged();
      }
      if (broken.isEmpty()) {
        simulation.trace("converged after " + SimTime.formatShort(stretchStart - from));
        return stretchStart - from;
      }
      lastBreak = "; converged at " + SimTime.format(stretchStart) + " but then " + broken.get();
      simulation.trace("converged, then not: " + broken.get());
      if (simulation.nowNanos() >= deadline) {
        break;
      }
    }
    violations.add(
        new Violation(
            checker,
            simulation.nowNanos(),
            "not converged for "
                + SimTime.formatShort(STABLE_NANOS)
                + " within "
                + SimTime.formatShort(withinNanos)
                + " after "
                + (checker.equals("convergence") ? "healing" : "the node returned")
                + ": "
                + cluster.whyNotConverged().orElse("converged only briefly")
                + lastBreak));
    return -1;
  }

  /** Stops one node on a clean network, waits for everyone to see it down, brings it back. */
  private void lastAct() {
    String victim = cluster.names().get(rng.nextInt(cluster.names().size()));
    StopKind kind = plan.finalStop();
    simulation.trace("last act: " + kind + " " + victim);
    if (kind == StopKind.FREEZE) {
      cluster.freeze(victim);
    } else {
      cluster.crash(victim, kind);
    }
    long stoppedAt = simulation.nowNanos();
    boolean down =
        cluster.runUntil(
            () -> {
              for (SimNode node : cluster.nodes()) {
                if (node.isRunning() && cluster.viewOf(node.name()).isUp(victim)) {
                  return false;
                }
              }
              return true;
            },
            bounds.downNanos(0));
    if (!down) {
      violations.add(
          new Violation(
              "last-act-down",
              simulation.nowNanos(),
              victim
                  + " ("
                  + kind
                  + ") not down everywhere within "
                  + SimTime.formatShort(bounds.downNanos(0))));
      return;
    }
    lastActDetectionNanos = simulation.nowNanos() - stoppedAt;
    if (kind == StopKind.FREEZE) {
      cluster.thaw(victim);
    } else {
      cluster.restart(victim);
    }
    lastActRecoveryNanos = converge("last-act-up", bounds.upNanos(0));
  }

  private RunFigures figures() {
    SimNetwork.Stats network = cluster.network().stats();
    long crashes = 0;
    long freezes = 0;
    long rechosen = 0;
    GossipStats gossip = SimNode.NO_STATS;
    for (SimNode node : cluster.nodes()) {
      crashes += node.crashes();
      freezes += node.freezes();
      rechosen += node.tokensRechosen();
      gossip = SimNode.sum(gossip, node.gossipStats());
    }
    long downs = 0;
    for (FalseDownChecker.Verdict verdict : FalseDownChecker.Verdict.values()) {
      downs += falseDowns.count(verdict);
    }
    return new RunFigures(
        plan.nodeCount(),
        simulation.nowNanos(),
        network.sent(),
        network.dropped()
            + network.lostToCuts()
            + network.unanswered()
            + network.overflowed()
            + network.refusals(),
        chaos.strikes(),
        crashes,
        freezes,
        downs,
        falseDowns.count(FalseDownChecker.Verdict.STOPPED)
            + falseDowns.count(FalseDownChecker.Verdict.STALE_INCARNATION),
        falseDowns.count(FalseDownChecker.Verdict.RECENT_FAULT),
        falseDowns.count(FalseDownChecker.Verdict.FALSE_UNDER_FAULTS),
        falseDowns.count(FalseDownChecker.Verdict.FALSE_CLEAN),
        falseDowns.pairHours(),
        convergedAfterNanos,
        lastActDetectionNanos,
        lastActRecoveryNanos,
        liveness.cleanDetections(),
        liveness.detectionNanosMax(),
        liveness.recoveryNanosMax(),
        rechosen,
        gossip);
  }

  private static String stack(Throwable failure) {
    StringWriter out = new StringWriter();
    failure.printStackTrace(new PrintWriter(out));
    return out.toString();
  }
}
