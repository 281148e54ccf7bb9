package io.ringkv.sim.metadata;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.metadata.raft.MetadataStateMachine;
import io.ringkv.cluster.metadata.raft.RaftIds;
import io.ringkv.cluster.metadata.raft.VoterEligibility;
import io.ringkv.common.Rng;
import io.ringkv.raft.RaftNode;
import io.ringkv.raft.log.DurableLog;
import io.ringkv.sim.raft.SimLogFiles;
import io.ringkv.storage.fs.FaultInjectingFileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.TreeMap;

/**
 * One simulated node of the metadata group: its disk (which outlives its processes) and, while it
 * runs, its process: a {@link RaftNode}, its {@link DurableLog} and its {@link
 * MetadataStateMachine}, and the operator requests it proposed and will answer. Not thread-safe.
 */
final class MetadataNode {
  /** Requests a process waits to answer; past it the oldest is forgotten (the operator retries). */
  static final int PENDING_REQUESTS_MAX = 1_024;

  /** Where the Raft log lives on the node's disk. */
  static final Path LOG_DIRECTORY = Path.of("/ringkv/metadata");

  enum State {
    NOT_STARTED,
    RUNNING,
    CRASHED,
    DECOMMISSIONED
  }

  /** A request this process proposed at an index, in a term. */
  record Pending(long term, long requestId) {}

  /** The memory of one running process, lost in a crash. */
  static final class Process {
    final RaftNode raft;
    final DurableLog log;
    final MetadataStateMachine machine;
    final TreeMap<Long, Pending> pending = new TreeMap<>();
    VoterEligibility eligibility;
    long leaderTerm;

    Process(RaftNode raft, DurableLog log, MetadataStateMachine machine) {
      this.raft = raft;
      this.log = log;
      this.machine = machine;
    }
  }

  final String name;
  final NodeId nodeId;
  final long raftId;
  final Rng rng;
  final FaultInjectingFileSystem disk = new FaultInjectingFileSystem();
  final SimLogFiles logFiles;
  State state = State.NOT_STARTED;
  Process process;
  int incarnation;
  int starts;
  int crashes;

  MetadataNode(String name, Rng rng) {
    this.name = name;
    this.nodeId = NodeId.of(name);
    this.raftId = RaftIds.of(nodeId);
    this.rng = rng;
    try {
      this.logFiles = new SimLogFiles(disk, LOG_DIRECTORY);
    } catch (IOException e) {
      throw new UncheckedIOException("the in-memory file system refused a directory", e);
    }
  }

  boolean isRunning() {
    return state == State.RUNNING && process != null;
  }

  @Override
  public String toString() {
    return name + " " + state;
  }
}
