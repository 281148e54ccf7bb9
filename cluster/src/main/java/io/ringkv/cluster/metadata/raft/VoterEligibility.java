package io.ringkv.cluster.metadata.raft;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.raft.Status;
import java.util.TreeMap;

/**
 * The metadata leader's view of which members may vote, for {@link VoterPolicy}: the leader itself;
 * a voter it has heard from within {@link #silenceTicksMax} ticks; a learner it has heard from as
 * recently and whose log is within {@link #promotionLagEntriesMax} entries of its own.
 *
 * <p>Why remember ticks rather than read {@link Status.MemberProgress#recentActive}: a leader with
 * check-quorum clears that flag for everybody once an election timeout, so right after the clear
 * every member looks silent; a policy fed with it demotes and promotes voters in a loop.
 * Remembering the last tick each member was heard gives the hysteresis: a voter stays eligible
 * through one clear, and is replaced only after it has been silent for {@code silenceTicksMax}
 * ticks.
 *
 * <p>One instance per term of leadership (a new leader starts with nobody heard and learns within a
 * heartbeat). Not thread-safe: the node loop's.
 */
public final class VoterEligibility {
  /** Members tracked at most: Raft's own limit of one configuration. */
  static final int MEMBERS_MAX = io.ringkv.raft.Configuration.MEMBERS_MAX;

  private final long leaderRaftId;
  private final long silenceTicksMax;
  private final long promotionLagEntriesMax;
  private final TreeMap<Long, Long> lastHeardTick = new TreeMap<>();
  private long tick;
  private Status status;

  /**
   * @param silenceTicksMax ticks without hearing from a member after which it is not eligible
   * @param promotionLagEntriesMax how far behind the leader's last index a learner may be
   */
  public VoterEligibility(long leaderRaftId, long silenceTicksMax, long promotionLagEntriesMax) {
    if (silenceTicksMax < 1) {
      throw new IllegalArgumentException("silence ticks max must be >= 1, was " + silenceTicksMax);
    }
    if (promotionLagEntriesMax < 0) {
      throw new IllegalArgumentException(
          "promotion lag entries max must be >= 0, was " + promotionLagEntriesMax);
    }
    this.leaderRaftId = leaderRaftId;
    this.silenceTicksMax = silenceTicksMax;
    this.promotionLagEntriesMax = promotionLagEntriesMax;
  }

  /** Takes the leader's status after one of its ticks. */
  public void observe(Status leaderStatus) {
    tick++;
    status = leaderStatus;
    for (var entry : leaderStatus.progress().entrySet()) {
      if (entry.getValue().recentActive()) {
        lastHeardTick.put(entry.getKey(), tick);
      }
    }
    lastHeardTick.keySet().retainAll(leaderStatus.configuration().members());
    if (lastHeardTick.size() > MEMBERS_MAX) {
      throw new IllegalStateException("tracking more members than a configuration holds");
    }
  }

  /** Whether {@code id} may be chosen as a voter now. */
  public boolean eligible(NodeId id) {
    long raftId = RaftIds.of(id);
    if (raftId == leaderRaftId) {
      return true;
    }
    if (status == null || !status.configuration().contains(raftId)) {
      return false;
    }
    Long heard = lastHeardTick.get(raftId);
    if (heard == null || tick - heard > silenceTicksMax) {
      return false;
    }
    if (status.configuration().isVoter(raftId)) {
      return true;
    }
    Status.MemberProgress progress = status.progress().get(raftId);
    return progress != null && progress.match() + promotionLagEntriesMax >= status.lastIndex();
  }
}
