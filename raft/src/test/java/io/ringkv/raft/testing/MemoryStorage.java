package io.ringkv.raft.testing;

import io.ringkv.raft.Configuration;
import io.ringkv.raft.Entry;
import io.ringkv.raft.HardState;
import io.ringkv.raft.PersistentState;
import io.ringkv.raft.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * What one test node has stored, as a caller following {@link io.ringkv.raft.Ready}'s contract
 * keeps it: the last hard state, the last snapshot and the entries after it. A hard state stored
 * without a sync ({@link io.ringkv.raft.Ready#mustSync()} false) is lost by {@link #crash()}.
 */
public final class MemoryStorage {
  private HardState syncedHardState = HardState.EMPTY;
  private HardState hardState = HardState.EMPTY;
  private Snapshot snapshot = Snapshot.empty(Configuration.EMPTY);
  private final List<Entry> entries = new ArrayList<>();

  public void storeSnapshot(Snapshot received) {
    if (received.index() <= snapshot.index()) {
      throw new IllegalStateException(
          "stored snapshot goes back: " + received + " after " + snapshot);
    }
    // A snapshot from the leader replaces the whole log (Ready's contract).
    entries.clear();
    snapshot = received;
  }

  public void storeEntries(List<Entry> newEntries) {
    if (newEntries.isEmpty()) {
      return;
    }
    long first = newEntries.getFirst().index();
    long expected = snapshot.index() + 1 + entries.size();
    if (first > expected || first <= snapshot.index()) {
      throw new IllegalStateException(
          "stored entries leave a hole: " + first + " after " + (expected - 1));
    }
    entries.removeIf(entry -> entry.index() >= first);
    entries.addAll(newEntries);
  }

  public void storeHardState(HardState state, boolean sync) {
    hardState = state;
    if (sync) {
      syncedHardState = state;
    }
  }

  /** A power loss: what was stored without a sync is gone. */
  public void crash() {
    hardState = syncedHardState;
  }

  /** The application took a snapshot: keep it and drop the entries it covers. */
  public void compact(Snapshot taken) {
    entries.removeIf(entry -> entry.index() <= taken.index());
    snapshot = taken;
  }

  public PersistentState recover() {
    return new PersistentState(hardState, snapshot, entries, snapshot.index());
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  public List<Entry> entries() {
    return entries;
  }

  public HardState hardState() {
    return hardState;
  }
}
