package io.ringkv.sim.metadata;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.raft.MetadataCodec;
import io.ringkv.cluster.metadata.raft.MetadataCommand;
import io.ringkv.cluster.metadata.raft.MetadataResult;
import io.ringkv.cluster.metadata.raft.MetadataStateMachine;
import io.ringkv.cluster.metadata.raft.VoterEligibility;
import io.ringkv.cluster.metadata.raft.VoterPolicy;
import io.ringkv.raft.ConfigChange;
import io.ringkv.raft.Configuration;
import io.ringkv.raft.Entry;
import io.ringkv.raft.EntryType;
import io.ringkv.raft.Message;
import io.ringkv.raft.PersistentState;
import io.ringkv.raft.RaftConfig;
import io.ringkv.raft.RaftNode;
import io.ringkv.raft.Ready;
import io.ringkv.raft.Role;
import io.ringkv.raft.Snapshot;
import io.ringkv.raft.Status;
import io.ringkv.raft.Submission;
import io.ringkv.raft.log.DurableLog;
import io.ringkv.sim.SimNetwork;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.metadata.MetadataPacket.RaftPacket;
import io.ringkv.sim.metadata.MetadataPacket.Reply;
import io.ringkv.sim.metadata.MetadataPacket.Request;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A metadata group of simulated nodes, each a real {@link RaftNode} with a real {@link DurableLog}
 * on its own simulated disk and a real {@link MetadataStateMachine}, and an operator ({@link
 * #OPERATOR}) that sends commands to any node. This is the loop a server runs for the metadata
 * group, run from one seed:
 *
 * <ul>
 *   <li>each running node ticks every {@link #TICK_INTERVAL_NANOS} and steps every message; after
 *       each input it stores, sends, applies (answering the requests it proposed) and advances, and
 *       compacts its log every {@link #COMPACT_EVERY_ENTRIES} applied entries;
 *   <li>a node that is not the leader forwards a request to the leader it knows;
 *   <li>the leader, on each tick, asks the {@link VoterPolicy} for the next configuration change
 *       (new members become learners, voters are promoted and demoted) and proposes it; a leader
 *       whose member has left hands leadership to another voter;
 *   <li>the first node bootstraps the group as its only voter; every other node starts empty and
 *       waits to be added.
 * </ul>
 *
 * <p>Faults: {@link #crash} (a process kill, or a power loss that drops unsynced bytes), {@link
 * #restart}, {@link #isolate}/{@link #healNetwork}, message loss and duplication from the network's
 * faults. Not thread-safe: everything runs on the simulation's one thread.
 */
final class MetadataCluster {
  /** A tick is this long. */
  static final long TICK_INTERVAL_NANOS = 100 * SimTime.MILLISECOND_NANOS;

  /** The operator resends a request that has no answer after this long. */
  static final long RETRY_INTERVAL_NANOS = SimTime.SECOND_NANOS;

  /** A request is forwarded at most this many times (a follower to its leader, once more). */
  static final int FORWARD_HOPS_MAX = 2;

  /** A node compacts its log once it has applied this many entries past its last snapshot. */
  static final long COMPACT_EVERY_ENTRIES = 24;

  /** A learner is promoted only once it is within this many entries of the leader's log. */
  static final long PROMOTION_LAG_ENTRIES_MAX = 8;

  /** A member the leader has not heard from in this many ticks is not made or kept a voter. */
  static final long SILENCE_TICKS_MAX = 30;

  /** The operator's name on the network. */
  static final String OPERATOR = "operator";

  /** The operator's commands in flight at once, a bound on its table. */
  static final int OPERATIONS_MAX = 4_096;

  /** One command the operator sends until it is answered or abandoned. */
  static final class Operation {
    final long requestId;
    final MetadataCommand command;
    final long invokedNanos;
    final Consumer<MetadataResult> onAnswer;
    MetadataResult result;
    long answeredNanos;
    boolean abandoned;

    Operation(
        long requestId,
        MetadataCommand command,
        long invokedNanos,
        Consumer<MetadataResult> onAnswer) {
      this.requestId = requestId;
      this.command = command;
      this.invokedNanos = invokedNanos;
      this.onAnswer = onAnswer;
    }

    boolean pending() {
      return result == null && !abandoned;
    }

    /** Answered with a result that says the command holds (applied, or already so). */
    boolean acknowledged() {
      return result != null && result.accepted();
    }
  }

  private final Simulation simulation;
  private final SimNetwork<MetadataPacket> network;
  private final MetadataChecker checker;
  private final TreeMap<String, MetadataNode> nodes = new TreeMap<>();
  private final TreeMap<Long, MetadataNode> byRaftId = new TreeMap<>();
  private final TreeMap<Long, Operation> operations = new TreeMap<>();
  private final MetadataNode founder;
  private long nextRequestId;

  // Figures.
  long crashes;
  long powerLosses;
  long snapshotsTaken;
  long snapshotsInstalled;
  long configurationChangesProposed;
  long configurationsApplied;
  long transfers;
  long forwarded;
  long entriesApplied;
  long leadersElected;

  MetadataCluster(
      Simulation simulation,
      List<String> names,
      SimNetwork.Faults faults,
      MetadataChecker checker) {
    this.simulation = Objects.requireNonNull(simulation, "simulation");
    this.checker = Objects.requireNonNull(checker, "checker");
    for (String name : names) {
      MetadataNode node = new MetadataNode(name, simulation.rng().fork());
      nodes.put(name, node);
      if (byRaftId.put(node.raftId, node) != null) {
        throw new IllegalArgumentException("two simulated nodes share the Raft id of " + name);
      }
    }
    this.founder = nodes.get(names.get(0));
    List<String> networkNames = new ArrayList<>(names);
    networkNames.add(OPERATOR);
    this.network =
        new SimNetwork<>(
            simulation, networkNames, faults, new Endpoints(), MetadataPacket::describe);
  }

  Simulation simulation() {
    return simulation;
  }

  SimNetwork<MetadataPacket> network() {
    return network;
  }

  MetadataNode node(String name) {
    return Objects.requireNonNull(nodes.get(name), name);
  }

  Collection<MetadataNode> nodes() {
    return nodes.values();
  }

  MetadataNode founder() {
    return founder;
  }

  Collection<Operation> operations() {
    return operations.values();
  }

  /** The running leader of the highest term, if any. */
  Optional<MetadataNode> leader() {
    MetadataNode best = null;
    for (MetadataNode node : nodes.values()) {
      if (node.isRunning()
          && node.process.raft.role() == Role.LEADER
          && (best == null || node.process.raft.term() > best.process.raft.term())) {
        best = node;
      }
    }
    return Optional.ofNullable(best);
  }

  // --- the operator ---

  /** Sends {@code command} to some node until it is answered; {@code onAnswer} hears the answer. */
  Operation invoke(MetadataCommand command, Consumer<MetadataResult> onAnswer) {
    if (operations.size() >= OPERATIONS_MAX) {
      throw new IllegalStateException("the operator has " + OPERATIONS_MAX + " operations");
    }
    Operation operation = new Operation(++nextRequestId, command, simulation.nowNanos(), onAnswer);
    operations.put(operation.requestId, operation);
    simulation.trace("invoke #" + operation.requestId + " " + command);
    send(operation);
    return operation;
  }

  private void send(Operation operation) {
    if (!operation.pending()) {
      return;
    }
    List<MetadataNode> targets = new ArrayList<>();
    for (MetadataNode node : nodes.values()) {
      if (node.state != MetadataNode.State.DECOMMISSIONED
          && node.state != MetadataNode.State.NOT_STARTED) {
        targets.add(node);
      }
    }
    if (!targets.isEmpty()) {
      MetadataNode target = targets.get(simulation.rng().nextInt(targets.size()));
      network.send(
          OPERATOR,
          target.name,
          new Request(operation.requestId, MetadataCodec.encode(operation.command), 0));
    }
    simulation.after(RETRY_INTERVAL_NANOS, () -> send(operation));
  }

  /** Stops resending every unanswered operation. */
  void abandonPending() {
    for (Operation operation : operations.values()) {
      if (operation.pending()) {
        operation.abandoned = true;
      }
    }
  }

  private void onReply(Reply reply) {
    Operation operation = operations.get(reply.requestId());
    if (operation == null || !operation.pending()) {
      return;
    }
    operation.result = MetadataCodec.decodeResult(reply.result());
    operation.answeredNanos = simulation.nowNanos();
    simulation.trace("answer #" + operation.requestId + " " + operation.result);
    operation.onAnswer.accept(operation.result);
  }

  // --- faults ---

  /** Starts {@code name}'s first process: the founder bootstraps the group, others start empty. */
  void start(String name) {
    MetadataNode node = node(name);
    if (node.state == MetadataNode.State.NOT_STARTED) {
      startProcess(node);
    }
  }

  /** Kills {@code name}'s process; with {@code powerLoss}, its disk loses what was not synced. */
  void crash(String name, boolean powerLoss) {
    MetadataNode node = node(name);
    if (!node.isRunning()) {
      return;
    }
    stopProcess(node, MetadataNode.State.CRASHED);
    node.crashes++;
    crashes++;
    if (powerLoss) {
      node.disk.powerLoss(node.rng);
      powerLosses++;
    }
    simulation.trace(name + (powerLoss ? " power loss" : " crash"));
  }

  /** Restarts a crashed node from its disk. */
  void restart(String name) {
    MetadataNode node = node(name);
    if (node.state == MetadataNode.State.CRASHED) {
      startProcess(node);
    }
  }

  /** Cuts {@code side} off from every other node (both ways); the operator reaches everyone. */
  void isolate(List<String> side) {
    for (String inside : side) {
      for (String outside : nodes.keySet()) {
        if (!side.contains(outside)) {
          network.cut(inside, outside);
          network.cut(outside, inside);
        }
      }
    }
    simulation.trace("partition " + side);
  }

  void healNetwork() {
    network.healAll();
    simulation.trace("heal");
  }

  private void decommission(MetadataNode node) {
    if (node.isRunning()) {
      stopProcess(node, MetadataNode.State.DECOMMISSIONED);
    } else {
      node.state = MetadataNode.State.DECOMMISSIONED;
    }
    simulation.trace(node.name + " decommissioned");
  }

  /**
   * Decommissions {@code name} once the leader's configuration no longer holds it (its process has
   * nothing left to do); checks again every tick until then.
   */
  void decommissionWhenRemoved(String name) {
    MetadataNode node = node(name);
    if (node.state == MetadataNode.State.DECOMMISSIONED) {
      return;
    }
    Optional<MetadataNode> leader = leader();
    if (leader.isPresent()
        && !leader.get().process.raft.status().configuration().contains(node.raftId)
        && leader
                .get()
                .process
                .machine
                .metadata()
                .member(node.nodeId)
                .map(Member::status)
                .orElse(Member.Status.LEFT)
            == Member.Status.LEFT) {
      decommission(node);
      return;
    }
    simulation.after(TICK_INTERVAL_NANOS, () -> decommissionWhenRemoved(name));
  }

  // --- the node loop ---

  private void startProcess(MetadataNode node) {
    DurableLog log;
    try {
      log = DurableLog.open(node.logFiles, 1 << 20);
    } catch (IOException e) {
      checker.fail("durability", node.name + " cannot open its Raft log: " + e);
      node.state = MetadataNode.State.CRASHED;
      return;
    }
    PersistentState recovered = log.state();
    MetadataStateMachine machine =
        new MetadataStateMachine((previous, current) -> checker.onEpoch(node, previous, current));
    machine.restore(recovered.snapshot().index(), recovered.snapshot().data());
    RaftConfig config = RaftConfig.defaults(node.raftId);
    boolean bootstrap = node == founder && node.starts == 0;
    RaftNode raft =
        bootstrap
            ? RaftNode.bootstrap(config, Configuration.ofVoters(node.raftId), node.rng.fork())
            : RaftNode.restart(config, recovered, node.rng.fork());
    node.process = new MetadataNode.Process(raft, log, machine);
    node.state = MetadataNode.State.RUNNING;
    node.incarnation++;
    node.starts++;
    simulation.trace(
        node.name
            + (bootstrap ? " bootstrap" : node.starts > 1 ? " restart" : " start")
            + " log "
            + recovered.snapshot().index()
            + "+"
            + recovered.entries().size()
            + " epoch "
            + machine.metadata().epoch());
    drain(node);
    int incarnation = node.incarnation;
    simulation.after(1 + node.rng.nextLong(TICK_INTERVAL_NANOS), () -> tick(node, incarnation));
  }

  private void stopProcess(MetadataNode node, MetadataNode.State next) {
    try {
      node.process.log.close();
    } catch (IOException e) {
      // The process is gone; its handles go with it.
    }
    node.process = null;
    node.state = next;
    node.incarnation++;
  }

  private void tick(MetadataNode node, int incarnation) {
    if (node.incarnation != incarnation || !node.isRunning()) {
      return;
    }
    simulation.after(TICK_INTERVAL_NANOS, () -> tick(node, incarnation));
    node.process.raft.tick();
    if (node.process.raft.role() == Role.LEADER) {
      lead(node);
    }
    drain(node);
  }

  /** The leader's duties on each tick: the next configuration change, or a hand-over. */
  private void lead(MetadataNode node) {
    RaftNode raft = node.process.raft;
    Status status = raft.status();
    ClusterMetadata metadata = node.process.machine.metadata();
    Configuration configuration = status.configuration();
    Member self = metadata.member(node.nodeId).orElse(null);
    if (self != null && self.status() == Member.Status.LEFT && configuration.voters().size() > 1) {
      for (long voter : configuration.voters()) {
        if (voter != node.raftId) {
          if (raft.transferLeadership(voter) instanceof Submission.Accepted) {
            transfers++;
            simulation.trace(node.name + " hands leadership to " + byRaftId.get(voter).name);
          }
          return;
        }
      }
    }
    if (node.process.eligibility == null || node.process.leaderTerm != raft.term()) {
      node.process.eligibility =
          new VoterEligibility(node.raftId, SILENCE_TICKS_MAX, PROMOTION_LAG_ENTRIES_MAX);
      node.process.leaderTerm = raft.term();
    }
    VoterEligibility eligibility = node.process.eligibility;
    eligibility.observe(status);
    Optional<ConfigChange> change =
        VoterPolicy.nextChange(metadata, configuration, node.nodeId, eligibility::eligible);
    if (change.isPresent()
        && raft.proposeConfigChange(change.get()) instanceof Submission.Accepted accepted) {
      configurationChangesProposed++;
      simulation.trace(node.name + " proposes " + change.get() + " at " + accepted.index());
    }
  }

  private void deliver(MetadataNode node, String from, MetadataPacket packet) {
    switch (packet) {
      case RaftPacket raftPacket -> node.process.raft.step(raftPacket.message());
      case Request request -> onRequest(node, request);
      case Reply reply -> {
        // Nodes take no replies.
      }
    }
    drain(node);
  }

  private void onRequest(MetadataNode node, Request request) {
    RaftNode raft = node.process.raft;
    if (raft.role() == Role.LEADER) {
      Submission submission = raft.propose(request.command());
      if (submission instanceof Submission.Accepted accepted) {
        TreeMap<Long, MetadataNode.Pending> pending = node.process.pending;
        if (pending.size() >= MetadataNode.PENDING_REQUESTS_MAX) {
          pending.pollFirstEntry();
        }
        pending.put(
            accepted.index(), new MetadataNode.Pending(accepted.term(), request.requestId()));
      }
      return;
    }
    MetadataNode leader = byRaftId.get(raft.leader());
    if (leader != null && leader != node && request.hops() < FORWARD_HOPS_MAX) {
      forwarded++;
      network.send(
          node.name,
          leader.name,
          new Request(request.requestId(), request.command(), request.hops() + 1));
    }
  }

  /** The caller's loop after each input: store, send, apply, advance; then maybe compact. */
  private void drain(MetadataNode node) {
    MetadataNode.Process process = node.process;
    while (process != null && node.process == process && process.raft.hasReady()) {
      Ready ready = process.raft.ready();
      try {
        if (ready.snapshot().isPresent()) {
          process.log.saveSnapshot(ready.snapshot().get());
        }
        if (!ready.entries().isEmpty() || ready.hardState().isPresent()) {
          process.log.save(ready.entries(), ready.hardState().orElse(null), ready.mustSync());
        } else if (ready.mustSync()) {
          process.log.sync();
        }
      } catch (IOException e) {
        checker.fail("durability", node.name + " cannot store: " + e);
        return;
      }
      ready
          .softState()
          .ifPresent(
              soft -> {
                if (soft.role() == Role.LEADER) {
                  leadersElected++;
                }
                simulation.trace(
                    node.name
                        + " "
                        + soft.role()
                        + " t"
                        + process.raft.term()
                        + " "
                        + soft.leader());
              });
      for (Message message : ready.messages()) {
        MetadataNode to = byRaftId.get(message.to());
        if (to != null) {
          network.send(node.name, to.name, new RaftPacket(message));
        }
      }
      ready.snapshot().ifPresent(snapshot -> install(node, process, snapshot));
      for (Entry entry : ready.committedEntries()) {
        apply(node, process, entry);
      }
      process.raft.advance(ready);
    }
    if (process != null && node.process == process) {
      maybeCompact(node, process);
    }
  }

  private void install(MetadataNode node, MetadataNode.Process process, Snapshot snapshot) {
    process.machine.restore(snapshot.index(), snapshot.data());
    process.pending.headMap(snapshot.index(), true).clear();
    snapshotsInstalled++;
    simulation.trace(node.name + " installs snapshot " + snapshot.term() + "/" + snapshot.index());
  }

  private void apply(MetadataNode node, MetadataNode.Process process, Entry entry) {
    MetadataStateMachine machine = process.machine;
    if (entry.index() <= machine.appliedIndex()) {
      return; // covered by the snapshot the machine was restored from
    }
    byte[] result = null;
    if (entry.type() == EntryType.NORMAL && entry.data().length > 0) {
      result = machine.apply(entry.index(), entry.data());
      entriesApplied++;
      checker.onResult(node, entry.index(), result);
    } else {
      machine.skip(entry.index());
      if (entry.type() == EntryType.CONFIGURATION) {
        configurationsApplied++;
      }
    }
    MetadataNode.Pending pending = process.pending.remove(entry.index());
    if (pending != null && pending.term() == entry.term() && result != null) {
      network.send(node.name, OPERATOR, new Reply(pending.requestId(), result));
    }
  }

  private void maybeCompact(MetadataNode node, MetadataNode.Process process) {
    long applied = process.machine.appliedIndex();
    if (applied - process.raft.snapshot().index() < COMPACT_EVERY_ENTRIES
        || process.raft.hasReady()) {
      return;
    }
    Snapshot snapshot = process.raft.compact(applied, process.machine.snapshot());
    try {
      process.log.saveSnapshot(snapshot);
    } catch (IOException e) {
      checker.fail("durability", node.name + " cannot store a snapshot: " + e);
      return;
    }
    snapshotsTaken++;
    simulation.trace(node.name + " compacts to " + snapshot.index());
  }

  /** The network's side of the nodes and the operator. */
  private final class Endpoints implements SimNetwork.Endpoints<MetadataPacket> {
    @Override
    public SimNetwork.Arrival arrive(String from, String to, MetadataPacket packet) {
      if (to.equals(OPERATOR)) {
        if (packet instanceof Reply reply) {
          onReply(reply);
        }
        return SimNetwork.Arrival.DELIVERED;
      }
      MetadataNode node = nodes.get(to);
      if (node == null || !node.isRunning()) {
        return SimNetwork.Arrival.REFUSED;
      }
      deliver(node, from, packet);
      return SimNetwork.Arrival.DELIVERED;
    }

    @Override
    public void refused(String sender, String destination, long attemptNanos) {
      MetadataNode node = nodes.get(sender);
      MetadataNode target = nodes.get(destination);
      if (node != null && node.isRunning() && target != null) {
        node.process.raft.reportUnreachable(target.raftId);
        drain(node);
      }
    }
  }
}
