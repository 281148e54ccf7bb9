package io.ringkv.sim.membership;

import io.ringkv.cluster.membership.ApplicationState;
import io.ringkv.cluster.membership.ClusterMembership;
import io.ringkv.cluster.membership.GossipMessage;
import io.ringkv.cluster.membership.GossipStateFile;
import io.ringkv.cluster.membership.GossipStats;
import io.ringkv.cluster.membership.MemberValues;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.ring.Token;
import io.ringkv.common.Rng;
import io.ringkv.sim.SimClock;
import io.ringkv.storage.fs.FaultInjectingFileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One simulated ringkv node as far as membership goes: its configuration, its disk (a {@link
 * FaultInjectingFileSystem} holding its {@link GossipStateFile}), its clock, its random stream,
 * and, while its process runs, its {@link ClusterMembership}. A crash drops the membership object
 * (the process's memory); a restart builds a new one from what the disk kept. {@link SimCluster}
 * drives it; checkers and tests read it.
 *
 * <p>Bounds: a frozen node holds at most {@link #HELD_MESSAGES_MAX} arriving messages (its socket
 * buffers); more are lost.
 *
 * <p>Not thread-safe: owned by the simulation's one thread.
 */
public final class SimNode {
  /** Messages a frozen node's sockets hold until it resumes. */
  public static final int HELD_MESSAGES_MAX = 4_096;

  /** Where the node keeps its files on its own simulated disk. */
  static final Path DATA_DIRECTORY = Path.of("/ringkv/data");

  /** Where the node is in its life. */
  public enum State {
    NOT_STARTED,
    RUNNING,
    FROZEN,
    CRASHED
  }

  private final String name;
  private final Member configured;
  private final boolean seed;
  private final SimClock clock;
  private final Rng rng;
  private final FaultInjectingFileSystem fileSystem = new FaultInjectingFileSystem();
  private final GossipStateFile stateFile;
  final ArrayDeque<GossipMessage> held = new ArrayDeque<>();

  // Kept up to date by SimCluster, which drives the node.
  ClusterMembership membership;
  State state = State.NOT_STARTED;
  StopKind lastStop;
  int incarnation;
  long startedAtNanos = Long.MIN_VALUE;
  int starts;
  int crashes;
  int freezes;

  /** The generation of the current or last process. */
  long lastGeneration;

  /** The highest generation ever stored, and the tokens in the last state stored. */
  long generationStored;

  List<Token> tokensStored = List.of();

  // What ended processes counted, so that a run's figures cover every process.
  private long endedProcessRechosen;
  private GossipStats endedProcessStats = NO_STATS;

  SimNode(String name, Member configured, boolean seed, SimClock clock, Rng rng) {
    this.name = Objects.requireNonNull(name, "name");
    this.configured = Objects.requireNonNull(configured, "configured");
    this.seed = seed;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.rng = Objects.requireNonNull(rng, "rng");
    try {
      fileSystem.createDirectories(DATA_DIRECTORY);
    } catch (IOException e) {
      throw new UncheckedIOException("the in-memory file system refused a directory", e);
    }
    this.stateFile = new GossipStateFile(fileSystem, DATA_DIRECTORY);
  }

  public String name() {
    return name;
  }

  /** The node as configured (id, address, datacenter, rack, weight). */
  public Member configured() {
    return configured;
  }

  public boolean isSeed() {
    return seed;
  }

  public SimClock clock() {
    return clock;
  }

  public State state() {
    return state;
  }

  /** True if its process runs and is not paused. */
  public boolean isRunning() {
    return state == State.RUNNING;
  }

  /** The membership of the running (or frozen) process, if there is one. */
  public Optional<ClusterMembership> membership() {
    return Optional.ofNullable(membership);
  }

  /** The generation of the current (or last) process, 0 if it never started. */
  public long generation() {
    return membership == null ? lastGeneration : membership.gossip().generation();
  }

  /**
   * The highest generation the node ever stored durably (0 if none): the only generations others
   * may have heard of, since a node sends nothing under a generation it has not stored.
   */
  public long generationStored() {
    return generationStored;
  }

  /** How the node last stopped, if it ever did. */
  public Optional<StopKind> lastStop() {
    return Optional.ofNullable(lastStop);
  }

  /** Bumped on every start and stop, so that actions scheduled for an old process are dropped. */
  public int incarnation() {
    return incarnation;
  }

  /** When the current process started, in true time. */
  public long startedAtNanos() {
    return startedAtNanos;
  }

  public int starts() {
    return starts;
  }

  public int crashes() {
    return crashes;
  }

  public int freezes() {
    return freezes;
  }

  public FaultInjectingFileSystem fileSystem() {
    return fileSystem;
  }

  public GossipStateFile stateFile() {
    return stateFile;
  }

  /** The tokens in the last gossip state the node stored (none if it had not joined). */
  public List<Token> tokensStored() {
    return tokensStored;
  }

  /** How many times its processes chose new tokens after a clash, the current one included. */
  public long tokensRechosen() {
    return endedProcessRechosen + (membership == null ? 0 : membership.tokensRechosen());
  }

  /** Its gossip counters, summed over every process it ran, the current one included. */
  public GossipStats gossipStats() {
    GossipStats current = membership == null ? null : membership.gossip().stats();
    return current == null ? endedProcessStats : sum(endedProcessStats, current);
  }

  Rng rng() {
    return rng;
  }

  /** Called as its process ends: keeps what outlives it. */
  void processEnded() {
    lastGeneration = membership.gossip().generation();
    endedProcessStats = sum(endedProcessStats, membership.gossip().stats());
    endedProcessRechosen += membership.tokensRechosen();
  }

  /** The tokens {@code membership}'s node announces for itself. */
  static List<Token> ownTokens(ClusterMembership membership) {
    return membership
        .gossip()
        .localState()
        .value(ApplicationState.TOKENS)
        .map(MemberValues::decodeTokens)
        .orElse(List.of());
  }

  /** All counters zero. */
  static final GossipStats NO_STATS = new GossipStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** {@code a} and {@code b} added counter by counter. */
  static GossipStats sum(GossipStats a, GossipStats b) {
    return new GossipStats(
        a.synsSent() + b.synsSent(),
        a.acksSent() + b.acksSent(),
        a.ack2sSent() + b.ack2sSent(),
        a.messagesReceived() + b.messagesReceived(),
        a.messagesDropped() + b.messagesDropped(),
        a.digestsOmitted() + b.digestsOmitted(),
        a.deltasOmitted() + b.deltasOmitted(),
        a.deltasOutOfSequence() + b.deltasOutOfSequence(),
        a.endpointsRejected() + b.endpointsRejected(),
        a.statesRejected() + b.statesRejected(),
        a.clusterNameMismatches() + b.clusterNameMismatches(),
        a.misdirectedMessages() + b.misdirectedMessages(),
        a.selfConflicts() + b.selfConflicts(),
        a.localPauses() + b.localPauses());
  }
}
