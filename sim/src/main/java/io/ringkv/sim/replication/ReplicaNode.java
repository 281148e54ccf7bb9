package io.ringkv.sim.replication;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.common.Rng;
import io.ringkv.sim.SimClock;
import io.ringkv.sim.membership.StopKind;
import io.ringkv.storage.fs.FaultInjectingFileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * One simulated replicating node: what outlives its processes (its name, its clocks, its disk with
 * the storage engine's data and the hint log, its random stream, its counters) and, while a process
 * runs, that process ({@link NodeProcess}: the coordinator, the replica, the failure detector, the
 * hybrid logical clock). A crash drops the process; a restart builds a new one on what the disk
 * kept. {@link ReplicatedCluster} drives it; checkers and tests read it.
 *
 * <p>Two clocks: {@link #clock()} is the monotonic clock its protocol code reads as {@code
 * nowNanos} (offset, drift and jumps as in the membership simulation), {@link #wallClock()} the
 * wall clock its HLC and hint windows read (epoch milliseconds, skewed within the bound, stepped
 * now and then).
 *
 * <p>Bounds: a frozen node holds at most {@link #HELD_MESSAGES_MAX} arriving messages (its socket
 * buffers); more are lost. Timers that come due while it is frozen wait too (they are bounded by
 * the node's own coordinations), and run in order on thaw.
 *
 * <p>Not thread-safe: owned by the simulation's one thread.
 */
public final class ReplicaNode {
  /** Messages a frozen node's sockets hold until it resumes. */
  public static final int HELD_MESSAGES_MAX = 4_096;

  /** Where the node keeps its hints on its own simulated disk. */
  static final Path HINTS_DIRECTORY = Path.of("/ringkv/data/hints");

  /** Where the node is in its life. */
  public enum State {
    NOT_STARTED,
    RUNNING,
    FROZEN,
    CRASHED
  }

  private final String name;
  private final NodeId id;
  private final SimClock clock;
  private final SimClock wallClock;
  private final Rng rng;
  private final FaultInjectingFileSystem fileSystem = new FaultInjectingFileSystem();
  private final SimStorageEngine engine;

  /** Messages and timers that arrived while frozen, in order; taken on thaw. */
  final ArrayDeque<Runnable> held = new ArrayDeque<>();

  int heldMessages;

  // Kept up to date by ReplicatedCluster, which drives the node.
  NodeProcess process;
  State state = State.NOT_STARTED;
  StopKind lastStop;
  int incarnation;
  int starts;
  int crashes;
  int freezes;
  long startedAtNanos = Long.MIN_VALUE;

  ReplicaNode(String name, SimClock clock, SimClock wallClock, Rng rng) {
    this.name = Objects.requireNonNull(name, "name");
    this.id = NodeId.of(name);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
    this.rng = Objects.requireNonNull(rng, "rng");
    this.engine = new SimStorageEngine(this::wallMillisNow);
    try {
      fileSystem.createDirectories(HINTS_DIRECTORY);
      fileSystem.syncDirectory(HINTS_DIRECTORY.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("the in-memory file system refused a directory", e);
    }
  }

  /** Set by the cluster: the simulation's true time, for {@link #wallMillisNow}. */
  private LongSupplier trueNanos = () -> 0;

  void bindTime(LongSupplier trueNanosSource) {
    this.trueNanos = trueNanosSource;
  }

  public String name() {
    return name;
  }

  public NodeId id() {
    return id;
  }

  /** The monotonic clock the protocol code reads. */
  public SimClock clock() {
    return clock;
  }

  /** The wall clock, in nanoseconds since the epoch. */
  public SimClock wallClock() {
    return wallClock;
  }

  /** The node's monotonic time now. */
  public long localNanos() {
    return clock.nowNanos(trueNanos.getAsLong());
  }

  /** The node's wall clock now, epoch milliseconds. */
  public long wallMillisNow() {
    return Math.floorDiv(wallClock.nowNanos(trueNanos.getAsLong()), 1_000_000L);
  }

  public State state() {
    return state;
  }

  /** True if its process runs and is not paused. */
  public boolean isRunning() {
    return state == State.RUNNING;
  }

  /** The running (or frozen) process, if there is one. */
  public Optional<NodeProcess> process() {
    return Optional.ofNullable(process);
  }

  /** The storage engine on the node's disk: what it holds survives its processes. */
  public SimStorageEngine engine() {
    return engine;
  }

  public FaultInjectingFileSystem fileSystem() {
    return fileSystem;
  }

  /** How the node last stopped, if it ever did. */
  public Optional<StopKind> lastStop() {
    return Optional.ofNullable(lastStop);
  }

  /** Bumped on every start and stop, so that actions scheduled for an old process are dropped. */
  public int incarnation() {
    return incarnation;
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

  /** When the current process started, in true time. */
  public long startedAtNanos() {
    return startedAtNanos;
  }

  /** Hint bytes this node's running process holds for others, not yet delivered (0 if none). */
  public long pendingHintBytes() {
    return process == null ? 0 : process.hints().stats().pendingBytes();
  }

  Rng rng() {
    return rng;
  }
}
