package io.ringkv.sim.raft;

import io.ringkv.raft.Entry;
import io.ringkv.raft.HardState;
import io.ringkv.raft.PersistentState;
import io.ringkv.raft.Ready;
import io.ringkv.raft.Role;
import io.ringkv.raft.Snapshot;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.SimulationFailure;
import io.ringkv.sim.Violation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safety properties of the Raft paper's Figure 3, checked after every step of every member
 * (every store, apply and advance), against what the members stored ({@link StoredLogModel}) and
 * applied:
 *
 * <ul>
 *   <li><b>Election safety</b>: at most one leader per term. A member counts as leader of its term
 *       once its term and its vote for itself are stored (a candidate that crashed before that sent
 *       nothing). Also: a member never stores two different votes in one term.
 *   <li><b>Log matching</b>: if two stored logs hold an entry with the same index and term, the
 *       entries are the same and so are all entries before them. Checked as: every (index, term)
 *       ever stored anywhere has one content hash and one term at index - 1; by induction on the
 *       index that gives equal prefixes.
 *   <li><b>Leader completeness</b>: a leader of term T holds, in its stored log, every entry known
 *       committed in a term before T (checked when it becomes leader, and again as earlier terms'
 *       commits become known).
 *   <li><b>State machine safety</b>: every member that commits or applies an index has the same
 *       entry there; and state machines that applied the same prefix have the same running hash
 *       (and, where snapshots are taken, the same content).
 *   <li><b>Durability</b>: what a restarted member's log recovers is exactly what was stored (see
 *       {@link StoredLogModel}).
 * </ul>
 *
 * <p>A violation ends the run at once (a {@link SimulationFailure}), so that the trace's tail shows
 * what led to it. Bounds: a few map entries per index and per term; a run commits a few thousand
 * entries. Not thread-safe.
 */
final class RaftSafetyChecker {
  private record IndexTerm(long index, long term) {}

  private record StoredEntry(long contentHash, long previousTerm) {}

  private record CommittedEntry(long term, long contentHash, String firstSeenOn) {}

  private final Simulation simulation;
  private final Map<Long, Long> leaderOfTerm = new HashMap<>();
  private final Map<IndexTerm, Long> votes = new HashMap<>();
  private final Map<IndexTerm, StoredEntry> storedEntries = new HashMap<>();
  private final Map<Long, CommittedEntry> committed = new HashMap<>();
  private final TreeMap<Long, Long> commitByTerm = new TreeMap<>();
  private final Map<Long, Long> chainHashAt = new HashMap<>();
  private final Map<Long, Long> contentDigestAt = new HashMap<>();
  private final Map<String, Long> commitRecordedThrough = new HashMap<>();
  private final Map<String, Long> completenessCheckedThrough = new HashMap<>();
  private final Map<String, Long> completenessTerm = new HashMap<>();
  private final List<Violation> violations = new ArrayList<>();
  private long highestCommitted;
  private long leadersSeen;

  RaftSafetyChecker(Simulation simulation) {
    this.simulation = simulation;
  }

  List<Violation> violations() {
    return List.copyOf(violations);
  }

  /** The highest index known committed anywhere. */
  long highestCommitted() {
    return highestCommitted;
  }

  /** How many (term, leader) pairs were seen. */
  long leadersSeen() {
    return leadersSeen;
  }

  /** The term of the committed entry at {@code index}, or -1 if not known committed. */
  long committedTerm(long index) {
    CommittedEntry entry = committed.get(index);
    return entry == null ? -1 : entry.term();
  }

