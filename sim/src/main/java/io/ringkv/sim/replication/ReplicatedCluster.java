package io.ringkv.sim.replication;

import io.ringkv.cluster.metadata.Address;
import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.KeyCodec;
import io.ringkv.cluster.ring.Token;
import io.ringkv.cluster.ring.TokenAllocator;
import io.ringkv.cluster.ring.TokenRing;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.Rng;
import io.ringkv.sim.SimClock;
import io.ringkv.sim.SimNetwork;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.SimulationFailure;
import io.ringkv.sim.Trace;
import io.ringkv.sim.membership.StopKind;
import io.ringkv.storage.Cell;
import io.ringkv.storage.Durability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A cluster of simulated ringkv nodes replicating one keyspace with the real replication code
 * ({@code WriteCoordination}, {@code ReadCoordination}, {@code LocalReplica}, {@code Hlc}, {@code
 * PeerClocks}, {@code ReplicaLatencies}, the phi accrual detector, hints) on one {@link
 * Simulation}. The ring is static: every node is Normal from the start, with tokens chosen by the
 * real allocator, and the {@code default} keyspace (replication factor min(3, nodes), QUORUM) is in
 * the metadata; membership changes are the membership simulation's business.
 *
 * <p>Each node pings every peer once per {@link NodeSettings#pingIntervalNanos()} at its own phase
 * (its failure detector takes the pongs), delivers hints every {@link
 * NodeSettings#hintTickNanos()}, and, under the PERIODIC policy, syncs its engine every {@link
 * NodeSettings#periodicSyncNanos()}. Clients {@link #submit} requests to a coordinator of their
 * choice; the answer comes back through a callback, after a small client hop.
 *
 * <p>Faults are operations, as in the membership simulation: {@link #crash} (a kill keeps the page
 * cache; a power loss drops what was not synced, on the engine and the hint log alike), {@link
 * #restart}, {@link #freeze}/{@link #thaw}, {@link #partition}, one-way {@link #cut}s, lossy links,
 * monotonic clock jumps, wall clock steps, failed fsyncs (the node stops). They read as a scenario:
 *
 * <pre>
 *   cluster.startAll().runFor(seconds(5));
 *   cluster.crash("n3");
 *   assertThat(cluster.write("n1", "k", "v", QUORUM).succeeded()).isTrue();
 * </pre>
 *
 * <p>An exception thrown by the protocol code ends the run with a {@link SimulationFailure}.
 *
 * <p>Not thread-safe: everything runs on the simulation's one thread.
 */
public final class ReplicatedCluster {
  /** Wall clocks read about 2023-11 at true time 0 (any positive epoch works for the HLC). */
  public static final long EPOCH_BASE_MILLIS = 1_700_000_000_000L;

  /** The client's hop to and from a coordinator. */
  public static final long CLIENT_HOP_NANOS = 100 * SimTime.MICROSECOND_NANOS;

  /** How often {@link #runUntil} checks its condition. */
  public static final long POLL_INTERVAL_NANOS = 100 * SimTime.MILLISECOND_NANOS;

  /** The longest the blocking client calls of scenario tests wait for an answer. */
  public static final long CLIENT_WAIT_MAX_NANOS = SimTime.seconds(30);

  private final Simulation simulation;
  private final NodeSettings settings;
  private final ReplicationCounters counters = new ReplicationCounters();
  private final CausalLedger causalLedger = new CausalLedger();
  private final TreeMap<String, ReplicaNode> nodes = new TreeMap<>();
  private final List<String> names;
  private final ClusterMetadata metadata;
  private final SimNetwork<ReplicaMessage> network;
  private final List<ReplicationListener> listeners = new ArrayList<>();
  private int networkHeals;

  private ReplicatedCluster(Builder builder) {
    this.simulation = new Simulation(builder.seed, builder.trace);
    this.settings = builder.settings;
    List<String> nodeNames = new ArrayList<>();
    for (int i = 1; i <= builder.nodeCount; i++) {
      String name = "n" + i;
      nodeNames.add(name);
      SimClock clock = builder.clocks.getOrDefault(name, SimClock.exact());
      long wallOffsetMillis = builder.wallOffsetsMillis.getOrDefault(name, 0L);
      SimClock wall =
          new SimClock(
              SimTime.millis(EPOCH_BASE_MILLIS + wallOffsetMillis),
              builder.wallDriftsPpm.getOrDefault(name, 0.0));
      ReplicaNode node = new ReplicaNode(name, clock, wall, simulation.rng().fork());
      node.bindTime(simulation::nowNanos);
      nodes.put(name, node);
    }
    this.names = List.copyOf(nodeNames);
    this.metadata = buildMetadata(builder, simulation.rng().fork());
    this.network =
        new SimNetwork<>(
            simulation,
            names,
            builder.faults,
            new Endpoints(),
            message -> describeForTrace(message));
    network.addListener(
        (from, to) -> {
          for (ReplicationListener listener : listeners) {
            listener.onLinkChanged(from, to);
          }
        });
  }

  private String describeForTrace(ReplicaMessage message) {
    // SimNetwork traces sends with the message's text; the route is traced by the sender.
    return ReplicaMessage.describe(sendingFrom, sendingTo, message);
  }

  private String sendingFrom = "";
  private String sendingTo = "";

  private ClusterMetadata buildMetadata(Builder builder, Rng rng) {
    TokenAllocator allocator =
        new TokenAllocator(builder.tokensPerNode, Keyspace.DEFAULT_REPLICATION_FACTOR);
    List<Member> members = new ArrayList<>();
    TreeMap<NodeId, Double> weights = new TreeMap<>();
    for (int i = 0; i < names.size(); i++) {
      NodeId id = NodeId.of(names.get(i));
      List<Token> tokens = allocator.allocate(TokenRing.of(members), weights, id, 1.0, rng);
      members.add(
          new Member(
              id,
              Address.local("127.0.0.1", i + 1),
              Member.DEFAULT_DATACENTER,
              Member.DEFAULT_RACK,
              tokens,
              Member.Status.NORMAL,
              1.0));
      weights.put(id, 1.0);
    }
    Keyspace keyspace =
        Keyspace.defaultKeyspace(names.size()).withSloppyQuorum(settings.sloppyQuorum());
    return ClusterMetadata.of(1, members, List.of(keyspace));
  }

  /** A cluster to build; every choice has a default (3 nodes, a healthy network, defaults). */
  public static Builder builder(long seed) {
    return new Builder(seed);
  }

  /** Settings of a {@link ReplicatedCluster}. */
  public static final class Builder {
    private final long seed;
    private int nodeCount = 3;
    private int tokensPerNode = 8;
    private NodeSettings settings = NodeSettings.defaults();
    private SimNetwork.Faults faults = SimNetwork.Faults.none();
    private Trace trace = new Trace();
    private final TreeMap<String, SimClock> clocks = new TreeMap<>();
    private final TreeMap<String, Long> wallOffsetsMillis = new TreeMap<>();
    private final TreeMap<String, Double> wallDriftsPpm = new TreeMap<>();

    private Builder(long seed) {
      this.seed = seed;
    }

    /** Nodes n1 to n{@code count}. */
    public Builder nodes(int count) {
      if (count < 1 || count > 16) {
        throw new IllegalArgumentException("node count must be in [1, 16], was " + count);
      }
      this.nodeCount = count;
      return this;
    }

    public Builder tokensPerNode(int count) {
      this.tokensPerNode = count;
      return this;
    }

    public Builder settings(NodeSettings nodeSettings) {
      this.settings = Objects.requireNonNull(nodeSettings, "nodeSettings");
      return this;
    }

    public Builder network(SimNetwork.Faults networkFaults) {
      this.faults = Objects.requireNonNull(networkFaults, "networkFaults");
      return this;
    }

    public Builder trace(Trace newTrace) {
      this.trace = Objects.requireNonNull(newTrace, "trace");
      return this;
    }

    /** {@code name}'s monotonic clock. */
    public Builder clock(String name, SimClock clock) {
      clocks.put(name, Objects.requireNonNull(clock, "clock"));
      return this;
    }

    /** {@code name}'s wall clock: ahead of true time by {@code offsetMillis}, drifting. */
    public Builder wallClock(String name, long offsetMillis, double driftPpm) {
      wallOffsetsMillis.put(name, offsetMillis);
      wallDriftsPpm.put(name, driftPpm);
      return this;
    }

    public ReplicatedCluster build() {
      return new ReplicatedCluster(this);
    }
  }

  // --- queries ---

  public Simulation simulation() {
    return simulation;
  }

  public SimNetwork<ReplicaMessage> network() {
    return network;
  }

  public NodeSettings settings() {
    return settings;
  }

  /** Every causal write applied at a dot replica, for the causal checker. */
  public CausalLedger causalLedger() {
    return causalLedger;
  }

  public ReplicationCounters counters() {
    return counters;
  }

  /** The metadata every node uses: static for the whole run. */
  public ClusterMetadata metadata() {
    return metadata;
  }

  /** The simulation's true time. */
  public long nowNanos() {
    return simulation.nowNanos();
  }

  /** The node names, n1 first. */
  public List<String> names() {
    return names;
  }

  public ReplicaNode node(String name) {
    ReplicaNode node = nodes.get(name);
    if (node == null) {
      throw new IllegalArgumentException("no node named " + name + " in " + names);
    }
    return node;
  }

  /** Every node, sorted by name. */
  public Collection<ReplicaNode> nodes() {
    return Collections.unmodifiableCollection(nodes.values());
  }

  /** The replicas of user key {@code key}, in ring order. */
  public List<String> replicasOf(String key) {
    Token token = Token.forKey(key.getBytes(StandardCharsets.UTF_8));
    Keyspace keyspace = metadata.keyspace(Keyspace.DEFAULT_NAME).orElseThrow();
    List<String> replicas = new ArrayList<>();
    for (NodeId id : keyspace.replication().replicas(metadata.ring(), token)) {
      replicas.add(id.value());
    }
    return replicas;
  }

  /** How many replicas QUORUM needs. */
  public int quorum() {
    return metadata
                .keyspace(Keyspace.DEFAULT_NAME)
                .orElseThrow()
                .replication()
                .totalReplicationFactor()
            / 2
        + 1;
  }

  /** The stored key of user key {@code key} (the simulator's clients use {@code default}). */
  public static byte[] storedKey(String key) {
    return KeyCodec.encode(KeyCodec.DEFAULT_TAG, key.getBytes(StandardCharsets.UTF_8));
  }

  /** The cell {@code node}'s engine holds for user key {@code key} (null if none). */
  public Cell storedCell(String node, String key) {
    return node(node).engine().get(storedKey(key));
  }

  /** Whether {@code observer}'s running process holds {@code peer} up (false if it has none). */
  public boolean seesUp(String observer, String peer) {
    ReplicaNode node = node(observer);
    return node.process != null && node.process.seesUp(peer);
  }

  /** Hint bytes not yet delivered, over all running processes. */
  public long pendingHintBytes() {
    long bytes = 0;
    for (ReplicaNode node : nodes.values()) {
      bytes += node.pendingHintBytes();
    }
    return bytes;
  }

  /** True if no node coordinates anything or awaits any reply. */
  public boolean quiescent() {
    for (ReplicaNode node : nodes.values()) {
      if (node.process != null
          && (node.process.coordinationsInProgress() > 0
              || node.process.outstandingRequests() > 0)) {
        return false;
      }
    }
    return true;
  }

  /** Hints expired so far, over every process (ended ones included). */
  public long hintsExpired() {
    long expired = counters.hintsExpired;
    for (ReplicaNode node : nodes.values()) {
      if (node.process != null) {
        expired += node.process.hints().stats().droppedExpired();
      }
    }
    return expired;
  }

  public void addListener(ReplicationListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  // --- running ---

  /** Runs for {@code durationNanos} of simulated time. */
  public ReplicatedCluster runFor(long durationNanos) {
    simulation.runFor(durationNanos);
    return this;
  }

  /**
   * Runs until {@code done} holds (checked every {@link #POLL_INTERVAL_NANOS}), at most {@code
   * withinNanos}.
   */
  public boolean runUntil(BooleanSupplier done, long withinNanos) {
    return simulation.runUntil(done, nowNanos() + withinNanos, POLL_INTERVAL_NANOS);
  }

  // --- clients ---

  /**
   * A client sends {@code request} to {@code coordinator}; {@code answer} hears the outcome once,
   * unless the coordinator's process dies first (the client's own deadline is its business). A
   * coordinator that is down refuses the connection; a frozen one holds the request in its socket.
   */
  public void submit(String coordinator, ClientRequest request, Consumer<ClientOutcome> answer) {
    ReplicaNode node = node(coordinator);
    switch (node.state) {
      case NOT_STARTED, CRASHED ->
          answerClient(
              answer,
              new ClientOutcome(
                  ClientOutcome.Kind.NOT_CONNECTED, null, 0, coordinator + " is not running"));
      case FROZEN -> {
        if (node.heldMessages < settings.clientHeldMax()) {
          node.heldMessages++;
          node.held.addLast(
              () -> call(node, "coordinate", () -> node.process.coordinate(request, answer)));
        }
      }
      case RUNNING -> call(node, "coordinate", () -> node.process.coordinate(request, answer));
    }
  }

  /** Writes and waits for the answer (scenario tests). */
  public ClientOutcome write(String coordinator, String key, String value, ConsistencyLevel level) {
    return await(coordinator, ClientRequest.write(key, value, level));
  }

  /** Deletes and waits for the answer (scenario tests). */
  public ClientOutcome delete(String coordinator, String key, ConsistencyLevel level) {
    return await(coordinator, ClientRequest.delete(key, level));
  }

  /** Reads and waits for the answer (scenario tests). */
  public ClientOutcome read(String coordinator, String key, ConsistencyLevel level) {
    return await(coordinator, ClientRequest.read(key, level));
  }

  /** Submits {@code request} and runs until its answer, at most {@link #CLIENT_WAIT_MAX_NANOS}. */
  public ClientOutcome await(String coordinator, ClientRequest request) {
    ClientOutcome[] outcome = new ClientOutcome[1];
    submit(coordinator, request, answered -> outcome[0] = answered);
    long deadline = nowNanos() + CLIENT_WAIT_MAX_NANOS;
    while (outcome[0] == null && nowNanos() < deadline) {
      simulation.runUntil(Math.min(deadline, nowNanos() + SimTime.MILLISECOND_NANOS));
    }
    return outcome[0] != null
        ? outcome[0]
        : new ClientOutcome(ClientOutcome.Kind.NO_ANSWER, null, 0, "no answer in 30 s");
  }

  void answerClient(Consumer<ClientOutcome> answer, ClientOutcome outcome) {
    simulation.after(CLIENT_HOP_NANOS, () -> answer.accept(outcome));
  }

  // --- life cycle ---

  /** Starts every node not running yet (and restarts crashed ones). */
  public ReplicatedCluster startAll() {
    for (ReplicaNode node : nodes.values()) {
      if (node.state == ReplicaNode.State.NOT_STARTED || node.state == ReplicaNode.State.CRASHED) {
        startNode(node);
      }
    }
    return this;
  }

  /** Starts these nodes (each must never have run, or have crashed). */
  public ReplicatedCluster start(String... nodeNames) {
    for (String name : nodeNames) {
      ReplicaNode node = node(name);
      if (node.state != ReplicaNode.State.NOT_STARTED && node.state != ReplicaNode.State.CRASHED) {
        throw new IllegalStateException("cannot start " + name + ": it is " + node.state);
      }
      startNode(node);
    }
    return this;
  }

  /** Restarts a crashed node: a new process on what its disk kept. */
  public ReplicatedCluster restart(String name) {
    ReplicaNode node = node(name);
    if (node.state != ReplicaNode.State.CRASHED) {
      throw new IllegalStateException("cannot restart " + name + ": it is " + node.state);
    }
    startNode(node);
    return this;
  }

  /** Kills {@code name}'s process; its disk keeps everything (the page cache survives). */
  public ReplicatedCluster crash(String name) {
    return crash(name, StopKind.PROCESS_KILL);
  }

  /** Stops {@code name} by a crash of the given kind. */
  public ReplicatedCluster crash(String name, StopKind kind) {
    if (!kind.isCrash()) {
      throw new IllegalArgumentException(kind + " is not a crash; use freeze");
    }
    ReplicaNode node = node(name);
    if (node.state != ReplicaNode.State.RUNNING && node.state != ReplicaNode.State.FROZEN) {
      throw new IllegalStateException("cannot crash " + name + ": it is " + node.state);
    }
    stop(node, kind);
    return this;
  }

  /** Pauses {@code name}: no timers, arriving messages wait, until {@link #thaw}. */
  public ReplicatedCluster freeze(String name) {
    ReplicaNode node = node(name);
    if (node.state != ReplicaNode.State.RUNNING) {
      throw new IllegalStateException("cannot freeze " + name + ": it is " + node.state);
    }
    stop(node, StopKind.FREEZE);
    return this;
  }

  /** Resumes a frozen node: it takes what waited, in order, then runs on. */
  public ReplicatedCluster thaw(String name) {
    ReplicaNode node = node(name);
    if (node.state != ReplicaNode.State.FROZEN) {
      throw new IllegalStateException("cannot thaw " + name + ": it is " + node.state);
    }
    node.state = ReplicaNode.State.RUNNING;
    simulation.trace(name + " thaw, " + node.held.size() + " inputs waiting");
    for (ReplicationListener listener : listeners) {
      listener.onThawed(node);
    }
    int incarnation = node.incarnation;
    while (!node.held.isEmpty() && node.isRunning() && node.incarnation == incarnation) {
      Runnable input = node.held.removeFirst();
      input.run();
    }
    node.heldMessages = 0;
    return this;
  }

  /** Moves {@code name}'s monotonic clock by {@code deltaNanos} (negative: backwards). */
  public ReplicatedCluster jumpClock(String name, long deltaNanos) {
    ReplicaNode node = node(name);
    node.clock().jump(deltaNanos);
    simulation.trace(name + " clock jumps " + SimTime.format(deltaNanos));
    for (ReplicationListener listener : listeners) {
      listener.onClockJumped(node, deltaNanos);
    }
    return this;
  }

  /** Steps {@code name}'s wall clock by {@code deltaMillis} (NTP stepping it, or an operator). */
  public ReplicatedCluster stepWallClock(String name, long deltaMillis) {
    ReplicaNode node = node(name);
    node.wallClock().jump(SimTime.millis(deltaMillis));
    simulation.trace(name + " wall clock steps " + deltaMillis + " ms");
    return this;
  }

  /** Makes {@code name}'s engine fail its next fsync: the node stops when it happens. */
  public ReplicatedCluster failNextSync(String name) {
    node(name).engine().failNextSyncs(1);
    simulation.trace(name + " next fsync will fail");
    return this;
  }

  /** Makes the next fsync of {@code name}'s hint log fail: the hints it held unsynced are lost. */
  public ReplicatedCluster failNextHintSync(String name) {
    node(name).fileSystem().failNextSyncs(1);
    simulation.trace(name + " next hint fsync will fail");
    return this;
  }

  // --- the network ---

  /** One side of a partition: {@code partition("n1").from("n2", "n3")}. */
  public Side partition(String... side) {
    return new Side(List.of(side));
  }

  /** A one-way cut: {@code cut("n1").to("n2")} loses what n1 sends n2; n2 still reaches n1. */
  public OneWay cut(String from) {
    node(from);
    return new OneWay(from);
  }

  /** Makes {@code from -> to} lose {@code probability} of its messages. */
  public ReplicatedCluster lossyLink(String from, String to, double probability) {
    network.setLinkLoss(from, to, probability);
    simulation.trace("lossy " + from + "->" + to + " " + Math.round(probability * 100) + "%");
    return this;
  }

  /** Restores every link and removes every link's loss; earlier {@link Cuts} become no-ops. */
  public ReplicatedCluster healNetwork() {
    networkHeals++;
    network.healAll();
    simulation.trace("network healed");
    return this;
  }

  /** The first half of {@link #partition}. */
  public final class Side {
    private final List<String> side;

    private Side(List<String> side) {
      side.forEach(ReplicatedCluster.this::node);
      this.side = side;
    }

    /** Cuts every link between this side and {@code others}, both ways. */
    public Cuts from(String... others) {
      List<String[]> links = new ArrayList<>();
      for (String a : side) {
        for (String b : others) {
          node(b);
          links.add(new String[] {a, b});
          links.add(new String[] {b, a});
        }
      }
      simulation.trace("partition " + side + " | " + Arrays.asList(others));
      return new Cuts(links);
    }
  }

  /** The first half of {@link #cut}. */
  public final class OneWay {
    private final String from;

    private OneWay(String from) {
      this.from = from;
    }

    public Cuts to(String to) {
      node(to);
      simulation.trace("cut " + from + "->" + to);
      List<String[]> links = new ArrayList<>();
      links.add(new String[] {from, to});
      return new Cuts(links);
    }
  }

  /** Links cut together, restored together by {@link #heal}. */
  public final class Cuts {
    private final List<String[]> links;
    private final int madeAtHeal;
    private boolean healed;

    private Cuts(List<String[]> links) {
      this.links = links;
      this.madeAtHeal = networkHeals;
      for (String[] link : links) {
        network.cut(link[0], link[1]);
      }
    }

    /** Restores these links (once; a no-op after {@link #healNetwork}). */
    public void heal() {
      if (healed || madeAtHeal != networkHeals) {
        healed = true;
        return;
      }
      healed = true;
      StringBuilder text = new StringBuilder("restore");
      for (String[] link : links) {
        network.restore(link[0], link[1]);
        text.append(' ').append(link[0]).append("->").append(link[1]);
      }
      simulation.trace(text.toString());
    }
  }

  // --- the node loop ---

  /** Sends {@code message} from {@code from} to {@code to} over the network. */
  void send(String from, String to, ReplicaMessage message) {
    sendingFrom = from;
    sendingTo = to;
    network.send(from, to, message);
  }

  /**
   * Runs {@code action} on {@code node}'s current process after {@code delayNanos}: dropped if the
   * process ended meanwhile, held until thaw if the node is frozen then.
   */
  void schedule(ReplicaNode node, long delayNanos, Runnable action) {
    int incarnation = node.incarnation;
    simulation.after(
        delayNanos,
        () -> {
          if (node.incarnation != incarnation) {
            return;
          }
          switch (node.state) {
            case RUNNING -> call(node, "timer", action);
            case FROZEN -> node.held.addLast(() -> call(node, "timer", action));
            case NOT_STARTED, CRASHED -> {}
          }
        });
  }

  /** The node's engine failed an fsync: it stops rather than go on with a log of unknown state. */
  void failStop(ReplicaNode node, String reason) {
    simulation.trace(node.name() + " stops: " + reason);
    stop(node, StopKind.FAILED_SYNC);
  }

  private void startNode(ReplicaNode node) {
    boolean restart = node.starts > 0;
    NodeHints hints;
    try {
      hints = NodeHints.open(node, settings);
    } catch (IOException e) {
      // The server would exit at start-up; the operator (here the chaos, or healing) retries.
      simulation.trace(node.name() + " cannot start: its hint store failed: " + e.getMessage());
      node.state = ReplicaNode.State.CRASHED;
      node.lastStop = StopKind.FAILED_SYNC;
      node.incarnation++;
      for (ReplicationListener listener : listeners) {
        listener.onStopped(node, StopKind.FAILED_SYNC);
      }
      return;
    }
    node.engine().reopen();
    node.state = ReplicaNode.State.RUNNING;
    node.incarnation++;
    node.starts++;
    node.startedAtNanos = simulation.nowNanos();
    node.process = call(node, "start", () -> new NodeProcess(node, this, hints));
    simulation.trace(node.name() + (restart ? " restart" : " start"));
    for (ReplicationListener listener : listeners) {
      listener.onStarted(node, restart);
    }
    int incarnation = node.incarnation;
    long phase = 1 + node.rng().nextLong(settings.pingIntervalNanos());
    repeat(node, incarnation, phase, settings.pingIntervalNanos(), () -> node.process.pingTick());
    repeat(
        node,
        incarnation,
        1 + node.rng().nextLong(settings.hintTickNanos()),
        settings.hintTickNanos(),
        () -> node.process.hintTick());
    if (settings.durability() == Durability.PERIODIC) {
      repeat(
          node,
          incarnation,
          settings.periodicSyncNanos(),
          settings.periodicSyncNanos(),
          () -> node.process.periodicSync());
    }
  }

  /**
   * Runs {@code tick} every {@code intervalNanos} while the process lives; skipped while frozen.
   */
  private void repeat(
      ReplicaNode node, int incarnation, long firstNanos, long intervalNanos, Runnable tick) {
    simulation.after(
        firstNanos,
        () -> {
          if (node.incarnation != incarnation || node.state == ReplicaNode.State.CRASHED) {
            return;
          }
          repeat(node, incarnation, intervalNanos, intervalNanos, tick);
          if (node.isRunning()) {
            call(node, "tick", tick);
          }
        });
  }

  private void stop(ReplicaNode node, StopKind kind) {
    node.lastStop = kind;
    if (kind.isCrash()) {
      counters.hintsExpired += node.process.hints().stats().droppedExpired();
      if (kind != StopKind.POWER_LOSS) {
        node.process.hints().abandon();
      }
      node.process = null;
      node.held.clear();
      node.heldMessages = 0;
      node.state = ReplicaNode.State.CRASHED;
      node.crashes++;
      node.incarnation++;
      if (kind == StopKind.POWER_LOSS) {
        counters.recordsLost += node.engine().powerLoss(node.rng());
        node.fileSystem().powerLoss(node.rng());
      } else if (kind == StopKind.FAILED_SYNC) {
        counters.recordsLost += node.engine().dropUnsynced();
      }
    } else {
      node.state = ReplicaNode.State.FROZEN;
      node.freezes++;
    }
    simulation.trace(node.name() + " stop " + kind);
    for (ReplicationListener listener : listeners) {
      listener.onStopped(node, kind);
    }
  }

  private <T> T call(ReplicaNode node, String what, Supplier<T> action) {
    try {
      return action.get();
    } catch (SimulationFailure failure) {
      throw failure;
    } catch (RuntimeException | AssertionError e) {
      throw new SimulationFailure(
          node.name()
              + " threw in "
              + what
              + " at "
              + SimTime.format(simulation.nowNanos())
              + ": "
              + e,
          e);
    }
  }

  private void call(ReplicaNode node, String what, Runnable action) {
    call(
        node,
        what,
        () -> {
          action.run();
          return null;
        });
  }

  /** The network's side of the nodes. */
  private final class Endpoints implements SimNetwork.Endpoints<ReplicaMessage> {
    @Override
    public SimNetwork.Arrival arrive(String from, String to, ReplicaMessage message) {
      ReplicaNode node = node(to);
      return switch (node.state) {
        case NOT_STARTED -> SimNetwork.Arrival.REFUSED;
        case CRASHED ->
            node.lastStop == StopKind.POWER_LOSS
                ? SimNetwork.Arrival.LOST
                : SimNetwork.Arrival.REFUSED;
        case FROZEN -> {
          if (node.heldMessages >= ReplicaNode.HELD_MESSAGES_MAX) {
            yield SimNetwork.Arrival.LOST;
          }
          node.heldMessages++;
          node.held.addLast(() -> call(node, "receive", () -> node.process.receive(from, message)));
          yield SimNetwork.Arrival.HELD;
        }
        case RUNNING -> {
          call(node, "receive", () -> node.process.receive(from, message));
          yield SimNetwork.Arrival.DELIVERED;
        }
      };
    }

    @Override
    public void refused(String sender, String destination, long attemptNanos) {
      ReplicaNode node = node(sender);
      switch (node.state) {
        case RUNNING ->
            call(node, "refused", () -> node.process.refused(destination, attemptNanos));
        case FROZEN ->
            node.held.addLast(
                () -> call(node, "refused", () -> node.process.refused(destination, attemptNanos)));
        case NOT_STARTED, CRASHED -> {}
      }
    }
  }
}
