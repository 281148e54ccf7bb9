package io.ringkv.sim.raft;

import io.ringkv.common.Rng;
import io.ringkv.raft.RaftConfig;
import io.ringkv.raft.Role;
import io.ringkv.sim.SimClock;
import io.ringkv.sim.SimTime;
import io.ringkv.storage.fs.FaultInjectingFileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;

/**
 * One simulated machine of the Raft group: its id and settings, its clock (whose rate sets how
 * often it ticks), its own disk (a {@link FaultInjectingFileSystem} holding its Raft log), its
 * random stream and, while its process runs, the {@link MemberProcess} (the process's memory: the
 * Raft node, the open log, the state machine, requests in progress). A crash drops the process; a
 * restart builds a new one from what the disk kept. {@link RaftCluster} drives it.
 *
 * <p>Bounds: a frozen member's sockets hold at most {@link #HELD_PACKETS_MAX} arriving packets;
 * more are lost.
 *
 * <p>Not thread-safe: owned by the simulation's one thread.
 */
public final class RaftMember {
  /** Packets a frozen member's sockets hold until it resumes. */
  public static final int HELD_PACKETS_MAX = 4_096;

  /** Where the Raft log lives on the member's disk. */
  static final Path LOG_DIRECTORY = Path.of("/ringkv/raft");

  /** Where the member is in its life. */
  public enum State {
    NOT_STARTED,
    RUNNING,
    FROZEN,
    CRASHED,
    DECOMMISSIONED
  }

  /** A packet that arrived while the member was frozen. */
  record HeldPacket(String from, Packet packet) {}

  private final String name;
  private final long id;
  private final boolean founder;
  private final RaftConfig config;
  private final SimClock clock;
  private final long tickIntervalNanos;
  private final Rng rng;
  private final FaultInjectingFileSystem disk = new FaultInjectingFileSystem();
  private final SimLogFiles logFiles;
  final StoredLogModel stored = new StoredLogModel();
  final ArrayDeque<HeldPacket> held = new ArrayDeque<>();

  // Kept up to date by RaftCluster.
  MemberProcess process;
  State state = State.NOT_STARTED;
  MemberStop lastStop;
  int incarnation;
  int starts;
  int crashes;
  int freezes;
  long ticksMissed;

  /** An fsync failure was armed on its disk and has not struck yet. */
  boolean syncFailureArmed;

  RaftMember(
      long id,
      boolean founder,
      RaftConfig config,
      SimClock clock,
      long tickIntervalNanos,
      Rng rng) {
    this.id = id;
    this.name = nameOf(id);
    this.founder = founder;
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.rng = Objects.requireNonNull(rng, "rng");
    // The member ticks every tickIntervalNanos of its own clock: a fast clock ticks more often.
    this.tickIntervalNanos =
        Math.max(1, Math.round(tickIntervalNanos / (1 + clock.driftPpm() / 1e6)));
    try {
      this.logFiles = new SimLogFiles(disk, LOG_DIRECTORY);
    } catch (IOException e) {
      throw new UncheckedIOException("the in-memory file system refused a directory", e);
    }
  }

  /** The network name of member {@code id}. */
  public static String nameOf(long id) {
    return "n" + id;
  }

  public String name() {
    return name;
  }

  public long id() {
    return id;
  }

  /** Whether it founded the group (bootstrapped with the first configuration) or waits to join. */
  public boolean isFounder() {
    return founder;
  }

  public RaftConfig config() {
    return config;
  }

  public SimClock clock() {
    return clock;
  }

  /** Its tick interval in true time, from its clock's drift. */
  public long tickIntervalNanos() {
    return tickIntervalNanos;
  }

  public State state() {
    return state;
  }

  public boolean isRunning() {
    return state == State.RUNNING;
  }

  /** The process, running or frozen. */
  public Optional<MemberProcess> process() {
    return Optional.ofNullable(process);
  }

  /** The role of its running or frozen process, or empty. */
  public Optional<Role> role() {
    return process == null ? Optional.empty() : Optional.of(process.raft().role());
  }

  public boolean isLeader() {
    return process != null && process.raft().role() == Role.LEADER;
  }

  public Optional<MemberStop> lastStop() {
    return Optional.ofNullable(lastStop);
  }

  public int crashes() {
    return crashes;
  }

  public int freezes() {
    return freezes;
  }

  public int starts() {
    return starts;
  }

  public FaultInjectingFileSystem disk() {
    return disk;
  }

  SimLogFiles logFiles() {
    return logFiles;
  }

  Rng rng() {
    return rng;
  }

  @Override
  public String toString() {
    return name
        + " "
        + state
        + (process == null ? "" : " " + process.describe())
        + " stored "
        + stored.term()
        + "/"
        + stored.lastIndex()
        + " tick "
        + SimTime.formatShort(tickIntervalNanos);
  }
}