  /** After {@code member} stored what {@code ready} asked (its {@link StoredLogModel} updated). */
  void onStored(RaftMember member, Ready ready) {
    StoredLogModel stored = member.stored;
    ready.hardState().ifPresent(state -> checkVote(member, state));
    for (Entry entry : ready.entries()) {
      long previousTerm = entry.index() == 1 ? 0 : stored.termAt(entry.index() - 1);
      StoredEntry mine = new StoredEntry(Hashes.content(entry), previousTerm);
      StoredEntry first =
          storedEntries.putIfAbsent(new IndexTerm(entry.index(), entry.term()), mine);
      if (first != null
          && (first.contentHash() != mine.contentHash()
              || (first.previousTerm() >= 0
                  && mine.previousTerm() >= 0
                  && first.previousTerm() != mine.previousTerm()))) {
        fail(
            "log matching",
            member.name()
                + " stored "
                + entry
                + " after term "
                + previousTerm
                + ", but another member stored a different entry at "
                + entry.term()
                + "/"
                + entry.index()
                + " (after term "
                + first.previousTerm()
                + ")");
      }
    }
    ready.hardState().ifPresent(state -> recordCommits(member, state));
  }

  /** After {@code member}'s node advanced past {@code ready}. */
  void onAdvanced(RaftMember member) {
    MemberProcess process = member.process;
    if (process == null || process.raft().role() != Role.LEADER) {
      return;
    }
    long term = process.raft().term();
    StoredLogModel stored = member.stored;
    if (stored.term() != term || stored.vote() != member.id()) {
      return; // not yet a leader anyone could have heard of
    }
    Long previous = leaderOfTerm.putIfAbsent(term, member.id());
    if (previous == null) {
      leadersSeen++;
      simulation.trace(member.name() + " leads term " + term);
    } else if (previous != member.id()) {
      fail("election safety", "n" + previous + " and " + member.name() + " both lead term " + term);
    }
    checkLeaderCompleteness(member, term);
  }

  /** {@code member}'s state machine applied {@code entry}, reaching {@code chainHash}. */
  void onApplied(RaftMember member, Entry entry, long chainHash) {
    recordCommitted(member, entry.index(), entry.term(), Hashes.content(entry));
    checkChain(member, entry.index(), chainHash);
  }

  /** {@code member} installed a snapshot received from the leader. */
  void onSnapshotInstalled(RaftMember member, Snapshot snapshot, long chainHash, long digest) {
    checkChain(member, snapshot.index(), chainHash);
    checkDigest(member, snapshot.index(), digest);
  }

  /** {@code member} compacted its log into a snapshot of its state machine. */
  void onSnapshotTaken(RaftMember member, Snapshot snapshot, long chainHash, long digest) {
    checkChain(member, snapshot.index(), chainHash);
    checkDigest(member, snapshot.index(), digest);
  }

  /** {@code member} restarted from {@code recovered}; its disk state was known. */
  void onRecovered(RaftMember member, PersistentState recovered, long chainHash) {
    String why = member.stored.whyNotRecovered(recovered);
    if (why != null) {
      fail("durability", member.name() + " recovered its log wrongly: " + why);
    }
    if (recovered.snapshot().index() > 0) {
      checkChain(member, recovered.snapshot().index(), chainHash);
    }
  }

  private void checkVote(RaftMember member, HardState state) {
    if (state.vote() == 0) {
      return;
    }
    Long first = votes.putIfAbsent(new IndexTerm(member.id(), state.term()), state.vote());
    if (first != null && first != state.vote()) {
      fail(
          "election safety",
          member.name()
              + " stored a vote for n"
              + state.vote()
              + " in term "
              + state.term()
              + " after storing one for n"
              + first);
    }
  }

  /** Every stored entry up to a member's stored commit index is committed: record and compare. */
  private void recordCommits(RaftMember member, HardState state) {
    StoredLogModel stored = member.stored;
    long from =
        Math.max(commitRecordedThrough.getOrDefault(member.name(), 0L), stored.snapshotIndex());
    if (state.commit() > stored.lastIndex()) {
      fail(
          "log matching",
          member.name()
              + " stored commit index "
              + state.commit()
              + " beyond its last entry "
              + stored.lastIndex());
    }
    for (long index = from + 1; index <= state.commit(); index++) {
      recordCommitted(member, index, stored.termAt(index), stored.hashAt(index));
    }
    commitRecordedThrough.put(member.name(), Math.max(from, state.commit()));
    commitByTerm.merge(state.term(), state.commit(), Math::max);
  }

