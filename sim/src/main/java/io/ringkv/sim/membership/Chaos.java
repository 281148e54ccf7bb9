package io.ringkv.sim.membership;

import io.ringkv.common.Rng;
import io.ringkv.sim.FaultDraws;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.membership.SwarmPlan.Fault;
import io.ringkv.sim.membership.SwarmPlan.Rate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The chaos phase of a membership run: each fault the {@link SwarmPlan} enables strikes at random
 * (exponentially distributed gaps around its mean interval), and each strike that lasts (a crash, a
 * freeze, a cut) is undone after a random duration. Nodes also change their announced load now and
 * then, so that values other than heartbeats travel. After {@link #end()}, strikes and undos still
 * scheduled do nothing: the run heals everything itself.
 *
 * <p>Every choice draws from the {@link Rng} given, in a fixed order, so the chaos of a seed is the
 * same on every replay. Not thread-safe: runs on the simulation's one thread.
 */
final class Chaos implements ClusterListener {
  private final SimCluster cluster;
  private final SwarmPlan plan;
  private final Rng rng;
  private final FaultDraws draws;
  private boolean active;
  private long strikes;

  Chaos(SimCluster cluster, SwarmPlan plan, Rng rng) {
    this.cluster = cluster;
    this.plan = plan;
    this.rng = rng;
    this.draws = new FaultDraws(rng);
  }

  /** Starts striking. */
  void begin() {
    active = true;
    cluster.simulation().trace("chaos begins");
    for (Fault fault : Fault.values()) {
      if (plan.enabled(fault)) {
        scheduleNext(fault);
      }
    }
    scheduleLoadChange();
  }

  /** Stops striking; pending undos are left to the run's healing. */
  void end() {
    active = false;
    cluster.simulation().trace("chaos ends after " + strikes + " strikes");
  }

  long strikes() {
    return strikes;
  }

  @Override
  public void onStopped(SimNode node, StopKind kind) {
    if (active && kind == StopKind.FAILED_SYNC) {
      scheduleRestart(
          node, plan.enabled(Fault.SYNC_FAILURE) ? plan.rate(Fault.SYNC_FAILURE) : null);
    }
  }

  private void scheduleNext(Fault fault) {
    Rate rate = plan.rate(fault);
    long gap = draws.gapNanos(rate.meanIntervalNanos());
    cluster
        .simulation()
        .after(
            gap,
            () -> {
              if (active) {
                strike(fault, rate);
                scheduleNext(fault);
              }
            });
  }

  private void strike(Fault fault, Rate rate) {
    strikes++;
    switch (fault) {
      case PARTITION -> partition(rate);
      case ONE_WAY_CUT -> oneWayCut(rate);
      case LOSSY_LINK -> lossyLink(rate);
      case CRASH -> crash(rate);
      case FREEZE -> freeze(rate);
      case CLOCK_JUMP -> clockJump(rate);
      case SYNC_FAILURE -> randomNode(true).ifPresent(n -> cluster.failNextSync(n.name()));
    }
  }

  private void partition(Rate rate) {
    FaultDraws.Sides sides = draws.partition(cluster.names());
    SimCluster.Cuts cuts = cluster.partition(sides.one()).from(sides.other());
    undoLater(rate, cuts::heal);
  }

  private void oneWayCut(Rate rate) {
    FaultDraws.Link link = draws.link(cluster.names());
    SimCluster.Cuts cuts = cluster.cut(link.from()).to(link.to());
    undoLater(rate, cuts::heal);
  }

  private void lossyLink(Rate rate) {
    FaultDraws.Link link = draws.link(cluster.names());
    double loss = draws.linkLoss();
    String a = link.from();
    String b = link.to();
    cluster.network().setLinkLoss(a, b, loss);
    cluster.simulation().trace("lossy " + a + "->" + b + " " + Math.round(loss * 100) + "%");
    undoLater(
        rate,
        () -> {
          cluster.network().setLinkLoss(a, b, 0);
          cluster.simulation().trace("lossless " + a + "->" + b);
        });
  }

  private void crash(Rate rate) {
    randomNode(false)
        .ifPresent(
            node -> {
              StopKind kind =
                  rng.chance(plan.powerLossShare()) ? StopKind.POWER_LOSS : StopKind.PROCESS_KILL;
              cluster.crash(node.name(), kind);
              scheduleRestart(node, rate);
            });
  }

  private void scheduleRestart(SimNode node, Rate rate) {
    long downtime = duration(rate == null ? new Rate(0, SimTime.seconds(10)) : rate);
    int incarnation = node.incarnation();
    cluster
        .simulation()
        .after(
            downtime,
            () -> {
              if (active
                  && node.incarnation() == incarnation
                  && node.state() == SimNode.State.CRASHED) {
                cluster.restart(node.name());
              }
            });
  }

  private void freeze(Rate rate) {
    randomNode(true)
        .ifPresent(
            node -> {
              cluster.freeze(node.name());
              int incarnation = node.incarnation();
              cluster
                  .simulation()
                  .after(
                      duration(rate),
                      () -> {
                        if (active
                            && node.incarnation() == incarnation
                            && node.state() == SimNode.State.FROZEN) {
                          cluster.thaw(node.name());
                        }
                      });
            });
  }

  private void clockJump(Rate rate) {
    List<String> names = cluster.names();
    String name = names.get(rng.nextInt(names.size()));
    long size = 1 + rng.nextLong(rate.durationMaxNanos());
    cluster.jumpClock(name, rng.chance(plan.backwardJumpShare()) ? -size : size);
  }

  private void scheduleLoadChange() {
    long gap = draws.gapNanos(plan.loadChangeIntervalNanos());
    cluster
        .simulation()
        .after(
            gap,
            () -> {
              if (active) {
                long bytes = rng.nextLong(1L << 40);
                randomNode(true).ifPresent(node -> cluster.setLoad(node.name(), bytes));
                scheduleLoadChange();
              }
            });
  }

  /** A random node that runs (or, if {@code runningOnly} is false, that runs or is frozen). */
  private Optional<SimNode> randomNode(boolean runningOnly) {
    List<SimNode> candidates = new ArrayList<>();
    for (SimNode node : cluster.nodes()) {
      if (node.isRunning() || (!runningOnly && node.state() == SimNode.State.FROZEN)) {
        candidates.add(node);
      }
    }
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(candidates.get(rng.nextInt(candidates.size())));
  }

  private long duration(Rate rate) {
    return draws.durationNanos(rate.durationMaxNanos());
  }

  private void undoLater(Rate rate, Runnable undo) {
    cluster
        .simulation()
        .after(
            duration(rate),
            () -> {
              if (active) {
                undo.run();
              }
            });
  }
}
