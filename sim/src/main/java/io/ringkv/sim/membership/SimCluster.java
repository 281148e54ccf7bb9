package io.ringkv.sim.membership;

import io.ringkv.cluster.membership.ApplicationState;
import io.ringkv.cluster.membership.ClusterMembership;
import io.ringkv.cluster.membership.Gossip;
import io.ringkv.cluster.membership.GossipEvent;
import io.ringkv.cluster.membership.GossipMessage;
import io.ringkv.cluster.membership.MemberValues;
import io.ringkv.cluster.membership.MembershipConfig;
import io.ringkv.cluster.membership.PersistentGossipState;
import io.ringkv.cluster.metadata.Address;
import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.sim.SimClock;
import io.ringkv.sim.SimNetwork;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.SimulationFailure;
import io.ringkv.sim.Trace;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A cluster of simulated ringkv nodes running their real {@link ClusterMembership} (gossip, the
 * failure detector, ring joining, metadata) on one {@link Simulation}: a {@link SimNetwork} carries
 * their gossip, each reads its own {@link SimClock}, and each stores its gossip state on its own
 * fault-injecting disk. This is the caller's loop of docs/design/gossip.md, the one the server runs
 * on Netty, run here from one seed: once a second per node (each at its own phase) {@code tick};
 * for each message arriving, {@code step}; after each, take {@code ready()}, <b>store</b> {@code
 * persist} (an I/O error stops the node, as the server would), <b>send</b> the messages,
 * <b>deliver</b> the events (to the trace and the {@link ClusterListener}s), then {@code advance}.
 *
 * <p>Faults are operations on it: {@link #crash} (a process kill, or a power loss that drops what
 * was not synced), {@link #restart} (the next generation from the stored state, as the server
 * does), {@link #freeze}/{@link #thaw} (a pause: arriving messages wait, ticks are skipped), {@link
 * #partition}, one-way {@link #cut}s, clock jumps, failed fsyncs. They read as a scenario:
 *
 * <pre>
 *   cluster.startAll().runFor(seconds(20));
 *   cluster.partition("n1").from("n2", "n3");
 *   cluster.crash("n3");
 *   assertThat(cluster.viewOf("n2").isDown("n3")).isTrue();
 * </pre>
 *
 * <p>An exception thrown by the protocol code ends the run with a {@link SimulationFailure}.
 *
 * <p>Not thread-safe: everything runs on the simulation's one thread.
 */
public final class SimCluster {
  /** Gossip's round: each node ticks once per second of true time. */
  public static final long TICK_INTERVAL_NANOS = SimTime.SECOND_NANOS;

  /** How often {@link #runUntil} checks its condition. */
  public static final long POLL_INTERVAL_NANOS = 100 * SimTime.MILLISECOND_NANOS;

  private final Simulation simulation;
  private final MembershipConfig config;
  private final List<String> seeds;
  private final TreeMap<String, SimNode> nodes = new TreeMap<>();
  private final List<String> names;
  private final SimNetwork<GossipMessage> network;
  private final List<ClusterListener> listeners = new ArrayList<>();
  private int networkHeals;

  private SimCluster(Builder builder) {
    this.simulation = new Simulation(builder.seed, builder.trace);
    this.config = builder.config;
    this.seeds = List.copyOf(builder.seeds);
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= builder.nodeCount; i++) {
      String name = "n" + i;
      names.add(name);
      Member member =
          Member.joining(NodeId.of(name), Address.local("127.0.0.1", i))
              .withPlace(
                  builder.datacenters.getOrDefault(name, Member.DEFAULT_DATACENTER),
                  builder.racks.getOrDefault(name, Member.DEFAULT_RACK));
      SimClock clock = builder.clocks.getOrDefault(name, SimClock.exact());
      nodes.put(
          name, new SimNode(name, member, seeds.contains(name), clock, simulation.rng().fork()));
    }
    for (String seed : seeds) {
      if (!nodes.containsKey(seed)) {
        throw new IllegalArgumentException("seed " + seed + " is not one of the nodes " + names);
      }
    }
    this.names = List.copyOf(names);
    this.network =
        new SimNetwork<>(simulation, names, builder.faults, new Endpoints(), GossipText::message);
    network.addListener(
        (from, to) -> {
          for (ClusterListener listener : listeners) {
            listener.onLinkChanged(from, to);
          }
        });
  }

  /** A cluster to build; every choice has a default (3 nodes, seed node n1, a healthy network). */
  public static Builder builder(long seed) {
    return new Builder(seed);
  }

  /** Settings of a {@link SimCluster}. */
  public static final class Builder {
    private final long seed;
    private int nodeCount = 3;
    private List<String> seeds = List.of("n1");
    private MembershipConfig config = MembershipConfig.defaults();
    private SimNetwork.Faults faults = SimNetwork.Faults.none();
    private Trace trace = new Trace();
    private final TreeMap<String, String> datacenters = new TreeMap<>();
    private final TreeMap<String, String> racks = new TreeMap<>();
    private final TreeMap<String, SimClock> clocks = new TreeMap<>();

    private Builder(long seed) {
      this.seed = seed;
    }

    /** Nodes n1 to n{@code count}. */
    public Builder nodes(int count) {
      if (count < 1 || count > 64) {
        throw new IllegalArgumentException("node count must be in [1, 64], was " + count);
      }
      this.nodeCount = count;
      return this;
    }

    public Builder seeds(String... seedNames) {
      this.seeds = List.of(seedNames);
      return this;
    }

    public Builder membership(MembershipConfig membershipConfig) {
      this.config = Objects.requireNonNull(membershipConfig, "membershipConfig");
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

    public Builder place(String name, String datacenter, String rack) {
      datacenters.put(name, datacenter);
      racks.put(name, rack);
      return this;
    }

    public Builder clock(String name, SimClock clock) {
      clocks.put(name, Objects.requireNonNull(clock, "clock"));
      return this;
    }

    public SimCluster build() {
      return new SimCluster(this);
    }
  }

  // --- queries ---

  public Simulation simulation() {
    return simulation;
  }

  public SimNetwork<GossipMessage> network() {
    return network;
  }

  public MembershipConfig config() {
    return config;
  }

  /** The simulation's true time. */
  public long nowNanos() {
    return simulation.nowNanos();
  }

  /** The node names, n1 first. */
  public List<String> names() {
    return names;
  }

  public SimNode node(String name) {
    SimNode node = nodes.get(name);
    if (node == null) {
      throw new IllegalArgumentException("no node named " + name + " in " + names);
    }
    return node;
  }

  /** Every node, sorted by name. */
  public Collection<SimNode> nodes() {
    return Collections.unmodifiableCollection(nodes.values());
  }

  /** What {@code name}'s running process sees now. */
  public NodeView viewOf(String name) {
    SimNode node = node(name);
    ClusterMembership membership =
        node.membership()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        name + " is " + node.state() + ": it has no process, hence no view"));
    return new NodeView(name, membership, localNanos(node));
  }

  /** Why the cluster is not converged, or empty if it is: see {@link Convergence#whyNot}. */
  public Optional<String> whyNotConverged() {
    return Convergence.whyNot(this);
  }

  public void addListener(ClusterListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  // --- running ---

  /** Runs for {@code durationNanos} of simulated time. */
  public SimCluster runFor(long durationNanos) {
    simulation.runFor(durationNanos);
    return this;
  }

  /**
   * Runs until {@code done} holds (checked every {@link #POLL_INTERVAL_NANOS}), at most {@code
   * withinNanos}.
   *
   * @return true if it held
   */
  public boolean runUntil(BooleanSupplier done, long withinNanos) {
    return simulation.runUntil(done, nowNanos() + withinNanos, POLL_INTERVAL_NANOS);
  }

  // --- life cycle ---

  /** Starts every node not running yet. */
  public SimCluster startAll() {
    for (SimNode node : nodes.values()) {
      if (node.state() == SimNode.State.NOT_STARTED || node.state() == SimNode.State.CRASHED) {
        startNode(node);
      }
    }
    return this;
  }

  /** Starts these nodes (each must never have run, or have crashed). */
  public SimCluster start(String... names) {
    for (String name : names) {
      SimNode node = node(name);
      if (node.state() != SimNode.State.NOT_STARTED && node.state() != SimNode.State.CRASHED) {
        throw new IllegalStateException("cannot start " + name + ": it is " + node.state());
      }
      startNode(node);
    }
    return this;
  }

  /** Restarts a crashed node: the next generation, from what its disk kept. */
  public SimCluster restart(String name) {
    SimNode node = node(name);
    if (node.state() != SimNode.State.CRASHED) {
      throw new IllegalStateException("cannot restart " + name + ": it is " + node.state());
    }
    startNode(node);
    return this;
  }

  /** Kills {@code name}'s process; its disk keeps everything (the page cache survives). */
  public SimCluster crash(String name) {
    return crash(name, StopKind.PROCESS_KILL);
  }

  /** Stops {@code name} by a crash of the given kind. */
  public SimCluster crash(String name, StopKind kind) {
    if (!kind.isCrash()) {
      throw new IllegalArgumentException(kind + " is not a crash; use freeze");
    }
    SimNode node = node(name);
    if (node.state() != SimNode.State.RUNNING && node.state() != SimNode.State.FROZEN) {
      throw new IllegalStateException("cannot crash " + name + ": it is " + node.state());
    }
    stop(node, kind);
    return this;
  }

  /** Pauses {@code name}: it neither ticks nor takes messages (they wait) until {@link #thaw}. */
  public SimCluster freeze(String name) {
    SimNode node = node(name);
    if (node.state() != SimNode.State.RUNNING) {
      throw new IllegalStateException("cannot freeze " + name + ": it is " + node.state());
    }
    stop(node, StopKind.FREEZE);
    return this;
  }

  /** Resumes a frozen node: it takes the messages that waited, then ticks again. */
  public SimCluster thaw(String name) {
    SimNode node = node(name);
    if (node.state() != SimNode.State.FROZEN) {
      throw new IllegalStateException("cannot thaw " + name + ": it is " + node.state());
    }
    node.state = SimNode.State.RUNNING;
    simulation.trace(name + " thaw, " + node.held.size() + " messages waiting");
    for (ClusterListener listener : listeners) {
      listener.onThawed(node);
    }
    int incarnation = node.incarnation;
    while (!node.held.isEmpty() && node.isRunning() && node.incarnation == incarnation) {
      GossipMessage message = node.held.removeFirst();
      network.deliveredLate();
      step(node, message);
    }
    return this;
  }

  /** Moves {@code name}'s clock by {@code deltaNanos} (negative: backwards). */
  public SimCluster jumpClock(String name, long deltaNanos) {
    SimNode node = node(name);
    node.clock().jump(deltaNanos);
    simulation.trace(name + " clock jumps " + SimTime.format(deltaNanos));
    for (ClusterListener listener : listeners) {
      listener.onClockJumped(node, deltaNanos);
    }
    return this;
  }

  /** {@code name} announces that it holds {@code bytes}. */
  public SimCluster setLoad(String name, long bytes) {
    SimNode node = node(name);
    if (!node.isRunning()) {
      throw new IllegalStateException("cannot set the load of " + name + ": it is " + node.state());
    }
    call(node, "setLoad", () -> node.membership.setLoad(bytes));
    drain(node);
    return this;
  }

  /** Makes {@code name}'s next fsync fail: its next store of gossip state stops it. */
  public SimCluster failNextSync(String name) {
    node(name).fileSystem().failNextSyncs(1);
    simulation.trace(name + " next fsync will fail");
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

  /** Restores every link and removes every link's loss; earlier {@link Cuts} become no-ops. */
  public SimCluster healNetwork() {
    networkHeals++;
    network.healAll();
    simulation.trace("network healed");
    return this;
  }

  /** The first half of {@link #partition}. */
  public final class Side {
    private final List<String> side;

    private Side(List<String> side) {
      side.forEach(SimCluster.this::node);
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

  private long localNanos(SimNode node) {
    return node.clock().nowNanos(simulation.nowNanos());
  }

  private void startNode(SimNode node) {
    boolean restart = node.starts > 0;
    Optional<PersistentGossipState> stored;
    try {
      stored = node.stateFile().load();
    } catch (IOException e) {
      throw new SimulationFailure(
          node.name() + " cannot read its gossip state at restart: " + e.getMessage(), e);
    }
    long generation =
        Gossip.nextGeneration(stored.map(PersistentGossipState::generation).orElse(0L), 0);
    ClusterMembership membership =
        call(
            node,
            "start",
            () ->
                new ClusterMembership(
                    config,
                    node.configured(),
                    stored,
                    generation,
                    seeds,
                    node.isSeed(),
                    node.rng().fork()));
    node.membership = membership;
    node.lastGeneration = generation;
    node.state = SimNode.State.RUNNING;
    node.incarnation++;
    node.starts++;
    node.startedAtNanos = simulation.nowNanos();
    String name = node.name();
    membership.subscribe(
        (previous, current) -> simulation.trace(name + " epoch " + describe(current)));
    simulation.trace(
        name
            + (restart ? " restart" : " start")
            + " g"
            + generation
            + stored.map(s -> " stored " + s.applicationStates().keySet()).orElse(" fresh"));
    for (ClusterListener listener : listeners) {
      listener.onStarted(node, restart);
    }
    drain(node);
    int incarnation = node.incarnation;
    simulation.after(1 + node.rng().nextLong(TICK_INTERVAL_NANOS), () -> tick(node, incarnation));
  }

  private void tick(SimNode node, int incarnation) {
    if (node.incarnation != incarnation || node.state() == SimNode.State.CRASHED) {
      return;
    }
    simulation.after(TICK_INTERVAL_NANOS, () -> tick(node, incarnation));
    if (!node.isRunning()) {
      return; // frozen: the round is skipped
    }
    long now = localNanos(node);
    call(node, "tick", () -> node.membership.tick(now));
    drain(node);
    inputHandled(node);
  }

  private void step(SimNode node, GossipMessage message) {
    long now = localNanos(node);
    call(node, "step", () -> node.membership.step(message, now));
    drain(node);
    inputHandled(node);
  }

  private void inputHandled(SimNode node) {
    if (node.membership == null) {
      return; // it stopped while draining
    }
    for (ClusterListener listener : listeners) {
      listener.onInputHandled(node);
    }
  }

  private void stop(SimNode node, StopKind kind) {
    node.lastStop = kind;
    if (kind.isCrash()) {
      node.processEnded();
      node.membership = null;
      node.held.clear();
      node.state = SimNode.State.CRASHED;
      node.crashes++;
      node.incarnation++;
      if (kind == StopKind.POWER_LOSS) {
        node.fileSystem().powerLoss(node.rng());
      }
    } else {
      node.state = SimNode.State.FROZEN;
      node.freezes++;
    }
    simulation.trace(node.name() + " stop " + kind);
    for (ClusterListener listener : listeners) {
      listener.onStopped(node, kind);
    }
  }

  /** The caller's loop after each input: store, send, deliver, advance. */
  private void drain(SimNode node) {
    ClusterMembership membership = node.membership;
    if (membership == null || !membership.hasReady()) {
      return;
    }
    Gossip.Ready ready = call(node, "ready", membership::ready);
    if (ready.persist().isPresent()) {
      PersistentGossipState state = ready.persist().get();
      try {
        node.stateFile().store(state);
      } catch (IOException e) {
        simulation.trace(node.name() + " store failed: " + e.getMessage());
        stop(node, StopKind.FAILED_SYNC);
        return; // nothing is sent under a generation that was not stored
      }
      node.generationStored = Math.max(node.generationStored, state.generation());
      String tokens = state.applicationStates().get(ApplicationState.TOKENS);
      node.tokensStored = tokens == null ? List.of() : MemberValues.decodeTokens(tokens);
      simulation.trace(node.name() + " persist g" + state.generation());
    }
    for (GossipMessage message : ready.messages()) {
      network.send(message.from(), message.to(), message);
    }
    for (GossipEvent event : ready.events()) {
      simulation.trace(node.name() + " " + GossipText.event(event));
      for (ClusterListener listener : listeners) {
        listener.onGossipEvent(node, event);
      }
    }
    call(node, "advance", () -> membership.advance(ready));
  }

  private <T> T call(SimNode node, String what, Supplier<T> action) {
    try {
      return action.get();
    } catch (SimulationFailure failure) {
      throw failure;
    } catch (RuntimeException e) {
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

  private void call(SimNode node, String what, Runnable action) {
    call(
        node,
        what,
        () -> {
          action.run();
          return null;
        });
  }

  static String describe(ClusterMetadata metadata) {
    StringBuilder out = new StringBuilder().append(metadata.epoch());
    for (Member member : metadata.members().values()) {
      out.append(' ')
          .append(member.id())
          .append(':')
          .append(member.status())
          .append('/')
          .append(member.tokens().size());
    }
    return out.toString();
  }

  /** The network's side of the nodes. */
  private final class Endpoints implements SimNetwork.Endpoints<GossipMessage> {
    @Override
    public SimNetwork.Arrival arrive(String from, String to, GossipMessage message) {
      SimNode node = node(to);
      return switch (node.state()) {
        case NOT_STARTED -> SimNetwork.Arrival.REFUSED;
        case CRASHED ->
            node.lastStop == StopKind.POWER_LOSS
                ? SimNetwork.Arrival.LOST
                : SimNetwork.Arrival.REFUSED;
        case FROZEN -> {
          if (node.held.size() >= SimNode.HELD_MESSAGES_MAX) {
            yield SimNetwork.Arrival.LOST;
          }
          node.held.addLast(message);
          yield SimNetwork.Arrival.HELD;
        }
        case RUNNING -> {
          step(node, message);
          yield SimNetwork.Arrival.DELIVERED;
        }
      };
    }

    @Override
    public void refused(String sender, String destination, long attemptNanos) {
      SimNode node = node(sender);
      if (!node.isRunning()) {
        return; // a process that is gone or paused does not hear of it
      }
      simulation.trace(sender + " refused by " + destination);
      for (ClusterListener listener : listeners) {
        listener.onRefused(node, destination);
      }
      long now = localNanos(node);
      // The attempt on the sender's clock: as the server would note it when it began connecting.
      long attempt = now - (simulation.nowNanos() - attemptNanos);
      call(node, "reportRefused", () -> node.membership.reportRefused(destination, attempt, now));
      drain(node);
      inputHandled(node);
    }
  }
}
