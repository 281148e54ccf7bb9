package io.ringkv.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * One node's view of its log in memory: the latest snapshot, the entries after it, and how far they
 * are stored, committed and applied. The durable copy is the caller's (it stores what {@link Ready}
 * hands out); this class only remembers which part has been handed out and acknowledged.
 *
 * <p>Invariants, checked on every change (a violation is a bug and throws {@link
 * IllegalStateException}):
 *
 * <ul>
 *   <li>{@code entries} are consecutive from {@code snapshot.index + 1}; their terms never
 *       decrease;
 *   <li>{@code snapshot.index <= applied <= committed <= lastIndex} (except while a received
 *       snapshot waits to be installed, when {@code applied} may lag behind {@code snapshot.index}
 *       and no committed entry is handed out);
 *   <li>{@code stableIndex <= lastIndex}: entries above it still have to be stored;
 *   <li>a committed entry is never removed except by compaction into a snapshot;
 *   <li>{@code configurations} holds exactly the configuration entries among {@code entries}, in
 *       order, so the configuration in force is the last of them, or the snapshot's.
 * </ul>
 *
 * <p>Not thread-safe: owned by its {@link RaftNode}.
 */
final class RaftLog {
  /** A term that is not known: the index was compacted away, or lies beyond the log. */
  static final long UNKNOWN_TERM = -1;

  private record ConfigurationPoint(long index, Configuration configuration) {}

  private Snapshot snapshot;
  private final ArrayList<Entry> entries = new ArrayList<>();
  private final ArrayList<ConfigurationPoint> configurations = new ArrayList<>();
  private long committed;
  private long applied;
  private long stableIndex;
  private boolean snapshotStored = true;

  /**
   * A log restored from storage (or made for a bootstrap): {@code storedThrough} says how much of
   * {@code entries} the caller already holds durably.
   */
  RaftLog(
      Snapshot snapshot, List<Entry> entries, long committed, long applied, long storedThrough) {
    this.snapshot = snapshot;
    long expected = snapshot.index() + 1;
    for (Entry entry : entries) {
      if (entry.index() != expected) {
        throw new IllegalArgumentException(
            "stored entries are not consecutive after snapshot "
                + snapshot.index()
                + ": expected index "
                + expected
                + ", got "
                + entry);
      }
      expected++;
      appendOne(entry);
    }
    // A snapshot covers only committed entries, and the commit index may be stored lazily.
    committed = Math.max(committed, snapshot.index());
    if (committed > lastIndex()) {
      throw new IllegalArgumentException(
          "commit index " + committed + " outside [" + snapshot.index() + ", " + lastIndex() + "]");
    }
    if (applied < snapshot.index() || applied > committed) {
      throw new IllegalArgumentException(
          "applied index " + applied + " outside [" + snapshot.index() + ", " + committed + "]");
    }
    this.committed = committed;
    this.applied = applied;
    this.stableIndex = Math.min(storedThrough, lastIndex());
  }

  long firstIndex() {
    return snapshot.index() + 1;
  }

  long lastIndex() {
    return snapshot.index() + entries.size();
  }

  long lastTerm() {
    return entries.isEmpty() ? snapshot.term() : entries.getLast().term();
  }

  long committed() {
    return committed;
  }

  long applied() {
    return applied;
  }

  long stableIndex() {
    return stableIndex;
  }

  Snapshot snapshot() {
    return snapshot;
  }

  /** The term of the entry at {@code index}, or {@link #UNKNOWN_TERM}. */
  long term(long index) {
    if (index == snapshot.index()) {
      return snapshot.term();
    }
    if (index < snapshot.index() || index > lastIndex()) {
      return UNKNOWN_TERM;
    }
    return entry(index).term();
  }

  boolean matchTerm(long index, long term) {
    return term(index) == term;
  }

  Entry entry(long index) {
    return entries.get((int) (index - snapshot.index() - 1));
  }

  /** The configuration in force: that of the last configuration entry, or the snapshot's. */
  Configuration configuration() {
    return configurations.isEmpty()
        ? snapshot.configuration()
        : configurations.getLast().configuration();
  }

  /**
   * The configuration in force before the last configuration entry; the snapshot's if there is no
   * configuration entry after it.
   */
  Configuration previousConfiguration() {
    int size = configurations.size();
    if (size >= 2) {
      return configurations.get(size - 2).configuration();
    }
    return snapshot.configuration();
  }

  /** The index of the last configuration entry in the log, or the snapshot's index. */
  long lastConfigurationIndex() {
    return configurations.isEmpty() ? snapshot.index() : configurations.getLast().index();
  }

  /** Whether a candidate whose log ends at {@code lastTerm/lastIndex} is at least as up to date. */
  boolean isUpToDate(long lastIndex, long lastTerm) {
    return lastTerm > lastTerm() || (lastTerm == lastTerm() && lastIndex >= lastIndex());
  }

  /**
   * Entries from {@code from} to at most {@code toInclusive}, stopping before the byte total passes
   * {@code bytesMax} but always holding at least one entry when the range is not empty.
   */
  List<Entry> slice(long from, long toInclusive, long bytesMax) {
    List<Entry> result = new ArrayList<>();
    long bytes = 0;
    for (long index = from; index <= toInclusive; index++) {
      Entry entry = entry(index);
      bytes += entry.sizeBytes();
      if (!result.isEmpty() && bytes > bytesMax) {
        break;
      }
      result.add(entry);
    }
    return result;
  }

