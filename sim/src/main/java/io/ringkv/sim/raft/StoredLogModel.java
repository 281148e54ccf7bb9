package io.ringkv.sim.raft;

import io.ringkv.raft.Entry;
import io.ringkv.raft.HardState;
import io.ringkv.raft.PersistentState;
import io.ringkv.raft.Snapshot;
import java.util.Arrays;
import java.util.List;

/**
 * What one member's disk must hold, as the checkers believe it from the calls made on its {@link
 * io.ringkv.raft.log.DurableLog}: the snapshot's position, the term and content hash of every
 * stored entry after it, the stored term and vote, and the commit index last written and last
 * synced. It outlives the member's processes (it is about the disk), which is what lets the
 * durability check compare it with what {@code DurableLog} recovers after a crash; and it gives the
 * Raft checkers each member's stored log without reading the files.
 *
 * <p>Durability rule checked: entries are always stored with a sync (a {@code Ready} with entries
 * says {@code mustSync}), and so are term and vote; only a commit index alone may be stored lazily.
 * So after any crash the recovered log must equal this model exactly, except for the commit index
 * (between the last synced and the last written one). After a failed write or sync the disk's state
 * is unknown ({@link #uncertain()}) and the model is rebuilt from what is recovered.
 *
 * <p>Bounds: two longs per stored entry after the snapshot, as the durable log itself keeps the
 * entries in memory. Not thread-safe.
 */
final class StoredLogModel {
  private long snapshotIndex;
  private long snapshotTerm;
  private long[] terms = new long[64];
  private long[] hashes = new long[64];
  private int count;
  private long term;
  private long vote;
  private long commitWritten;
  private long commitSynced;
  private boolean uncertain;

  long snapshotIndex() {
    return snapshotIndex;
  }

  long lastIndex() {
    return snapshotIndex + count;
  }

  long term() {
    return term;
  }

  long vote() {
    return vote;
  }

  long commitWritten() {
    return commitWritten;
  }

  /** Whether a failed write or sync left the disk in a state this model does not know. */
  boolean uncertain() {
    return uncertain;
  }

  /** The term of the stored entry at {@code index} (the snapshot's at its index), or -1. */
  long termAt(long index) {
    if (index == snapshotIndex) {
      return snapshotTerm;
    }
    if (index < snapshotIndex || index > lastIndex()) {
      return -1;
    }
    return terms[(int) (index - snapshotIndex - 1)];
  }

  /** The content hash of the stored entry at {@code index}; the index must be stored. */
  long hashAt(long index) {
    if (index <= snapshotIndex || index > lastIndex()) {
      throw new IllegalArgumentException(
          "no stored entry at " + index + " in (" + snapshotIndex + ", " + lastIndex() + "]");
    }
    return hashes[(int) (index - snapshotIndex - 1)];
  }

  /** Mirrors {@code DurableLog.save}. */
  void save(List<Entry> entries, HardState hardState, boolean sync) {
    for (Entry entry : entries) {
      int position = (int) (entry.index() - snapshotIndex - 1);
      if (position < 0 || position > count) {
        throw new IllegalStateException(
            "entry "
                + entry.index()
                + " stored outside ("
                + snapshotIndex
                + ", "
                + (lastIndex() + 1)
                + "]");
      }
      count = position;
      if (count == terms.length) {
        terms = Arrays.copyOf(terms, count * 2);
        hashes = Arrays.copyOf(hashes, count * 2);
      }
      terms[count] = entry.term();
      hashes[count] = Hashes.content(entry);
      count++;
    }
    if (hardState != null) {
      term = hardState.term();
      vote = hardState.vote();
      commitWritten = hardState.commit();
    }
    if (sync) {
      commitSynced = commitWritten;
    }
  }

  /** Mirrors {@code DurableLog.saveSnapshot}: the tail is kept if it continues the snapshot. */
  void saveSnapshot(Snapshot snapshot) {
    boolean keepsTail = termAt(snapshot.index()) == snapshot.term();
    int drop = (int) Math.min(count, Math.max(0, snapshot.index() - snapshotIndex));
    if (keepsTail) {
      System.arraycopy(terms, drop, terms, 0, count - drop);
      System.arraycopy(hashes, drop, hashes, 0, count - drop);
      count -= drop;
    } else {
      count = 0;
    }
    snapshotIndex = snapshot.index();
    snapshotTerm = snapshot.term();
    // The new segment starts with the hard state, synced.
    commitSynced = commitWritten;
  }

  /** The disk's state is unknown from now until {@link #reset}. */
  void markUncertain() {
    uncertain = true;
  }

  /** Takes what the log recovered as the truth (after a failed sync). */
  void reset(PersistentState recovered) {
    snapshotIndex = recovered.snapshot().index();
    snapshotTerm = recovered.snapshot().term();
    count = 0;
    save(recovered.entries(), recovered.hardState(), true);
    uncertain = false;
  }

  /** Why {@code recovered} is not what this model says must have survived, or null if it is. */
  String whyNotRecovered(PersistentState recovered) {
    Snapshot snapshot = recovered.snapshot();
    if (snapshot.index() != snapshotIndex || snapshot.term() != snapshotTerm) {
      return "snapshot "
          + snapshot.term()
          + "/"
          + snapshot.index()
          + " recovered, "
          + snapshotTerm
          + "/"
          + snapshotIndex
          + " stored";
    }
    HardState hardState = recovered.hardState();
    if (hardState.term() != term || hardState.vote() != vote) {
      return "term "
          + hardState.term()
          + " vote "
          + hardState.vote()
          + " recovered, term "
          + term
          + " vote "
          + vote
          + " stored";
    }
    if (hardState.commit() < Math.min(commitSynced, lastIndex())
        || hardState.commit() > commitWritten) {
      return "commit "
          + hardState.commit()
          + " recovered, outside ["
          + commitSynced
          + ", "
          + commitWritten
          + "] stored";
    }
    List<Entry> entries = recovered.entries();
    if (entries.size() != count) {
      return entries.size() + " entries after the snapshot recovered, " + count + " stored";
    }
    for (Entry entry : entries) {
      if (entry.term() != termAt(entry.index()) || Hashes.content(entry) != hashAt(entry.index())) {
        return "entry " + entry + " recovered, term " + termAt(entry.index()) + " stored there";
      }
    }
    return null;
  }
}
