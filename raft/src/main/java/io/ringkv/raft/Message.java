package io.ringkv.raft;

import java.util.List;

/**
 * What Raft nodes send each other. Every message carries its sender, its receiver and the sender's
 * term (a pre-vote request carries the term the sender would campaign in). The transport may lose,
 * duplicate, delay and reorder messages; Raft stays safe under all of that.
 */
public sealed interface Message {
  long from();

  long to();

  long term();

  /**
   * A request for a vote (or, with {@code preVote}, for the promise of one: thesis §9.6, which
   * changes no state at the receiver).
   *
   * @param leadershipTransfer sent on {@link TimeoutNow}: voters grant it even while they still
   *     hear from a leader
   */
  record VoteRequest(
      long from,
      long to,
      long term,
      boolean preVote,
      long lastLogIndex,
      long lastLogTerm,
      boolean leadershipTransfer)
      implements Message {}

  /** The answer to a {@link VoteRequest}; a granted pre-vote carries the request's term. */
  record VoteResponse(long from, long to, long term, boolean preVote, boolean granted)
      implements Message {}

  /**
   * Entries following {@code prevLogIndex}, which the receiver takes only if its log holds an entry
   * at {@code prevLogIndex} of term {@code prevLogTerm} (the log matching check). With no entries
   * it probes where the logs match.
   */
  record AppendEntries(
      long from,
      long to,
      long term,
      long prevLogIndex,
      long prevLogTerm,
      List<Entry> entries,
      long leaderCommit)
      implements Message {
    public AppendEntries {
      entries = List.copyOf(entries);
    }
  }

  /**
   * The answer to an {@link AppendEntries} or {@link InstallSnapshot}.
   *
   * @param success whether the receiver's log now matches the leader's up to {@code index}
   * @param index on success, the last index known to match; on rejection, the rejected {@code
   *     prevLogIndex}
   * @param hintIndex on rejection, the receiver's guess of the highest index that may match: the
   *     largest index at most {@code min(prevLogIndex, lastIndex)} whose term is at most the
   *     rejected {@code prevLogTerm} (fast backtracking, thesis §5.3 and etcd's hint)
   * @param hintTerm on rejection, the term of the receiver's entry at {@code hintIndex}
   */
  record AppendResponse(
      long from, long to, long term, boolean success, long index, long hintIndex, long hintTerm)
      implements Message {}

  /**
   * The leader's periodic message: it keeps followers from campaigning, tells them the commit index
   * they can safely use ({@code min(commit, their match)}), and confirms leadership for reads.
   *
   * @param readRound the leader's latest read round; the answer confirms every read of a round at
   *     most this
   * @param sentAtTick the leader's tick count when it sent this, echoed back for leases
   */
  record Heartbeat(long from, long to, long term, long commit, long readRound, long sentAtTick)
      implements Message {}

  /** The answer to a {@link Heartbeat}, echoing its read round and send tick. */
  record HeartbeatResponse(long from, long to, long term, long readRound, long sentAtTick)
      implements Message {}

  /** The leader's snapshot, for a follower that needs entries the leader has compacted away. */
  record InstallSnapshot(long from, long to, long term, Snapshot snapshot) implements Message {}

  /** Tells an up-to-date follower to campaign at once: the last step of a leadership transfer. */
  record TimeoutNow(long from, long to, long term) implements Message {}

  /** A follower asking the leader for a read index on behalf of its caller. */
  record ReadIndexRequest(long from, long to, long term, long requestId) implements Message {}

  /** The leader's answer to a {@link ReadIndexRequest}, once its leadership is confirmed. */
  record ReadIndexResponse(long from, long to, long term, long requestId, long index)
      implements Message {}
}
