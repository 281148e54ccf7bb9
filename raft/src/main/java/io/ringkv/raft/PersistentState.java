package io.ringkv.raft;

import java.util.List;

/**
 * What a node finds in its storage when it restarts: the last stored hard state, snapshot and
 * entries after the snapshot (as {@link io.ringkv.raft.log.DurableLog} recovers them), and how far
 * the caller's state machine has applied (the snapshot's index for a state machine rebuilt from the
 * snapshot; more for one that persists its own progress).
 *
 * @param hardState the last stored term, vote and commit
 * @param snapshot the last stored snapshot ({@link Snapshot#empty} if none)
 * @param entries the stored entries after the snapshot, consecutive
 * @param applied the highest index whose effect the state machine already holds
 */
public record PersistentState(
    HardState hardState, Snapshot snapshot, List<Entry> entries, long applied) {
  public PersistentState {
    entries = List.copyOf(entries);
  }

  /** The state of a node that has never run and knows no group: it waits to be added. */
  public static PersistentState empty() {
    return new PersistentState(HardState.EMPTY, Snapshot.empty(Configuration.EMPTY), List.of(), 0);
  }
}
