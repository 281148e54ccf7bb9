package io.ringkv.sim.raft;

import io.ringkv.common.Rng;
import io.ringkv.raft.ConfigChange;
import io.ringkv.raft.Configuration;
import io.ringkv.sim.FaultDraws;
import io.ringkv.sim.raft.RaftPlan.Fault;
import io.ringkv.sim.raft.RaftPlan.Rate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The chaos phase of a Raft run: each fault and operator action the {@link RaftPlan} enables
 * strikes at random (exponential gaps around its mean interval), and each strike that lasts (a
 * crash, a freeze, a cut, a lossy link) is undone after a random duration. After {@link #end()},
 * strikes and undos still scheduled do nothing: the run heals everything itself.
 *
 * <p>The operator changes membership one member at a time through the leader (adding a spare as
 * learner or voter, promoting a learner, demoting or removing a voter, removing a learner; the
 * leader itself may be the one removed), never letting voters drop below two, and retires
 * (decommissions) a member once its removal is committed and no newer configuration holds it: a
 * retired id is never added again, since a wiped member under an old id could vote twice in a term.
 *
 * <p>Every choice draws from the {@link Rng} given, in a fixed order. Not thread-safe.
 */
final class RaftChaos implements RaftCluster.StopListener {
  private final RaftCluster cluster;
  private final RaftPlan plan;
  private final Rng rng;
  private final FaultDraws draws;
  private boolean active;
  private long strikes;
  private long membershipChanges;
  private long transfers;

  RaftChaos(RaftCluster cluster, RaftPlan plan, Rng rng) {
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

  long membershipChanges() {
    return membershipChanges;
  }

  long transfers() {
    return transfers;
  }

  @Override
  public void onStopped(RaftMember member, MemberStop stop) {
    if (active && stop == MemberStop.FAILED_SYNC) {
      scheduleRestart(
          member,
          plan.enabled(Fault.SYNC_FAILURE)
              ? plan.rate(Fault.SYNC_FAILURE)
              : new Rate(0, io.ringkv.sim.SimTime.seconds(5)));
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
      case SYNC_FAILURE -> target(true).ifPresent(m -> cluster.failNextSync(m.name()));
      case MEMBERSHIP_CHANGE -> changeMembership();
      case LEADERSHIP_TRANSFER -> transfer();
    }
  }

  private void partition(Rate rate) {
    FaultDraws.Sides sides = draws.partition(cluster.memberNames());
    RaftCluster.Cuts cuts = cluster.partition(sides.one()).from(sides.other());
    undoLater(rate, cuts::heal);
  }

  private void oneWayCut(Rate rate) {
    FaultDraws.Link link = draws.link(cluster.memberNames());
    RaftCluster.Cuts cuts = cluster.cut(link.from()).to(link.to());
    undoLater(rate, cuts::heal);
  }

  private void lossyLink(Rate rate) {
    FaultDraws.Link link = draws.link(cluster.memberNames());
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
    target(false)
        .ifPresent(
            member -> {
              MemberStop kind =
                  rng.chance(plan.powerLossShare())
                      ? MemberStop.POWER_LOSS
                      : MemberStop.PROCESS_KILL;
              cluster.crash(member.name(), kind);
              scheduleRestart(member, rate);
            });
  }

  private void scheduleRestart(RaftMember member, Rate rate) {
    long downtime = duration(rate);
    int incarnation = member.incarnation;
    cluster
        .simulation()
        .after(
            downtime,
            () -> {
              if (active
                  && member.incarnation == incarnation
                  && member.state() == RaftMember.State.CRASHED) {
                cluster.restart(member.name());
              }
            });
  }

  private void freeze(Rate rate) {
    target(true)
        .ifPresent(
            member -> {
              cluster.freeze(member.name());
              int incarnation = member.incarnation;
              cluster
                  .simulation()
                  .after(
                      duration(rate),
                      () -> {
                        if (active
                            && member.incarnation == incarnation
                            && member.state() == RaftMember.State.FROZEN) {
                          cluster.thaw(member.name());
                        }
                      });
            });
  }

  private void changeMembership() {
    Optional<RaftMember> leader = cluster.leader();
    if (leader.isEmpty()) {
      return;
    }
    retireRemovedMembers(leader.get());
    Configuration configuration = leader.get().process.raft().status().configuration();
    List<ConfigChange> options = new ArrayList<>();
    for (RaftMember member : cluster.members()) {
      long id = member.id();
      if (member.state() == RaftMember.State.DECOMMISSIONED) {
        continue;
      }
      if (!configuration.contains(id)) {
        options.add(new ConfigChange.AddLearner(id));
        options.add(new ConfigChange.AddVoter(id));
      } else if (configuration.isLearner(id)) {
        options.add(new ConfigChange.AddVoter(id));
        options.add(new ConfigChange.RemoveMember(id));
      } else if (configuration.voters().size() > 2) {
        options.add(new ConfigChange.RemoveMember(id));
        options.add(new ConfigChange.AddLearner(id));
      }
    }
    if (options.isEmpty()) {
      return;
    }
    ConfigChange change = options.get(rng.nextInt(options.size()));
    cluster.proposeConfigChange(change);
    membershipChanges++;
  }

  /**
   * Retires members that are in neither the committed configuration nor the leader's latest one,
   * each with the plan's probability.
   */
  private void retireRemovedMembers(RaftMember leader) {
    Configuration latest = leader.process.raft().status().configuration();
    Configuration committed = cluster.committedConfiguration();
    for (RaftMember member : cluster.members()) {
      long id = member.id();
      boolean removed = !latest.contains(id) && !committed.contains(id);
      boolean everMember = member.isFounder() || member.starts() > 0 && member.stored.term() > 0;
      if (removed
          && everMember
          && member.state() != RaftMember.State.DECOMMISSIONED
          && member.state() != RaftMember.State.FROZEN
          && rng.chance(plan.decommissionShare())) {
        cluster.decommission(member.name());
      }
    }
  }

  private void transfer() {
    Optional<RaftMember> leader = cluster.leader();
    if (leader.isEmpty()) {
      return;
    }
    List<Long> voters = leader.get().process.raft().status().configuration().voters();
    long target = voters.get(rng.nextInt(voters.size()));
    cluster.transferLeadership(target);
    transfers++;
  }

  /**
   * A member to strike: the leader with the plan's probability, else any running (or, for a crash,
   * frozen) member.
   */
  private Optional<RaftMember> target(boolean runningOnly) {
    Optional<RaftMember> leader = cluster.leader();
    if (leader.isPresent() && rng.chance(plan.leaderTargetShare())) {
      return leader;
    }
    List<RaftMember> candidates = new ArrayList<>();
    for (RaftMember member : cluster.members()) {
      if (member.isRunning() || (!runningOnly && member.state() == RaftMember.State.FROZEN)) {
        candidates.add(member);
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
