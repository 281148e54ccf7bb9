package io.ringkv.sim.raft;

import io.ringkv.raft.Configuration;
import io.ringkv.sim.SimNetwork;
import io.ringkv.sim.SimResult;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.SimulationFailure;
import io.ringkv.sim.Trace;
import io.ringkv.sim.Violation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One seeded Raft run, start to verdict:
 *
 * <ol>
 *   <li>the {@link RaftPlan} of the seed builds the group; founders bootstrap at time 0, spares
 *       start empty; clients start within half a second;
 *   <li>chaos: the enabled faults and operator actions strike ({@link RaftChaos}), while the {@link
 *       RaftSafetyChecker} judges every step;
 *   <li>healing: every cut restored, loss set to 0, frozen members thawed, crashed members
 *       restarted (retired ones stay down), armed fsync failures disarmed;
 *   <li>recovery (liveness): every client must have an operation invoked after healing answered
 *       within {@link #RECOVERY_NANOS_MAX};
 *   <li>the end: clients stop invoking and finish (or give up on) what they have in progress; every
 *       member of the leader's configuration must then apply the same last entry, with the same
 *       state, within {@link #CONVERGENCE_NANOS_MAX};
 *   <li>the clients' whole history must be linearizable ({@link LinearizabilityChecker}).
 * </ol>
 *
 * <p>Pure: no wall clock, no threads; the same seed gives the same trace hash.
 */
public final class RaftRun {
  /** After healing, every client has a new operation answered within this. */
  public static final long RECOVERY_NANOS_MAX = SimTime.seconds(30);

  /** At the end, the members converge on one state within this. */
  public static final long CONVERGENCE_NANOS_MAX = SimTime.seconds(30);

  private final RaftPlan plan;
  private final RaftCluster cluster;
  private final Simulation simulation;
  private final RaftChaos chaos;
  private final List<Violation> violations = new ArrayList<>();
  private long recoveryNanos = -1;
  private LinearizabilityChecker.Result linearizability;

  private RaftRun(long seed, Trace trace, PlantedBug bug) {
    plan = RaftPlan.of(seed);
    cluster = plan.build(trace, bug);
    simulation = cluster.simulation();
    chaos = new RaftChaos(cluster, plan, simulation.rng().fork());
    cluster.addStopListener(chaos);
  }

  /** Runs {@code seed}, keeping only the trace's hash and tail. */
  public static SimResult<RaftRunFigures> run(long seed) {
    return run(seed, new Trace());
  }

  /** Runs {@code seed}, tracing to {@code trace}. */
  public static SimResult<RaftRunFigures> run(long seed, Trace trace) {
    return new RaftRun(seed, trace, PlantedBug.NONE).execute();
  }

  /** Runs {@code seed} with a caller's mistake planted, to show the checkers catch it. */
  public static SimResult<RaftRunFigures> run(long seed, PlantedBug bug) {
    return new RaftRun(seed, new Trace(), bug).execute();
  }

  private SimResult<RaftRunFigures> execute() {
    simulation.trace("seed " + plan.seed() + ": " + plan.describe());
    simulation.at(0, cluster::startMembers);
    simulation.at(plan.clientStartNanos(), cluster::startClients);
    simulation.at(plan.chaosStartNanos(), chaos::begin);
    boolean failed = false;
    try {
      simulation.runUntil(plan.chaosEndNanos());
      chaos.end();
      heal();
      recover();
      finish();
    } catch (SimulationFailure failure) {
      failed = true;
      if (cluster.checker().violations().isEmpty()) {
        violations.add(new Violation("exception", simulation.nowNanos(), failure.toString()));
      }
    }
    violations.addAll(cluster.checker().violations());
    if (!failed) {
      linearizability = LinearizabilityChecker.check(cluster.history().operations());
      for (String violation : linearizability.violations()) {
        violations.add(new Violation("linearizability", simulation.nowNanos(), violation));
      }
      for (int key : linearizability.inconclusiveKeys()) {
        violations.add(
            new Violation(
                "linearizability",
                simulation.nowNanos(),
                "key "
                    + key
                    + ": search gave up after "
                    + LinearizabilityChecker.SEARCH_STEPS_PER_KEY_MAX
                    + " steps"));
      }
    }
    violations.sort(Comparator.comparingLong(Violation::atNanos));
    simulation.trace("end: " + violations.size() + " violations");
    return new SimResult<>(
        plan.seed(),
        plan.describe(),
        violations,
        simulation.trace().hash(),
        simulation.trace().tail(),
        figures());
  }

  /** Ends every fault: restores links, stops loss, thaws and restarts every member not retired. */
  private void heal() {
    cluster.healNetwork();
    cluster.network().setFaults(cluster.network().faults().withoutLoss());
    cluster.disarmSyncFailures();
    for (RaftMember member : cluster.members()) {
      switch (member.state()) {
        case FROZEN -> cluster.thaw(member.name());
        case CRASHED -> cluster.restart(member.name());
        case RUNNING, NOT_STARTED, DECOMMISSIONED -> {}
      }
    }
    simulation.trace("healed");
  }

  /** Every client gets an operation invoked after healing answered. */
  private void recover() {
    long healedAt = simulation.nowNanos();
    boolean recovered =
        cluster.runUntil(
            () -> {
              for (KvClient client : cluster.clients()) {
                if (client.lastAnsweredInvokeNanos() < healedAt) {
                  return false;
                }
              }
              return true;
            },
            RECOVERY_NANOS_MAX);
    if (!recovered) {
      violations.add(
          new Violation(
              "liveness",
              simulation.nowNanos(),
              "not every client had an operation answered within "
                  + SimTime.formatShort(RECOVERY_NANOS_MAX)
                  + " of healing: "
                  + describeMembers()));
      return;
    }
    recoveryNanos = simulation.nowNanos() - healedAt;
    simulation.trace("recovered after " + SimTime.formatShort(recoveryNanos));
  }

  /** Clients finish; the members of the configuration converge on one state. */
  private void finish() {
    cluster.stopClients();
    cluster.runUntil(
        () -> cluster.clients().stream().allMatch(KvClient::idle),
        plan.workload().operationDeadlineNanos() + SimTime.seconds(1));
    if (recoveryNanos < 0) {
      return; // already a liveness violation: convergence would fail for the same reason
    }
    boolean converged = cluster.runUntil(() -> whyNotConverged().isEmpty(), CONVERGENCE_NANOS_MAX);
    if (!converged) {
      violations.add(
          new Violation(
              "convergence",
              simulation.nowNanos(),
              whyNotConverged().orElse("?") + ": " + describeMembers()));
    }
  }

  /**
   * Why the group has not converged: no leader, entries not committed, or a member of the leader's
   * configuration (not retired) behind or with another state.
   */
  private Optional<String> whyNotConverged() {
    Optional<RaftMember> leader = cluster.leader();
    if (leader.isEmpty()) {
      return Optional.of("no leader");
    }
    MemberProcess leading = leader.get().process;
    var status = leading.raft().status();
    if (status.commit() != status.lastIndex() || leading.appliedIndex() != status.commit()) {
      return Optional.of(leader.get().name() + " has not committed and applied its whole log");
    }
    Configuration configuration = status.configuration();
    for (long id : configuration.members()) {
      RaftMember member = cluster.member(RaftMember.nameOf(id));
      if (member.state() == RaftMember.State.DECOMMISSIONED) {
        continue;
      }
      if (member.process == null || member.process.appliedIndex() != leading.appliedIndex()) {
        return Optional.of(member.name() + " is behind " + leader.get().name());
      }
      if (member.process.contentDigest() != leading.contentDigest()
          || member.process.chainHash() != leading.chainHash()) {
        return Optional.of(member.name() + " has another state than " + leader.get().name());
      }
    }
    return Optional.empty();
  }

  private String describeMembers() {
    StringBuilder out = new StringBuilder();
    for (RaftMember member : cluster.members()) {
      out.append("\n    ").append(member);
    }
    out.append("\n    committed configuration ").append(cluster.committedConfiguration());
    return out.toString();
  }

  private RaftRunFigures figures() {
    SimNetwork.Stats network = cluster.network().stats();
    long crashes = 0;
    long freezes = 0;
    for (RaftMember member : cluster.members()) {
      crashes += member.crashes();
      freezes += member.freezes();
    }
    History history = cluster.history();
    return new RaftRunFigures(
        simulation.nowNanos(),
        network.sent(),
        network.dropped()
            + network.lostToCuts()
            + network.unanswered()
            + network.overflowed()
            + network.refusals(),
        history.invoked(),
        history.completed(),
        history.indeterminate(),
        history.readsUnanswered(),
        linearizability == null ? 0 : linearizability.operationsChecked(),
        linearizability == null ? 0 : linearizability.searchSteps(),
        cluster.checker().highestCommitted(),
        cluster.checker().leadersSeen(),
        crashes,
        freezes,
        chaos.strikes(),
        chaos.membershipChanges(),
        cluster.configurationsApplied(),
        chaos.transfers(),
        cluster.snapshotsTaken(),
        cluster.snapshotsInstalled(),
        cluster.readsServed(),
        recoveryNanos);
  }
}
