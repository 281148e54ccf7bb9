package io.ringkv.raft;

/**
 * What a Raft group replicates: a deterministic state machine that changes only by applying
 * committed commands in index order. The seam between a driver of {@link RaftNode} (the server's,
 * the simulator's) and what the log is for (cluster metadata, a key-value store for benchmarks).
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@link #apply} is called once per committed {@link EntryType#NORMAL} entry, in index order,
 *       with no gaps except across a {@link #restore}. Its result must be a function of the state
 *       and the command only (no clock, no randomness, no I/O), so that every member computes the
 *       same state and the same result; the driver hands the result to whoever proposed the command
 *       on this member, if anyone waits for it.
 *   <li>An entry with empty data (a new leader's first entry) and configuration entries are not
 *       passed to {@link #apply}; the driver advances {@link #appliedIndex} past them with {@link
 *       #skip}.
 *   <li>{@link #snapshot} captures the state as of {@link #appliedIndex}; {@link #restore} replaces
 *       the state with one captured by {@link #snapshot} (on this or another member).
 *   <li>A command the state machine cannot decode or that is invalid against the current state is
 *       not an error of the log: {@link #apply} returns a result that says so, and every member
 *       returns the same one.
 * </ul>
 *
 * <p>Implementations are driven by one thread and need not be thread-safe.
 */
public interface StateMachine {

  /** The index of the last entry applied or skipped, or covered by the last restored snapshot. */
  long appliedIndex();

  /**
   * Applies the committed command at {@code index} (exactly {@link #appliedIndex()} + 1).
   *
   * @return the command's result, encoded for the proposer; never null, may be empty
   */
  byte[] apply(long index, byte[] command);

  /**
   * Advances {@link #appliedIndex()} to {@code index} (exactly + 1) for an entry with no command.
   */
  void skip(long index);

  /** The state as of {@link #appliedIndex()}, encoded. */
  byte[] snapshot();

  /** Replaces the state with {@code snapshot}, taken at {@code index}. */
  void restore(long index, byte[] snapshot);
}
