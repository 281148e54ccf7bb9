package io.ringkv.sim.metadata;

import io.ringkv.cluster.metadata.Address;
import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.metadata.raft.MetadataCommand;
import io.ringkv.cluster.metadata.raft.VoterPolicy;
import io.ringkv.cluster.ring.SimpleStrategy;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.Rng;
import io.ringkv.raft.Configuration;
import io.ringkv.sim.SimNetwork;
import io.ringkv.sim.SimResult;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.Trace;
import io.ringkv.sim.metadata.MetadataCluster.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * One seeded run of the metadata group (docs/design/metadata-on-raft.md, "Simulation"): a swarm
 * plan drawn from the seed (5 to 7 nodes; loss, duplication, partitions, crashes and power losses
 * each on or off), then
 *
 * <ol>
 *   <li>the first node bootstraps the group and joins; the others start empty and join, all within
 *       a short window or at the very same moment, each setting itself Normal once its join is
 *       acknowledged;
 *   <li>up to two nodes leave (Leave, then Left, then decommission once removed from the group);
 *       the operator creates keyspaces and drops some of them; faults strike all along;
 *   <li>at {@link #CHAOS_END_NANOS} the network heals and crashed nodes restart; the run waits
 *       until every member that is not Left runs, is in the group, and holds the leader's metadata,
 *       the voter policy has nothing left to do and no operation is unanswered;
 *   <li>the end checks: agreement (above) within {@link #SETTLE_NANOS_MAX}; every acknowledged
 *       join, status and keyspace change holds in the final metadata; the voters are as many as the
 *       policy asks.
 * </ol>
 *
 * The checkers of {@link MetadataChecker} judge every epoch and every applied entry on the way.
 *
 * <p>Deterministic: one seed gives one trace. Not thread-safe.
 */
public final class MetadataRun {
  static final long CHAOS_END_NANOS = 20 * SimTime.SECOND_NANOS;
  static final long SETTLE_NANOS_MAX = 60 * SimTime.SECOND_NANOS;
  static final long POLL_NANOS = 100 * SimTime.MILLISECOND_NANOS;
  static final int LEAVES_MAX = 2;

  private final long seed;
  private final Simulation simulation;
  private final Rng rng;
  private final MetadataChecker checker;
  private final MetadataCluster cluster;
  private final String plan;
  private final boolean crashes;
  private final double powerLossShare;
  private final boolean partitions;
  private final long joinWindowNanos;
  private final int leaves;
  private final int keyspacePuts;
  private final List<String> names = new ArrayList<>();
  private final TreeSet<String> leaving = new TreeSet<>();
  private final TreeSet<String> normal = new TreeSet<>();
  private final TreeSet<String> dropsInvoked = new TreeSet<>();
  private long partitionCount;
  private long leavesCompleted;

  private MetadataRun(long seed, Trace trace) {
    this.seed = seed;
    this.simulation = new Simulation(seed, trace);
    this.rng = simulation.rng().fork();
    int nodeCount = 5 + rng.nextInt(3);
    for (int i = 1; i <= nodeCount; i++) {
      names.add("n" + i);
    }
    double[] losses = {0, 0.01, 0.05, 0.1};
    double drop = losses[rng.nextInt(losses.length)];
    double duplicate = rng.chance(0.3) ? 0.02 : 0;
    SimNetwork.Faults faults =
        new SimNetwork.Faults(
            100 * SimTime.MICROSECOND_NANOS,
            rng.chance(0.3) ? 20 * SimTime.MILLISECOND_NANOS : SimTime.MILLISECOND_NANOS,
            drop,
            duplicate,
            1);
    this.crashes = rng.chance(0.7);
    this.powerLossShare = rng.chance(0.5) ? 0.3 : 0;
    this.partitions = rng.chance(0.6);
    this.joinWindowNanos = rng.chance(0.4) ? 0 : 3 * SimTime.SECOND_NANOS;
    this.leaves = rng.nextInt(LEAVES_MAX + 1);
    this.keyspacePuts = 2 + rng.nextInt(7);
    this.checker = new MetadataChecker(simulation);
    this.cluster = new MetadataCluster(simulation, names, faults, checker);
    this.plan =
        String.format(
            Locale.ROOT,
            "%d nodes, joins %s, loss %.2f, duplicates %.2f, delay to %s, crashes %s%s,"
                + " partitions %s, %d leaves, %d keyspaces",
            nodeCount,
            joinWindowNanos == 0 ? "at once" : "within " + SimTime.formatShort(joinWindowNanos),
            drop,
            duplicate,
            faults.delayMaxNanos() / SimTime.MILLISECOND_NANOS + " ms",
            crashes ? "on" : "off",
            crashes && powerLossShare > 0 ? " (some power losses)" : "",
            partitions ? "on" : "off",
            leaves,
            keyspacePuts);
  }

  /** Runs {@code seed}, keeping only the trace's hash and tail. */
  public static SimResult<MetadataRunFigures> run(long seed) {
    return run(seed, new Trace());
  }

  /** Runs {@code seed}, tracing to {@code trace}. */
  public static SimResult<MetadataRunFigures> run(long seed, Trace trace) {
    return new MetadataRun(seed, trace).execute();
  }

  private SimResult<MetadataRunFigures> execute() {
    simulation.trace("seed " + seed + ": " + plan);
    long settleNanos = 0;
    int finalVoters = 0;
    long finalEpoch = 0;
    try {
      schedule();
      simulation.runUntil(CHAOS_END_NANOS);
      heal();
      long healedAt = simulation.nowNanos();
      boolean settled =
          simulation.runUntil(this::settled, CHAOS_END_NANOS + SETTLE_NANOS_MAX, POLL_NANOS);
      settleNanos = simulation.nowNanos() - healedAt;
      if (!settled) {
        checker.fail(
            "convergence",
            "no agreement "
                + SimTime.formatShort(SETTLE_NANOS_MAX)
                + " after healing: "
                + describeNodes());
      }
      cluster.abandonPending();
      Optional<MetadataNode> leader = cluster.leader();
      if (settled && leader.isPresent()) {
        ClusterMetadata metadata = leader.get().process.machine.metadata();
        finalEpoch = metadata.epoch();
        Configuration configuration = leader.get().process.raft.status().configuration();
        finalVoters = configuration.voters().size();
        checkAcknowledged(metadata);
        checkVoters(metadata, configuration);
      }
    } catch (RuntimeException e) {
      checker.fail("exception", e + " at " + stackTop(e));
    }
    return new SimResult<>(
        seed,
        plan,
        checker.violations(),
        simulation.trace().hash(),
        simulation.trace().tail(),
        figures(finalEpoch, finalVoters, settleNanos));
  }

  // --- the plan, as events ---

  private void schedule() {
    String founder = names.get(0);
    simulation.at(0, () -> join(founder));
    for (String name : names.subList(1, names.size())) {
      long at =
          SimTime.MILLISECOND_NANOS * 500
              + (joinWindowNanos == 0 ? 0 : rng.nextLong(joinWindowNanos));
      simulation.at(at, () -> join(name));
    }
    for (int i = 0; i < leaves; i++) {
      simulation.at(
          8 * SimTime.SECOND_NANOS + rng.nextLong(8 * SimTime.SECOND_NANOS), this::leaveOne);
    }
    for (int i = 1; i <= keyspacePuts; i++) {
      String name = "ks" + i;
      int replicationFactor = 1 + rng.nextInt(3);
      simulation.at(
          SimTime.SECOND_NANOS + rng.nextLong(16 * SimTime.SECOND_NANOS),
          () -> putKeyspace(name, replicationFactor));
    }
    if (crashes) {
      for (long at = 2 * SimTime.SECOND_NANOS; at < CHAOS_END_NANOS - 2 * SimTime.SECOND_NANOS; ) {
        long when = at;
        simulation.at(when, this::crashOne);
        at += SimTime.SECOND_NANOS + rng.nextLong(4 * SimTime.SECOND_NANOS);
      }
    }
    if (partitions) {
      for (long at = 3 * SimTime.SECOND_NANOS; at < CHAOS_END_NANOS - 3 * SimTime.SECOND_NANOS; ) {
        long duration = SimTime.SECOND_NANOS + rng.nextLong(3 * SimTime.SECOND_NANOS);
        simulation.at(at, this::partitionSome);
        simulation.at(at + duration, cluster::healNetwork);
        at += duration + SimTime.SECOND_NANOS + rng.nextLong(3 * SimTime.SECOND_NANOS);
      }
    }
  }

  private void join(String name) {
    cluster.start(name);
    MetadataCommand.Join join =
        new MetadataCommand.Join(
            NodeId.of(name),
            Address.local("10.0.0." + name.substring(1), Integer.parseInt(name.substring(1))),
            "dc" + (1 + rng.nextInt(2)),
            "rack" + (1 + rng.nextInt(2)),
            rng.chance(0.2) ? 2.0 : 1.0,
            8,
            3);
    cluster.invoke(
        join,
        result -> {
          if (result.accepted()) {
            simulation.after(
                SimTime.SECOND_NANOS + rng.nextLong(SimTime.SECOND_NANOS),
                () -> becomeNormal(name));
          }
        });
  }

  private void becomeNormal(String name) {
    cluster.invoke(
        new MetadataCommand.SetStatus(NodeId.of(name), Member.Status.NORMAL),
        result -> {
          if (result.accepted()) {
            normal.add(name);
          }
        });
  }

  private void leaveOne() {
    List<String> candidates = new ArrayList<>();
    for (String name : normal) {
      if (!leaving.contains(name)) {
        candidates.add(name);
      }
    }
    if (candidates.size() <= 3) {
      return; // keep a cluster to speak of
    }
    String name = candidates.get(rng.nextInt(candidates.size()));
    leaving.add(name);
    cluster.invoke(
        new MetadataCommand.Leave(NodeId.of(name)),
        result -> {
          if (result.accepted()) {
            cluster.invoke(
                new MetadataCommand.SetStatus(NodeId.of(name), Member.Status.LEFT),
                left -> {
                  if (left.accepted()) {
                    leavesCompleted++;
                    cluster.decommissionWhenRemoved(name);
                  }
                });
          }
        });
  }

  private void putKeyspace(String name, int replicationFactor) {
    Keyspace keyspace =
        new Keyspace(
            name,
            new SimpleStrategy(replicationFactor),
            ConsistencyLevel.QUORUM,
            ConsistencyLevel.QUORUM);
    cluster.invoke(
        new MetadataCommand.PutKeyspace(keyspace),
        result -> {
          if (result.accepted() && rng.chance(0.3)) {
            simulation.after(
                rng.nextLong(3 * SimTime.SECOND_NANOS),
                () -> {
                  dropsInvoked.add(name);
                  cluster.invoke(new MetadataCommand.DropKeyspace(name), dropped -> {});
                });
          }
        });
  }

  private void crashOne() {
    List<MetadataNode> running = new ArrayList<>();
    for (MetadataNode node : cluster.nodes()) {
      if (node.isRunning()) {
        running.add(node);
      }
    }
    if (running.isEmpty()) {
      return;
    }
    MetadataNode victim = running.get(rng.nextInt(running.size()));
    cluster.crash(victim.name, rng.chance(powerLossShare));
    simulation.after(
        SimTime.SECOND_NANOS / 2 + rng.nextLong(3 * SimTime.SECOND_NANOS),
        () -> cluster.restart(victim.name));
  }

  private void partitionSome() {
    List<String> side = new ArrayList<>();
    for (String name : names) {
      if (rng.chance(0.35)) {
        side.add(name);
      }
    }
    if (!side.isEmpty() && side.size() < names.size()) {
      partitionCount++;
      cluster.isolate(side);
    }
  }

  private void heal() {
    cluster.healNetwork();
    cluster.network().setFaults(cluster.network().faults().withoutLoss());
    for (MetadataNode node : cluster.nodes()) {
      if (node.state == MetadataNode.State.CRASHED) {
        cluster.restart(node.name);
      }
    }
  }

  // --- the end ---

  /**
   * Every member that is not Left runs, is in the leader's group and holds the leader's metadata;
   * the policy has no change left; no operation waits for an answer.
   */
  private boolean settled() {
    for (Operation operation : cluster.operations()) {
      if (operation.pending()) {
        return false;
      }
    }
    Optional<MetadataNode> found = cluster.leader();
    if (found.isEmpty()) {
      return false;
    }
    MetadataNode leader = found.get();
    ClusterMetadata metadata = leader.process.machine.metadata();
    var status = leader.process.raft.status();
    if (status.commit() < status.lastIndex()) {
      return false;
    }
    for (Member member : metadata.members().values()) {
      if (member.status() == Member.Status.LEFT) {
        continue;
      }
      MetadataNode node = cluster.node(member.id().value());
      if (!node.isRunning()
          || !status.configuration().contains(node.raftId)
          || !node.process.machine.metadata().equals(metadata)) {
        return false;
      }
    }
    return VoterPolicy.nextChange(metadata, status.configuration(), leader.nodeId, id -> true)
        .isEmpty();
  }

  private void checkAcknowledged(ClusterMetadata metadata) {
    for (Operation operation : cluster.operations()) {
      if (!operation.acknowledged()) {
        continue;
      }
      switch (operation.command) {
        case MetadataCommand.Join join -> {
          Optional<Member> member = metadata.member(join.id());
          if (member.isEmpty()) {
            fail("acknowledged join of " + join.id() + " is missing at epoch " + metadata.epoch());
          } else if (!leaving.contains(join.id().value())
              && member.get().status() == Member.Status.LEFT) {
            fail("acknowledged join of " + join.id() + " ended Left without a leave");
          }
        }
        case MetadataCommand.SetStatus setStatus -> {
          Member.Status status = metadata.member(setStatus.id()).map(Member::status).orElse(null);
          boolean expected =
              setStatus.status() == Member.Status.LEFT
                  ? status == Member.Status.LEFT
                  : leaving.contains(setStatus.id().value()) || status == setStatus.status();
          if (!expected) {
            fail(
                "acknowledged "
                    + setStatus.status()
                    + " of "
                    + setStatus.id()
                    + " but it is "
                    + status
                    + " at epoch "
                    + metadata.epoch());
          }
        }
        case MetadataCommand.PutKeyspace put -> {
          String name = put.keyspace().name();
          if (!dropsInvoked.contains(name)
              && !put.keyspace().equals(metadata.keyspace(name).orElse(null))) {
            fail("acknowledged keyspace " + name + " is missing at epoch " + metadata.epoch());
          }
        }
        case MetadataCommand.DropKeyspace drop -> {
          if (metadata.keyspace(drop.name()).isPresent()) {
            fail("acknowledged drop of " + drop.name() + " but it is still there");
          }
        }
        default -> {}
      }
    }
  }

  private void checkVoters(ClusterMetadata metadata, Configuration configuration) {
    int eligible = 0;
    for (Member member : metadata.members().values()) {
      if (member.status() != Member.Status.LEFT) {
        eligible++;
      }
    }
    int target = VoterPolicy.voterTarget(eligible);
    if (configuration.voters().size() != target) {
      checker.fail(
          "voters",
          configuration.voters().size() + " voters for " + eligible + " members, not " + target);
    }
  }

  private void fail(String message) {
    checker.fail("acknowledged changes", message);
  }

  private String describeNodes() {
    StringBuilder text = new StringBuilder();
    for (MetadataNode node : cluster.nodes()) {
      text.append(node.name).append(' ').append(node.state);
      if (node.isRunning()) {
        text.append(' ')
            .append(node.process.raft.role())
            .append(" epoch ")
            .append(node.process.machine.metadata().epoch());
      }
      text.append("; ");
    }
    long pending = cluster.operations().stream().filter(Operation::pending).count();
    return text.append(pending).append(" operations pending").toString();
  }

  private MetadataRunFigures figures(long finalEpoch, int finalVoters, long settleNanos) {
    long joins = 0;
    long keyspaceChanges = 0;
    long unanswered = 0;
    List<Operation> joinOperations = new ArrayList<>();
    for (Operation operation : cluster.operations()) {
      if (operation.command instanceof MetadataCommand.Join) {
        joinOperations.add(operation);
        joins += operation.acknowledged() ? 1 : 0;
      }
      if (operation.acknowledged()
          && (operation.command instanceof MetadataCommand.PutKeyspace
              || operation.command instanceof MetadataCommand.DropKeyspace)) {
        keyspaceChanges++;
      }
      if (operation.result == null) {
        unanswered++;
      }
    }
    long overlapping = 0;
    for (int i = 0; i < joinOperations.size(); i++) {
      for (int j = i + 1; j < joinOperations.size(); j++) {
        if (overlap(joinOperations.get(i), joinOperations.get(j))) {
          overlapping++;
        }
      }
    }
    return new MetadataRunFigures(
        names.size(),
        joins,
        overlapping,
        keyspaceChanges,
        leavesCompleted,
        unanswered,
        finalEpoch,
        checker.epochsChecked(),
        checker.resultsChecked(),
        cluster.crashes,
        cluster.powerLosses,
        partitionCount,
        cluster.network().stats().sent(),
        cluster.leadersElected,
        cluster.configurationsApplied,
        cluster.snapshotsInstalled,
        finalVoters,
        settleNanos);
  }

  private static boolean overlap(Operation a, Operation b) {
    long aEnd = a.result == null ? Long.MAX_VALUE : a.answeredNanos;
    long bEnd = b.result == null ? Long.MAX_VALUE : b.answeredNanos;
    return a.invokedNanos < bEnd && b.invokedNanos < aEnd;
  }

  private static String stackTop(Throwable e) {
    StackTraceElement[] stack = e.getStackTrace();
    return stack.length == 0 ? "?" : stack[0].toString();
  }
}
