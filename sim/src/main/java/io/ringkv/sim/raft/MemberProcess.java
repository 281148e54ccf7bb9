package io.ringkv.sim.raft;

import io.ringkv.raft.RaftNode;
import io.ringkv.raft.log.DurableLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The memory of one member's running process: its {@link RaftNode}, its open {@link DurableLog},
 * its {@link KvStateMachine}, and the client requests it is working on. All of it is lost in a
 * crash; what survives is on the member's disk.
 *
 * <p>Read request ids start with the process's incarnation ({@code incarnation << 32 | counter}): a
 * read index answer addressed to an earlier process of the same member (a late message from before
 * a restart) must never be taken for a new request's answer, since the index it carries was
 * confirmed before that request was made. A server must do the same (or use random ids).
 *
 * <p>Bounds: at most {@link #PENDING_WRITES_MAX} writes and {@link #PENDING_READS_MAX} reads
 * waiting; past that the oldest is forgotten (its client times out and retries). Not thread-safe.
 */
public final class MemberProcess {
  /** Proposals whose outcome this process waits for, to answer their clients. */
  static final int PENDING_WRITES_MAX = 1_024;

  /** Reads waiting for their read index, or for the state machine to reach it. */
  static final int PENDING_READS_MAX = 1_024;

  /** A client's write proposed by this process at an index, in a term. */
  record PendingWrite(long term, String client, int clientId, long sequence) {}

  /**
   * A client's read: waiting for its read index ({@code readIndex} -1), then for the state machine
   * to apply that far.
   */
  record PendingRead(
      long requestId, String client, int clientId, long sequence, int key, long readIndex) {
    PendingRead withIndex(long index) {
      return new PendingRead(requestId, client, clientId, sequence, key, index);
    }
  }

  private final RaftNode raft;
  private final DurableLog log;
  private final int incarnation;
  KvStateMachine machine;
  final TreeMap<Long, PendingWrite> pendingWrites = new TreeMap<>();
  final TreeMap<Long, PendingRead> pendingReads = new TreeMap<>();
  final List<PendingRead> readsAwaitingApply = new ArrayList<>();
  private long readRequests;

  MemberProcess(RaftNode raft, DurableLog log, KvStateMachine machine, int incarnation) {
    this.raft = Objects.requireNonNull(raft, "raft");
    this.log = Objects.requireNonNull(log, "log");
    this.machine = Objects.requireNonNull(machine, "machine");
    this.incarnation = incarnation;
  }

  public RaftNode raft() {
    return raft;
  }

  DurableLog log() {
    return log;
  }

  /** The state machine's applied index. */
  public long appliedIndex() {
    return machine.appliedIndex();
  }

  /** The value the state machine holds for {@code key} now. */
  public long valueOf(int key) {
    return machine.get(key);
  }

  long chainHash() {
    return machine.chainHash();
  }

  long contentDigest() {
    return machine.contentDigest();
  }

  long nextReadRequestId() {
    return ((long) incarnation << 32) | ++readRequests;
  }

  String describe() {
    return raft.role()
        + " t"
        + raft.term()
        + " leader "
        + raft.leader()
        + " applied "
        + machine.appliedIndex();
  }
}
