package io.ringkv.sim.raft;

/**
 * Mistakes a caller of Raft could make, planted on purpose so that tests can show the checkers
 * catch them ("the checkers check themselves"). Never set in the seeded runs.
 */
public enum PlantedBug {
  /** None: the caller's loop as docs/design/raft.md prescribes. */
  NONE,
  /**
   * A member that believes it leads answers reads from its own state machine at once, without a
   * read index or a lease: a leader cut off from the group serves stale values (linearizability).
   */
  READS_WITHOUT_READ_INDEX,
  /** Entries and votes are written but never synced: a power loss loses them (durability). */
  STORE_WITHOUT_SYNC,
  /**
   * The vote is not kept across restarts: a member that voted, crashed and came back may vote again
   * in the same term (election safety).
   */
  FORGET_VOTE_ON_RESTART,
  /**
   * The disk acknowledges syncs it did not do: a power loss also cuts up to the last 200 bytes of
   * the newest log segment, synced or not. The durability check is told the disk is unreliable, so
   * the Raft checkers must catch what follows: a member forgets entries it acknowledged, and a
   * leader without a committed entry can be elected (leader completeness, state machine safety).
   */
  LOSE_SYNCED_WRITES
}
