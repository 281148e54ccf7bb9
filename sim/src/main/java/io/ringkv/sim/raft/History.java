package io.ringkv.sim.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The clients' history for the linearizability checker: every operation invoked, with when it was
 * invoked and when and how it was answered. An operation the client gave up on (its deadline
 * passed) or still waiting at the end is indeterminate if it is a write (it may yet have taken
 * effect) and is left out if it is a read (an unanswered read constrains nothing).
 *
 * <p>Bounds: one record per operation invoked; a run invokes at most a few thousand. Not
 * thread-safe.
 */
public final class History {
  private record Invoked(int client, long invokeNanos, KvOperation operation) {}

  private final TreeMap<Integer, Invoked> pending = new TreeMap<>();
  private final List<HistoryOperation> finished = new ArrayList<>();
  private int invoked;
  private long completed;
  private long indeterminate;
  private long readsAbandoned;

  /**
   * Records an invocation; returns the operation's id, for {@link #complete} or {@link #abandon}.
   */
  int invoke(int client, KvOperation operation, long nowNanos) {
    int id = invoked++;
    pending.put(id, new Invoked(client, nowNanos, operation));
    return id;
  }

  void complete(int id, long result, long nowNanos) {
    Invoked operation = remove(id);
    finished.add(
        HistoryOperation.completed(
            id,
            operation.client(),
            operation.invokeNanos(),
            nowNanos,
            operation.operation(),
            result));
    completed++;
  }

  /** The client gave up waiting for {@code id}'s answer. */
  void abandon(int id) {
    Invoked operation = remove(id);
    if (operation.operation().isWrite()) {
      finished.add(
          HistoryOperation.indeterminate(
              id, operation.client(), operation.invokeNanos(), operation.operation()));
      indeterminate++;
    } else {
      readsAbandoned++;
    }
  }

  /** Every operation to check: those answered, and writes never answered (indeterminate). */
  public List<HistoryOperation> operations() {
    List<HistoryOperation> all = new ArrayList<>(finished);
    for (var entry : pending.entrySet()) {
      Invoked operation = entry.getValue();
      if (operation.operation().isWrite()) {
        all.add(
            HistoryOperation.indeterminate(
                entry.getKey(),
                operation.client(),
                operation.invokeNanos(),
                operation.operation()));
      }
    }
    return all;
  }

  public int invoked() {
    return invoked;
  }

  public long completed() {
    return completed;
  }

  /** Writes given up on, plus writes still waiting. */
  public long indeterminate() {
    long waitingWrites = 0;
    for (Invoked operation : pending.values()) {
      if (operation.operation().isWrite()) {
        waitingWrites++;
      }
    }
    return indeterminate + waitingWrites;
  }

  /** Reads given up on, plus reads still waiting: left out of the check. */
  public long readsUnanswered() {
    return readsAbandoned + (pending.size() - (indeterminate() - indeterminate));
  }

  private Invoked remove(int id) {
    Invoked operation = pending.remove(id);
    if (operation == null) {
      throw new IllegalStateException("operation " + id + " is not waiting for an answer");
    }
    return operation;
  }
}
