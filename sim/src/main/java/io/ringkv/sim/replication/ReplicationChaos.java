package io.ringkv.sim.replication;

import io.ringkv.common.Rng;
import io.ringkv.sim.FaultDraws;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.membership.StopKind;
import io.ringkv.sim.replication.ReplicationPlan.Fault;
import io.ringkv.sim.replication.ReplicationPlan.Rate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The chaos phase of a replication run: each fault the {@link ReplicationPlan} enables strikes at
 * random (exponentially distributed gaps around its mean interval), and each strike that lasts (a
 * crash, a freeze, a cut, a lossy link) is undone after a random duration. After {@link #end()},
 * strikes and undos still scheduled do nothing: the run heals everything itself.
 *
 * <p>Every choice draws from the {@link Rng} given, in a fixed order, so the chaos of a seed is the
 * same on every replay. Not thread-safe: runs on the simulation's one thread.
 */
final class ReplicationChaos implements ReplicationListener {
  private final ReplicatedCluster cluster;
  private final ReplicationPlan plan;
  private final Rng rng;
  private final FaultDraws draws;
  private boolean active;
  private long strikes;
  private long powerLosses;
  private long failedSyncs;

  ReplicationChaos(ReplicatedCluster cluster, ReplicationPlan plan, Rng rng) {
    this.cluster = cluster;
    this.plan = plan;
    this.rng = rng;
    this.draws = new FaultDraws(rng);
  }

  void begin() {
    active = true;
    cluster.simulation().trace("chaos begins");
    for (Fault fault : Fault.values()) {
      if (plan.enabled(fault)) {
        scheduleNext(fault);
      }
    }
  }

  void end() {
    active = false;
    cluster.simulation().trace("chaos ends after " + strikes + " strikes");
  }

  long strikes() {
    return strikes;
  }

  /** Power losses and failed fsyncs: the events that may lose data not synced. */
  long dataLossEvents() {
    return powerLosses + failedSyncs;
  }

  @Override
  public void onStopped(ReplicaNode node, StopKind kind) {
    if (kind == StopKind.POWER_LOSS) {
      powerLosses++;
    } else if (kind == StopKind.FAILED_SYNC) {
      failedSyncs++;
      if (active) {
        scheduleRestart(
            node, plan.enabled(Fault.SYNC_FAILURE) ? plan.rate(Fault.SYNC_FAILURE) : null);
      }
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
      case WALL_CLOCK_STEP -> wallClockStep();
      case SYNC_FAILURE -> randomNode(true).ifPresent(this::failSync);
    }
  }

  /** The node's next fsync fails: its engine's (it stops) or its hint log's (hints are lost). */
  private void failSync(ReplicaNode node) {
    if (rng.nextBoolean()) {
      cluster.failNextSync(node.name());
    } else {
      cluster.failNextHintSync(node.name());
    }
  }

  private void partition(Rate rate) {
    FaultDraws.Sides sides = draws.partition(cluster.names());
    ReplicatedCluster.Cuts cuts = cluster.partition(sides.one()).from(sides.other());
    undoLater(rate, cuts::heal);
  }

  private void oneWayCut(Rate rate) {
    FaultDraws.Link link = draws.link(cluster.names());
    ReplicatedCluster.Cuts cuts = cluster.cut(link.from()).to(link.to());
    undoLater(rate, cuts::heal);
  }

  private void lossyLink(Rate rate) {
    FaultDraws.Link link = draws.link(cluster.names());
    double loss = draws.linkLoss();
    String a = link.from();
    String b = link.to();
    cluster.lossyLink(a, b, loss);
    undoLater(rate, () -> cluster.lossyLink(a, b, 0));
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

  private void scheduleRestart(ReplicaNode node, Rate rate) {
    long downtime = duration(rate == null ? new Rate(0, SimTime.seconds(10)) : rate);
    int incarnation = node.incarnation();
    cluster
        .simulation()
        .after(
            downtime,
            () -> {
              if (active
                  && node.incarnation() == incarnation
                  && node.state() == ReplicaNode.State.CRASHED) {
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
                            && node.state() == ReplicaNode.State.FROZEN) {
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

  /** NTP steps a wall clock to another offset within the bound (so backwards, half the time). */
  private void wallClockStep() {
    List<String> names = cluster.names();
    ReplicaNode node = cluster.node(names.get(rng.nextInt(names.size())));
    long max = ReplicationPlan.WALL_OFFSET_MAX_MILLIS;
    long target = rng.nextLong(2 * max + 1) - max;
    long now = cluster.nowNanos();
    long currentMillis =
        Math.floorDiv(
            node.wallClock().nowNanos(now)
                - SimTime.millis(ReplicatedCluster.EPOCH_BASE_MILLIS)
                - now,
            SimTime.MILLISECOND_NANOS);
    cluster.stepWallClock(node.name(), target - currentMillis);
  }

  /** A random node that runs (or, if {@code runningOnly} is false, that runs or is frozen). */
  private Optional<ReplicaNode> randomNode(boolean runningOnly) {
    List<ReplicaNode> candidates = new ArrayList<>();
    for (ReplicaNode node : cluster.nodes()) {
      if (node.isRunning() || (!runningOnly && node.state() == ReplicaNode.State.FROZEN)) {
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