  /** Appends entries made by this node as leader. */
  void append(Entry entry) {
    if (entry.index() != lastIndex() + 1 || entry.term() < lastTerm()) {
      throw new IllegalStateException(
          "leader append " + entry + " after " + lastTerm() + "/" + lastIndex());
    }
    appendOne(entry);
  }

  /**
   * The follower side of the log matching check: if this log holds {@code prevIndex} at {@code
   * prevTerm}, makes it end with {@code newEntries} after it (removing any conflicting suffix) and
   * returns the index of the last new entry; otherwise changes nothing and returns -1.
   */
  long maybeAppend(long prevIndex, long prevTerm, List<Entry> newEntries) {
    if (!matchTerm(prevIndex, prevTerm)) {
      return -1;
    }
    long expected = prevIndex + 1;
    for (Entry entry : newEntries) {
      if (entry.index() != expected++) {
        throw new IllegalArgumentException(
            "append entries are not consecutive after " + prevIndex + ": " + newEntries);
      }
    }
    for (Entry entry : newEntries) {
      if (entry.index() <= lastIndex() && matchTerm(entry.index(), entry.term())) {
        continue;
      }
      if (entry.index() <= lastIndex()) {
        truncateFrom(entry.index());
      }
      appendOne(entry);
    }
    return prevIndex + newEntries.size();
  }

  /**
   * For fast backtracking: the largest index at most {@code index} whose term is at most {@code
   * term}, or whose term is not known (compacted away). Entries there and below cannot conflict
   * with a log whose entry at {@code index} has term {@code term} in a way this log can detect.
   */
  long findConflictByTerm(long index, long term) {
    long candidate = Math.min(index, lastIndex());
    while (candidate > snapshot.index()) {
      if (term(candidate) <= term) {
        return candidate;
      }
      candidate--;
    }
    return candidate;
  }

  void commitTo(long index) {
    if (index <= committed) {
      return;
    }
    if (index > lastIndex()) {
      throw new IllegalStateException("commit " + index + " beyond last index " + lastIndex());
    }
    committed = index;
  }

  /** Entries not yet handed out for storage. */
  List<Entry> unstableEntries() {
    if (stableIndex >= lastIndex()) {
      return List.of();
    }
    return List.copyOf(entries.subList((int) (stableIndex - snapshot.index()), entries.size()));
  }

  boolean hasUnstableEntries() {
    return stableIndex < lastIndex();
  }

  /** The caller stored entries up to {@code index} of {@code term}. */
  void stableTo(long index, long term) {
    if (matchTerm(index, term) && index > stableIndex) {
      stableIndex = index;
    }
  }

  /**
   * Committed, stored entries not yet handed out for applying, at most {@code bytesMax} of them.
   */
  List<Entry> committedEntriesToApply(long bytesMax) {
    if (!hasCommittedEntriesToApply()) {
      return List.of();
    }
    return slice(applied + 1, Math.min(committed, stableIndex), bytesMax);
  }

  boolean hasCommittedEntriesToApply() {
    return snapshotStored && applied < Math.min(committed, stableIndex);
  }

  void appliedTo(long index) {
    if (index < applied || index > committed) {
      throw new IllegalStateException(
          "applied " + index + " outside [" + applied + ", " + committed + "]");
    }
    applied = index;
  }

  /** A snapshot from the leader replaces the whole log; it must still be stored and installed. */
  void restore(Snapshot received) {
    if (received.index() <= committed) {
      throw new IllegalStateException(
          "restore of " + received + " at or below commit " + committed);
    }
    snapshot = received;
    entries.clear();
    configurations.clear();
    committed = received.index();
    stableIndex = received.index();
    snapshotStored = false;
  }

  /** The snapshot received from the leader, while it waits to be stored and installed. */
  Snapshot unstableSnapshot() {
    return snapshotStored ? null : snapshot;
  }

  /** The caller stored and installed {@code stored}. */
  void snapshotInstalled(Snapshot stored) {
    if (stored == snapshot && !snapshotStored) {
      snapshotStored = true;
      applied = Math.max(applied, snapshot.index());
    }
  }

  /**
   * Replaces entries up to {@code index} (which the caller has applied) by a snapshot of the
   * application's state there.
   */
  Snapshot compact(long index, byte[] data) {
    if (index <= snapshot.index() || index > applied) {
      throw new IllegalArgumentException(
          "snapshot index "
              + index
              + " outside ("
              + snapshot.index()
              + ", applied "
              + applied
              + "]");
    }
    Configuration configurationThere = snapshot.configuration();
    int points = 0;
    for (ConfigurationPoint point : configurations) {
      if (point.index() > index) {
        break;
      }
      configurationThere = point.configuration();
      points++;
    }
    Snapshot compacted = new Snapshot(index, term(index), configurationThere, data);
    entries.subList(0, (int) (index - snapshot.index())).clear();
    configurations.subList(0, points).clear();
    snapshot = compacted;
    return compacted;
  }

  private void appendOne(Entry entry) {
    if (entry.term() < lastTerm()) {
      throw new IllegalStateException("term goes down: " + entry + " after term " + lastTerm());
    }
    entries.add(entry);
    if (entry.type() == EntryType.CONFIGURATION) {
      configurations.add(new ConfigurationPoint(entry.index(), Configuration.decode(entry.data())));
    }
  }

  private void truncateFrom(long index) {
    if (index <= committed) {
      throw new IllegalStateException(
          "conflict at committed index " + index + " (commit " + committed + ")");
    }
    entries.subList((int) (index - snapshot.index() - 1), entries.size()).clear();
    while (!configurations.isEmpty() && configurations.getLast().index() >= index) {
      configurations.removeLast();
    }
    stableIndex = Math.min(stableIndex, index - 1);
  }
}