  private void recordCommitted(RaftMember member, long index, long term, long contentHash) {
    CommittedEntry first =
        committed.putIfAbsent(index, new CommittedEntry(term, contentHash, member.name()));
    if (first == null) {
      highestCommitted = Math.max(highestCommitted, index);
    } else if (first.term() != term || first.contentHash() != contentHash) {
      fail(
          "state machine safety",
          member.name()
              + " has entry "
              + term
              + "/"
              + index
              + " committed, but "
              + first.firstSeenOn()
              + " committed "
              + first.term()
              + "/"
              + index
              + (first.term() == term ? " with other content" : ""));
    }
  }

  /**
   * A leader of {@code term} must hold every entry committed in an earlier term: its stored log
   * reaches that far, with the committed terms there.
   */
  private void checkLeaderCompleteness(RaftMember member, long term) {
    long required = 0;
    for (long commit : commitByTerm.headMap(term).values()) {
      required = Math.max(required, commit);
    }
    if (completenessTerm.getOrDefault(member.name(), -1L) != term) {
      completenessTerm.put(member.name(), term);
      completenessCheckedThrough.put(member.name(), 0L);
    }
    long checkedThrough = completenessCheckedThrough.get(member.name());
    if (required <= checkedThrough) {
      return;
    }
    StoredLogModel stored = member.stored;
    if (stored.lastIndex() < required) {
      fail(
          "leader completeness",
          member.name()
              + " leads term "
              + term
              + " with its log ending at "
              + stored.lastIndex()
              + ", but index "
              + required
              + " was committed in an earlier term");
    }
    for (long index = Math.max(checkedThrough, stored.snapshotIndex()) + 1;
        index <= required;
        index++) {
      CommittedEntry entry = committed.get(index);
      if (entry != null
          && (entry.term() != stored.termAt(index)
              || entry.contentHash() != stored.hashAt(index))) {
        fail(
            "leader completeness",
            member.name()
                + " leads term "
                + term
                + " holding term "
                + stored.termAt(index)
                + " at "
                + index
                + ", where "
                + entry.term()
                + "/"
                + index
                + " was committed");
      }
    }
    completenessCheckedThrough.put(member.name(), required);
  }

  private void checkChain(RaftMember member, long index, long chainHash) {
    Long first = chainHashAt.putIfAbsent(index, chainHash);
    if (first != null && first != chainHash) {
      fail(
          "state machine safety",
          member.name() + "'s state machine differs from another's after applying index " + index);
    }
  }

  private void checkDigest(RaftMember member, long index, long digest) {
    Long first = contentDigestAt.putIfAbsent(index, digest);
    if (first != null && first != digest) {
      fail(
          "state machine safety",
          member.name() + "'s key-value content differs from another's at index " + index);
    }
  }

  /**
   * Runs protocol code for {@code member}: an exception from it is a violation ("exception") with
   * its stack trace, ending the run; a {@link SimulationFailure} passes through.
   */
  <T> T guard(RaftMember member, String what, java.util.function.Supplier<T> action) {
    try {
      return action.get();
    } catch (SimulationFailure failure) {
      throw failure;
    } catch (RuntimeException e) {
      java.io.StringWriter stack = new java.io.StringWriter();
      e.printStackTrace(new java.io.PrintWriter(stack));
      fail(
          "exception",
          member.name()
              + " threw in "
              + what
              + " at "
              + io.ringkv.sim.SimTime.format(simulation.nowNanos())
              + ": "
              + e
              + "\n"
              + stack);
      throw e;
    }
  }

  void guard(RaftMember member, String what, Runnable action) {
    guard(
        member,
        what,
        () -> {
          action.run();
          return null;
        });
  }

  /** Records a violation and ends the run. */
  void fail(String checker, String message) {
    Violation violation = new Violation(checker, simulation.nowNanos(), message);
    violations.add(violation);
    simulation.trace("VIOLATION " + violation);
    throw new SimulationFailure(violation.toString(), null);
  }
}
