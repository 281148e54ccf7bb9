package io.ringkv.raft;

/** Why a node refused a proposal, a read request or a leadership transfer. */
public enum RejectReason {
  /**
   * This node is not the leader; {@link Submission.Rejected#leader()} names the leader if known.
   */
  NOT_LEADER,
  /** The leader is handing leadership over; retry at the new leader. */
  LEADERSHIP_TRANSFER_IN_PROGRESS,
  /** The uncommitted entries exceed {@link RaftConfig#uncommittedBytesMax()}: back-pressure. */
  TOO_MANY_UNCOMMITTED_BYTES,
  /** The entry exceeds {@link RaftConfig#entryBytesMax()}. */
  ENTRY_TOO_LARGE,
  /** Reads waiting for confirmation exceed {@link RaftConfig#pendingReadsMax()}: back-pressure. */
  TOO_MANY_PENDING_READS,
  /**
   * A configuration change is not yet committed, or the leader has not yet committed an entry of
   * its own term (either would break the one-change-at-a-time rule, thesis §4.1 and its erratum).
   */
  CONFIG_CHANGE_IN_PROGRESS,
  /** The configuration change does not apply to the current configuration. */
  INVALID_CONFIG_CHANGE,
  /** The leadership transfer names a node that is not a voter, or the leader itself. */
  INVALID_TRANSFER_TARGET
}
