package io.ringkv.raft.transcript;

import io.ringkv.raft.Configuration;
import io.ringkv.raft.Entry;
import io.ringkv.raft.HardState;
import io.ringkv.raft.PersistentState;
import io.ringkv.raft.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * What one test node has stored, as a caller following {@link io.ringkv.raft.Ready}'s contract
 * keeps it: the last hard state, the last snapshot and the entries after it. A crash keeps exactly
 * this.
 */
final class MemoryStorage {
  private HardState hardState = HardState.EMPTY;
  private Snapshot snapshot = Snapshot.empty(Configuration.EMPTY);
  private final List<Entry> entries = new ArrayList<>();

  void storeSnapshot(Snapshot received) {
    if (received.index() <= snapshot.index()) {
      throw new IllegalStateException(
          "stored snapshot goes back: " + received + " after " + snapshot);
    }
    // A snapshot from the leader replaces the whole log (Ready's contract).
    entries.clear();
    snapshot = received;
  }

  void storeEntries(List<Entry> newEntries) {
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

  void storeHardState(HardState state) {
    hardState = state;
  }

  /** The application took a snapshot: keep it and drop the entries it covers. */
  void compact(Snapshot taken) {
    entries.removeIf(entry -> entry.index() <= taken.index());
    snapshot = taken;
  }

  PersistentState recover() {
    return new PersistentState(hardState, snapshot, entries, snapshot.index());
  }

  Snapshot snapshot() {
    return snapshot;
  }

  List<Entry> entries() {
    return entries;
  }

  HardState hardState() {
    return hardState;
  }
}
