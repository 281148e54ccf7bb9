package io.ringkv.sim.raft;

import io.ringkv.raft.ConfigChange;
import io.ringkv.raft.Configuration;
import io.ringkv.raft.Entry;
import io.ringkv.raft.EntryType;
import io.ringkv.raft.HardState;
import io.ringkv.raft.Message;
import io.ringkv.raft.PersistentState;
import io.ringkv.raft.RaftConfig;
import io.ringkv.raft.RaftNode;
import io.ringkv.raft.Ready;
import io.ringkv.raft.Snapshot;
import io.ringkv.raft.Submission;
import io.ringkv.raft.log.DurableLog;
import io.ringkv.sim.SimClock;
import io.ringkv.sim.SimNetwork;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.SimulationFailure;
import io.ringkv.sim.Trace;
import io.ringkv.sim.raft.Packet.ClientReply;
import io.ringkv.sim.raft.Packet.ClientRequest;
import io.ringkv.sim.raft.Packet.RaftPacket;
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
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * A Raft group of simulated members, each a real {@link RaftNode} whose log is a real {@link
 * DurableLog} on the member's own simulated disk, with a replicated {@link KvStateMachine} and
 * {@link KvClient}s, on one {@link Simulation}. This is the caller's loop of docs/design/raft.md,
 * run from one seed: each member ticks every {@link #TICK_INTERVAL_NANOS} of its own clock and
 * steps every message as it arrives; after each input, while the node has a {@code Ready}, the loop
 * <b>stores</b> it (snapshot, then entries and hard state, synced when asked; an I/O error stops
 * the member and nothing of that {@code Ready} is sent), <b>sends</b> its messages, <b>applies</b>
 * the snapshot and the committed entries (answering the clients whose writes they carry) and serves
 * the reads whose read index the state machine has reached, then <b>advances</b>. When the state
 * machine has applied enough entries past the last snapshot, the member compacts its log.
 *
 * <p>Faults are operations on it ({@link #crash}, {@link #restart}, {@link #freeze}, {@link #thaw},
 * {@link #partition}, {@link #cut}, failed syncs) and so are an operator's actions ({@link
 * #proposeConfigChange}, {@link #transferLeadership}, {@link #decommission}); they read as a
 * scenario. After every step the {@link RaftSafetyChecker} judges; an exception from the protocol
 * code, or a violation, ends the run with a {@link SimulationFailure}.
 *
 * <p>A frozen member misses ticks; on thaw it catches up the ticks it missed (at most {@link
 * #TICKS_CAUGHT_UP_MAX}) before it takes the packets that waited, if so built: a server that counts
 * ticks from the monotonic clock does that, and lease reads rely on it.
 *
 * <p>Not thread-safe: everything runs on the simulation's one thread.
 */
public final class RaftCluster {
  /** A tick is this long on the member's own clock. */
  public static final long TICK_INTERVAL_NANOS = 100 * SimTime.MILLISECOND_NANOS;

  /** How often {@link #runUntil} checks its condition. */
  public static final long POLL_INTERVAL_NANOS = 50 * SimTime.MILLISECOND_NANOS;

  /** The most missed ticks a thawed member catches up at once. */
  public static final int TICKS_CAUGHT_UP_MAX = 64;

  /** Hears of members stopping (the chaos restarts members whose sync failed). */
  interface StopListener {
    void onStopped(RaftMember member, MemberStop stop);
  }

  private final Simulation simulation;
  private final SimNetwork<Packet> network;
  private final TreeMap<String, RaftMember> members = new TreeMap<>();
  private final List<String> memberNames;
  private final TreeMap<String, KvClient> clients = new TreeMap<>();
  private final Configuration initialConfiguration;
  private final long segmentBytesMax;
  private final long compactEveryEntries;
  private final boolean catchUpTicksOnThaw;
  private final PlantedBug plantedBug;
  private final RaftSafetyChecker checker;
  private final KvService service;
  private final History history = new History();
  private final List<StopListener> stopListeners = new ArrayList<>();
  private Configuration committedConfiguration;
  private long committedConfigurationIndex;
  private int networkHeals;
  private long snapshotsTaken;
  private long snapshotsInstalled;
  private long configurationsApplied;

  private RaftCluster(Builder builder) {
    this.simulation = new Simulation(builder.seed, builder.trace);
    this.segmentBytesMax = builder.segmentBytesMax;
    this.compactEveryEntries = builder.compactEveryEntries;
    this.catchUpTicksOnThaw = builder.catchUpTicksOnThaw;
    this.plantedBug = builder.plantedBug;
    this.checker = new RaftSafetyChecker(simulation);
    this.service = new KvService(this::send, checker, builder.plantedBug);
    int total = builder.voters + builder.spares;
    long[] voterIds = new long[builder.voters];
    for (int i = 0; i < builder.voters; i++) {
      voterIds[i] = i + 1;
    }
    this.initialConfiguration = Configuration.ofVoters(voterIds);
    this.committedConfiguration = initialConfiguration;
    List<String> names = new ArrayList<>();
    for (long id = 1; id <= total; id++) {
      String name = RaftMember.nameOf(id);
      SimClock clock = builder.clocks.getOrDefault(name, SimClock.exact());
      RaftMember member =
          new RaftMember(
              id,
              id <= builder.voters,
              builder.raftConfig.apply(id),
              clock,
              TICK_INTERVAL_NANOS,
              simulation.rng().fork());
      members.put(name, member);
      names.add(name);
    }
    this.memberNames = List.copyOf(names);
    List<String> networkNames = new ArrayList<>(names);
    for (int id = 1; id <= builder.clients; id++) {
      networkNames.add(KvClient.nameOf(id));
    }
    this.network =
        new SimNetwork<>(
            simulation, networkNames, builder.faults, new Endpoints(), Packet::describe);
    for (int id = 1; id <= builder.clients; id++) {
      KvClient client =
          new KvClient(
              id,
              simulation,
              network::send,
              history,
              builder.workload,
              memberNames,
              simulation.rng().fork());
      clients.put(client.name(), client);
    }
  }

  /** A group to build; by default 3 voters, no spares, default Raft settings, a healthy network. */
  public static Builder builder(long seed) {
    return new Builder(seed);
  }

  /** Settings of a {@link RaftCluster}. */
  public static final class Builder {
    private final long seed;
    private int voters = 3;
    private int spares;
    private int clients;
    private LongFunction<RaftConfig> raftConfig = RaftConfig::defaults;
    private SimNetwork.Faults faults = SimNetwork.Faults.none();
    private Trace trace = new Trace();
    private final TreeMap<String, SimClock> clocks = new TreeMap<>();
    private long segmentBytesMax = 64 << 10;
    private long compactEveryEntries;
    private boolean catchUpTicksOnThaw = true;
    private Workload workload = Workload.defaults();
    private PlantedBug plantedBug = PlantedBug.NONE;

    private Builder(long seed) {
      this.seed = seed;
    }

    /** Founding voters n1 to n{@code count}. */
    public Builder voters(int count) {
      if (count < 1 || count > 9) {
        throw new IllegalArgumentException("voters must be in [1, 9], was " + count);
      }
      this.voters = count;
      return this;
    }

    /** Members after the voters that start empty and wait to be added. */
    public Builder spares(int count) {
      if (count < 0 || count > 6) {
        throw new IllegalArgumentException("spares must be in [0, 6], was " + count);
      }
      this.spares = count;
      return this;
    }

    /** Clients c1 to c{@code count}, running {@code clientWorkload}. */
    public Builder clients(int count, Workload clientWorkload) {
      if (count < 0 || count > RaftPlan.CLIENTS_MAX) {
        throw new IllegalArgumentException(
            "clients must be in [0, " + RaftPlan.CLIENTS_MAX + "], was " + count);
      }
      this.clients = count;
      this.workload = Objects.requireNonNull(clientWorkload, "clientWorkload");
      return this;
    }

    /** The Raft settings of member {@code id}. */
    public Builder raftConfig(LongFunction<RaftConfig> configOfMember) {
      this.raftConfig = Objects.requireNonNull(configOfMember, "configOfMember");
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

    public Builder clock(String name, SimClock clock) {
      clocks.put(name, Objects.requireNonNull(clock, "clock"));
      return this;
    }

    public Builder segmentBytesMax(long bytes) {
      this.segmentBytesMax = bytes;
      return this;
    }

    /** Compacts a member's log once its state machine is this many entries past its snapshot. */
    public Builder compactEveryEntries(long entries) {
      if (entries < 0) {
        throw new IllegalArgumentException("compactEveryEntries must be >= 0, was " + entries);
      }
      this.compactEveryEntries = entries;
      return this;
    }

    public Builder catchUpTicksOnThaw(boolean catchUp) {
      this.catchUpTicksOnThaw = catchUp;
      return this;
    }

    /** Plants a caller's mistake, for tests that show the checkers catch it. */
    public Builder plant(PlantedBug bug) {
      this.plantedBug = Objects.requireNonNull(bug, "bug");
      return this;
    }

    public RaftCluster build() {
      return new RaftCluster(this);
    }
  }

  // --- queries ---

  public Simulation simulation() {
    return simulation;
  }

  public SimNetwork<Packet> network() {
    return network;
  }

  public long nowNanos() {
    return simulation.nowNanos();
  }

  /** The member names, n1 first. */
  public List<String> memberNames() {
    return memberNames;
  }

  public RaftMember member(String name) {
    RaftMember member = members.get(name);
    if (member == null) {
      throw new IllegalArgumentException("no member named " + name + " in " + memberNames);
    }
    return member;
  }

  public Collection<RaftMember> members() {
    return Collections.unmodifiableCollection(members.values());
  }

  public Collection<KvClient> clients() {
    return Collections.unmodifiableCollection(clients.values());
  }

  public History history() {
    return history;
  }

  RaftSafetyChecker checker() {
    return checker;
  }

  /** What the per-step checkers found (a violation also ends the run with an exception). */
  public List<io.ringkv.sim.Violation> violations() {
    return checker.violations();
  }

  /** Judges the clients' history so far (writes still waiting count as indeterminate). */
  public LinearizabilityChecker.Result checkLinearizability() {
    return LinearizabilityChecker.check(history.operations());
  }

  /** The configuration of the highest committed configuration entry (or snapshot) applied. */
  public Configuration committedConfiguration() {
    return committedConfiguration;
  }

  /**
   * The running leader of the highest term, if any (an old leader cut off may still think it leads
   * a lower term).
   */
  public Optional<RaftMember> leader() {
    RaftMember best = null;
    for (RaftMember member : members.values()) {
      if (member.isRunning()
          && member.isLeader()
          && (best == null || member.process.raft().term() > best.process.raft().term())) {
        best = member;
      }
    }
    return Optional.ofNullable(best);
  }

  public long snapshotsTaken() {
    return snapshotsTaken;
  }

  public long snapshotsInstalled() {
    return snapshotsInstalled;
  }

  public long configurationsApplied() {
    return configurationsApplied;
  }

  public long readsServed() {
    return service.readsServed();
  }

  public long writesAnswered() {
    return service.writesAnswered();
  }

  void addStopListener(StopListener listener) {
    stopListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  // --- running ---

  public RaftCluster runFor(long durationNanos) {
    simulation.runFor(durationNanos);
    return this;
  }

  /**
   * Runs until {@code done} holds (checked every {@link #POLL_INTERVAL_NANOS}), at most this long.
   */
  public boolean runUntil(BooleanSupplier done, long withinNanos) {
    return simulation.runUntil(done, nowNanos() + withinNanos, POLL_INTERVAL_NANOS);
  }

  // --- life cycle ---

  /** Starts every member that never ran: founders bootstrap, spares wait to be added. */
  public RaftCluster startMembers() {
    for (RaftMember member : members.values()) {
      if (member.state() == RaftMember.State.NOT_STARTED) {
        startProcess(member);
      }
    }
    return this;
  }

  /** Clients start invoking operations. */
  public RaftCluster startClients() {
    for (KvClient client : clients.values()) {
      client.startInvoking();
    }
    return this;
  }

  /** Clients invoke no new operations (those in progress go on). */
  public RaftCluster stopClients() {
    for (KvClient client : clients.values()) {
      client.stopInvoking();
    }
    return this;
  }

  /** Restarts a crashed member from what its disk kept. */
  public RaftCluster restart(String name) {
    RaftMember member = member(name);
    if (member.state() != RaftMember.State.CRASHED) {
      throw new IllegalStateException("cannot restart " + name + ": it is " + member.state());
    }
    startProcess(member);
    return this;
  }

  /** Kills {@code name}'s process (the page cache survives). */
  public RaftCluster crash(String name) {
    return crash(name, MemberStop.PROCESS_KILL);
  }

  /** Stops {@code name}'s process by a kill or a power loss. */
  public RaftCluster crash(String name, MemberStop kind) {
    if (kind != MemberStop.PROCESS_KILL && kind != MemberStop.POWER_LOSS) {
      throw new IllegalArgumentException(kind + " is not a crash");
    }
    RaftMember member = member(name);
    if (member.state() != RaftMember.State.RUNNING && member.state() != RaftMember.State.FROZEN) {
      throw new IllegalStateException("cannot crash " + name + ": it is " + member.state());
    }
    stop(member, kind);
    return this;
  }

  /** Pauses {@code name}: no ticks, arriving packets wait, until {@link #thaw}. */
  public RaftCluster freeze(String name) {
    RaftMember member = member(name);
    if (member.state() != RaftMember.State.RUNNING) {
      throw new IllegalStateException("cannot freeze " + name + ": it is " + member.state());
    }
    stop(member, MemberStop.FREEZE);
    return this;
  }

  /** Resumes a frozen member: missed ticks first (if so built), then the packets that waited. */
  public RaftCluster thaw(String name) {
    RaftMember member = member(name);
    if (member.state() != RaftMember.State.FROZEN) {
      throw new IllegalStateException("cannot thaw " + name + ": it is " + member.state());
    }
    member.state = RaftMember.State.RUNNING;
    long missed = member.ticksMissed;
    member.ticksMissed = 0;
    simulation.trace(
        name + " thaw, " + missed + " ticks missed, " + member.held.size() + " packets waiting");
    int incarnation = member.incarnation;
    if (catchUpTicksOnThaw) {
      for (long i = 0; i < Math.min(missed, TICKS_CAUGHT_UP_MAX); i++) {
        if (member.incarnation != incarnation || !member.isRunning()) {
          return this;
        }
        tickOnce(member);
      }
    }
    while (!member.held.isEmpty() && member.isRunning() && member.incarnation == incarnation) {
      RaftMember.HeldPacket held = member.held.removeFirst();
      network.deliveredLate();
      deliver(member, held.from(), held.packet());
    }
    return this;
  }

  /** Makes {@code name}'s next fsync fail: its next store stops it. */
  public RaftCluster failNextSync(String name) {
    member(name).disk().failNextSyncs(1);
    member(name).syncFailureArmed = true;
    simulation.trace(name + " next fsync will fail");
    return this;
  }

  /** Disarms every fsync failure armed and not yet struck. */
  public RaftCluster disarmSyncFailures() {
    for (RaftMember member : members.values()) {
      member.disk().failNextSyncs(0);
      member.syncFailureArmed = false;
    }
    return this;
  }

  /** Retires {@code name} for good (after its removal from the group): it never comes back. */
  public RaftCluster decommission(String name) {
    RaftMember member = member(name);
    if (member.state() == RaftMember.State.DECOMMISSIONED) {
      return this;
    }
    stop(member, MemberStop.DECOMMISSION);
    return this;
  }

  // --- the operator ---

  /** Proposes {@code change} at the current leader; the answer, or empty if there is no leader. */
  public Optional<Submission> proposeConfigChange(ConfigChange change) {
    Optional<RaftMember> leader = leader();
    if (leader.isEmpty()) {
      return Optional.empty();
    }
    RaftMember member = leader.get();
    Submission submission =
        call(
            member, "proposeConfigChange", () -> member.process.raft().proposeConfigChange(change));
    simulation.trace(member.name() + " operator " + change + ": " + submission);
    drain(member);
    return Optional.of(submission);
  }

  /** Asks the current leader to hand leadership to {@code target}. */
  public Optional<Submission> transferLeadership(long target) {
    Optional<RaftMember> leader = leader();
    if (leader.isEmpty()) {
      return Optional.empty();
    }
    RaftMember member = leader.get();
    Submission submission =
        call(member, "transferLeadership", () -> member.process.raft().transferLeadership(target));
    simulation.trace(member.name() + " operator transfer to n" + target + ": " + submission);
    drain(member);
    return Optional.of(submission);
  }

  // --- the network ---

  /** One side of a partition: {@code partition("n1").from("n2", "n3")}. */
  public Side partition(String... side) {
    return new Side(List.of(side));
  }

  /** A one-way cut: {@code cut("n1").to("n2")} loses what n1 sends n2. */
  public OneWay cut(String from) {
    return new OneWay(from);
  }

  /** Restores every link and every link's loss; earlier {@link Cuts} become no-ops. */
  public RaftCluster healNetwork() {
    networkHeals++;
    network.healAll();
    simulation.trace("network healed");
    return this;
  }

  /** The first half of {@link #partition}. */
  public final class Side {
    private final List<String> side;

    private Side(List<String> side) {
      this.side = side;
    }

    /** Cuts every link between this side and {@code others}, both ways. */
    public Cuts from(String... others) {
      List<String[]> links = new ArrayList<>();
      for (String a : side) {
        for (String b : others) {
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
      for (String[] link : links) {
        network.restore(link[0], link[1]);
      }
      simulation.trace("restore " + links.size() + " links");
    }
  }

  // --- the member loop ---

  private void startProcess(RaftMember member) {
    boolean bootstrap = member.isFounder() && member.starts == 0;
    DurableLog log;
    try {
      log = DurableLog.open(member.logFiles(), segmentBytesMax);
    } catch (IOException e) {
      if (!member.syncFailureArmed) {
        checker.fail("durability", member.name() + " cannot open its Raft log: " + e);
      }
      // The fsync failure armed for its next store struck while recovering: the start fails, as
      // a server's would; the process is gone again and may be restarted later.
      member.syncFailureArmed = false;
      member.stored.markUncertain();
      member.state = RaftMember.State.CRASHED;
      simulation.trace(member.name() + " start failed: " + e.getMessage());
      stop(member, MemberStop.FAILED_SYNC);
      return;
    }
    PersistentState recovered = log.state();
    KvStateMachine machine =
        call(
            member,
            "restore",
            () ->
                KvStateMachine.restore(recovered.snapshot().index(), recovered.snapshot().data()));
    if (member.stored.uncertain()) {
      member.stored.reset(recovered);
    } else {
      checker.onRecovered(member, recovered, machine.chainHash());
    }
    PersistentState restored = recovered;
    if (plantedBug == PlantedBug.FORGET_VOTE_ON_RESTART && recovered.hardState().vote() != 0) {
      HardState forgotten =
          new HardState(recovered.hardState().term(), 0, recovered.hardState().commit());
      try {
        log.save(List.of(), forgotten, true);
      } catch (IOException e) {
        checker.fail("durability", member.name() + " cannot store its hard state: " + e);
      }
      member.stored.save(List.of(), forgotten, true);
      restored =
          new PersistentState(
              forgotten, recovered.snapshot(), recovered.entries(), recovered.applied());
    }
    PersistentState restartState = restored;
    RaftNode raft =
        call(
            member,
            "start",
            () ->
                bootstrap
                    ? RaftNode.bootstrap(member.config(), initialConfiguration, member.rng().fork())
                    : RaftNode.restart(member.config(), restartState, member.rng().fork()));
    member.incarnation++;
    member.starts++;
    member.process = new MemberProcess(raft, log, machine, member.incarnation);
    member.state = RaftMember.State.RUNNING;
    member.held.clear();
    simulation.trace(
        member.name()
            + (bootstrap
                ? " bootstrap " + initialConfiguration
                : member.starts > 1 ? " restart" : " start")
            + " term "
            + recovered.hardState().term()
            + " vote "
            + recovered.hardState().vote()
            + " log "
            + recovered.snapshot().index()
            + "+"
            + recovered.entries().size()
            + (log.recoveredBytesDropped() > 0
                ? " torn " + log.recoveredBytesDropped() + "B"
                : ""));
    drain(member);
    int incarnation = member.incarnation;
    simulation.after(
        1 + member.rng().nextLong(member.tickIntervalNanos()), () -> tick(member, incarnation));
  }

  private void tick(RaftMember member, int incarnation) {
    if (member.incarnation != incarnation || member.process == null) {
      return;
    }
    simulation.after(member.tickIntervalNanos(), () -> tick(member, incarnation));
    if (member.state() == RaftMember.State.FROZEN) {
      member.ticksMissed++;
      return;
    }
    tickOnce(member);
  }

  private void tickOnce(RaftMember member) {
    MemberProcess process = member.process;
    call(member, "tick", () -> process.raft().tick());
    drain(member);
  }

  private void stop(RaftMember member, MemberStop kind) {
    member.lastStop = kind;
    if (kind.endsProcess()) {
      if (member.process != null) {
        try {
          member.process.log().close();
        } catch (IOException e) {
          // The process is gone; its handles go with it.
        }
      }
      member.process = null;
      member.held.clear();
      member.ticksMissed = 0;
      member.state =
          kind == MemberStop.DECOMMISSION
              ? RaftMember.State.DECOMMISSIONED
              : RaftMember.State.CRASHED;
      member.incarnation++;
      member.crashes += kind == MemberStop.DECOMMISSION ? 0 : 1;
      if (kind == MemberStop.POWER_LOSS) {
        member.disk().powerLoss(member.rng());
        if (plantedBug == PlantedBug.LOSE_SYNCED_WRITES) {
          loseSyncedWrites(member);
        }
      }
    } else {
      member.state = RaftMember.State.FROZEN;
      member.freezes++;
    }
    simulation.trace(member.name() + " stop " + kind);
    for (StopListener listener : stopListeners) {
      listener.onStopped(member, kind);
    }
  }

  /** The planted lying disk: cuts the newest segment's tail, synced bytes included. */
  private void loseSyncedWrites(RaftMember member) {
    try {
      List<java.nio.file.Path> files = member.disk().list(RaftMember.LOG_DIRECTORY);
      java.nio.file.Path newest = null;
      for (java.nio.file.Path file : files) {
        if (file.getFileName().toString().startsWith("segment-")) {
          newest = file;
        }
      }
      if (newest != null) {
        long length = member.disk().size(newest);
        long cut = 1 + member.rng().nextLong(Math.min(length, 200));
        member.disk().truncateRaw(newest, length - cut);
        member.stored.markUncertain();
        simulation.trace(member.name() + " disk lies: " + cut + " synced bytes lost");
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void deliver(RaftMember member, String from, Packet packet) {
    switch (packet) {
      case RaftPacket raftPacket -> {
        MemberProcess process = member.process;
        call(member, "step", () -> process.raft().step(raftPacket.message()));
        drain(member);
      }
      case ClientRequest request -> {
        service.onRequest(member, from, request);
        drain(member);
      }
      case ClientReply reply -> {
        // Members do not take replies.
      }
    }
  }

  private void send(String from, String to, Packet packet) {
    network.send(from, to, packet);
  }

  /** The caller's loop after each input: store, send, apply, advance; then maybe compact. */
  private void drain(RaftMember member) {
    MemberProcess process = member.process;
    while (process != null
        && member.process == process
        && member.isRunning()
        && process.raft().hasReady()) {
      Ready ready = call(member, "ready", process.raft()::ready);
      // 1. Store.
      try {
        if (ready.snapshot().isPresent()) {
          process.log().saveSnapshot(ready.snapshot().get());
          member.stored.saveSnapshot(ready.snapshot().get());
        }
        if (!ready.entries().isEmpty() || ready.hardState().isPresent()) {
          boolean sync = ready.mustSync() && plantedBug != PlantedBug.STORE_WITHOUT_SYNC;
          process.log().save(ready.entries(), ready.hardState().orElse(null), sync);
          member.stored.save(ready.entries(), ready.hardState().orElse(null), ready.mustSync());
        } else if (ready.mustSync() && plantedBug != PlantedBug.STORE_WITHOUT_SYNC) {
          process.log().sync();
        }
      } catch (IOException e) {
        member.syncFailureArmed = false;
        member.stored.markUncertain();
        simulation.trace(member.name() + " store failed: " + e.getMessage());
        stop(member, MemberStop.FAILED_SYNC);
        return; // nothing of this Ready leaves: it was not stored
      }
      checker.onStored(member, ready);
      ready
          .softState()
          .ifPresent(
              soft ->
                  simulation.trace(
                      member.name()
                          + " "
                          + soft.role()
                          + " t"
                          + process.raft().term()
                          + " leader "
                          + soft.leader()));
      // 2. Send.
      for (Message message : ready.messages()) {
        send(member.name(), RaftMember.nameOf(message.to()), new RaftPacket(message));
      }
      // 3. Apply, then serve reads.
      ready.snapshot().ifPresent(snapshot -> installSnapshot(member, process, snapshot));
      for (Entry entry : ready.committedEntries()) {
        service.apply(member, process, entry);
        if (entry.type() == EntryType.CONFIGURATION) {
          configurationsApplied++;
          noteConfiguration(entry.index(), Configuration.decode(entry.data()));
        }
      }
      service.takeReadStates(process, ready.readStates());
      service.serveReads(member, process);
      // 4. Advance.
      call(member, "advance", () -> process.raft().advance(ready));
      checker.onAdvanced(member);
    }
    if (process != null && member.process == process && member.isRunning()) {
      maybeCompact(member, process);
    }
  }

  private void installSnapshot(RaftMember member, MemberProcess process, Snapshot snapshot) {
    simulation.trace(
        member.name() + " installs snapshot " + snapshot.term() + "/" + snapshot.index());
    service.install(member, process, snapshot);
    snapshotsInstalled++;
    noteConfiguration(snapshot.index(), snapshot.configuration());
  }

  private void noteConfiguration(long index, Configuration configuration) {
    if (index > committedConfigurationIndex) {
      committedConfigurationIndex = index;
      committedConfiguration = configuration;
    }
  }

  private void maybeCompact(RaftMember member, MemberProcess process) {
    long applied = process.machine.appliedIndex();
    if (compactEveryEntries == 0
        || applied - process.raft().snapshot().index() < compactEveryEntries
        || process.raft().hasReady()) {
      return;
    }
    byte[] state = process.machine.snapshot();
    Snapshot snapshot = call(member, "compact", () -> process.raft().compact(applied, state));
    try {
      process.log().saveSnapshot(snapshot);
    } catch (IOException e) {
      member.syncFailureArmed = false;
      member.stored.markUncertain();
      simulation.trace(member.name() + " snapshot store failed: " + e.getMessage());
      stop(member, MemberStop.FAILED_SYNC);
      return;
    }
    member.stored.saveSnapshot(snapshot);
    snapshotsTaken++;
    simulation.trace(member.name() + " compacts to " + snapshot.term() + "/" + snapshot.index());
    checker.onSnapshotTaken(
        member, snapshot, process.machine.chainHash(), process.machine.contentDigest());
  }

  private <T> T call(RaftMember member, String what, Supplier<T> action) {
    return checker.guard(member, what, action);
  }

  private void call(RaftMember member, String what, Runnable action) {
    checker.guard(member, what, action);
  }

  /** The network's side of members and clients. */
  private final class Endpoints implements SimNetwork.Endpoints<Packet> {
    @Override
    public SimNetwork.Arrival arrive(String from, String to, Packet packet) {
      KvClient client = clients.get(to);
      if (client != null) {
        if (packet instanceof ClientReply reply) {
          client.onReply(reply);
        }
        return SimNetwork.Arrival.DELIVERED;
      }
      RaftMember member = member(to);
      return switch (member.state()) {
        case NOT_STARTED -> SimNetwork.Arrival.REFUSED;
        case CRASHED ->
            member.lastStop == MemberStop.POWER_LOSS
                ? SimNetwork.Arrival.LOST
                : SimNetwork.Arrival.REFUSED;
        case DECOMMISSIONED -> SimNetwork.Arrival.LOST;
        case FROZEN -> {
          if (member.held.size() >= RaftMember.HELD_PACKETS_MAX) {
            yield SimNetwork.Arrival.LOST;
          }
          member.held.addLast(new RaftMember.HeldPacket(from, packet));
          yield SimNetwork.Arrival.HELD;
        }
        case RUNNING -> {
          deliver(member, from, packet);
          yield SimNetwork.Arrival.DELIVERED;
        }
      };
    }

    @Override
    public void refused(String sender, String destination, long attemptNanos) {
      KvClient client = clients.get(sender);
      if (client != null) {
        client.onRefused(destination);
        return;
      }
      RaftMember member = member(sender);
      if (!member.isRunning() || clients.containsKey(destination)) {
        return;
      }
      MemberProcess process = member.process;
      long unreachable = member(destination).id();
      call(member, "reportUnreachable", () -> process.raft().reportUnreachable(unreachable));
      drain(member);
    }
  }
}
