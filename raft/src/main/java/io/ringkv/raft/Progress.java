package io.ringkv.raft;

/**
 * What a leader knows of one member's log, and how it sends to it (etcd's {@code Progress}, after
 * the flow control of its design doc):
 *
 * <ul>
 *   <li>{@link State#PROBE}: the leader does not know where the logs match; it sends one append at
 *       a time and waits for the answer (or the next heartbeat answer) before the next;
 *   <li>{@link State#REPLICATE}: the logs match up to {@code match}; the leader streams appends
 *       optimistically, advancing {@code next} as it sends, up to the {@link Inflights} bound;
 *   <li>{@link State#SNAPSHOT}: the member needs entries the leader has compacted; the leader sent
 *       its snapshot and sends nothing else until it is acknowledged, reported or timed out.
 * </ul>
 *
 * <p>Invariant: {@code match < next}. Not thread-safe: owned by its {@link RaftNode}.
 */
final class Progress {
  enum State {
    PROBE,
    REPLICATE,
    SNAPSHOT
  }

  long match;
  long next;
  State state = State.PROBE;

  /** In {@link State#PROBE}: an append was sent and neither answered nor a heartbeat answered. */
  boolean probeSent;

  /** In {@link State#SNAPSHOT}: the index of the snapshot sent. */
  long pendingSnapshotIndex;

  /** In {@link State#SNAPSHOT}: ticks since the snapshot was sent. */
  int snapshotElapsedTicks;

  /** Heard from since the last quorum check. */
  boolean recentActive;

  /** The highest read round this member acknowledged in a heartbeat answer. */
  long readRoundAcknowledged;

  /** The highest leader tick this member echoed in a heartbeat answer, or -1. */
  long leaseTickAcknowledged = -1;

  final Inflights inflights;

  Progress(long next, int inflightAppendsMax, long inflightBytesMax) {
    this.next = next;
    this.inflights = new Inflights(inflightAppendsMax, inflightBytesMax);
  }

  void becomeProbe() {
    if (state == State.SNAPSHOT) {
      next = Math.max(match + 1, pendingSnapshotIndex + 1);
    } else {
      next = match + 1;
    }
    resetState(State.PROBE);
  }

  void becomeReplicate() {
    next = match + 1;
    resetState(State.REPLICATE);
  }

  void becomeSnapshot(long snapshotIndex) {
    resetState(State.SNAPSHOT);
    pendingSnapshotIndex = snapshotIndex;
  }

  private void resetState(State newState) {
    state = newState;
    probeSent = false;
    pendingSnapshotIndex = 0;
    snapshotElapsedTicks = 0;
    inflights.reset();
  }

  /** An acknowledgement up to {@code index}; false if it told nothing new. */
  boolean maybeUpdate(long index) {
    boolean updated = false;
    if (match < index) {
      match = index;
      updated = true;
      probeSent = false;
    }
    next = Math.max(next, index + 1);
    return updated;
  }

  /**
   * A rejection of the append after {@code rejected}, with the member's hint that the logs may
   * match at {@code matchHint}; false if the rejection is stale (answers an older send).
   */
  boolean maybeDecrementTo(long rejected, long matchHint) {
    if (state == State.REPLICATE) {
      if (rejected <= match) {
        return false;
      }
      next = match + 1;
      return true;
    }
    if (next - 1 != rejected) {
      return false;
    }
    next = Math.max(Math.min(rejected, matchHint + 1), match + 1);
    probeSent = false;
    return true;
  }

  boolean isPaused() {
    return switch (state) {
      case PROBE -> probeSent;
      case REPLICATE -> inflights.isFull();
      case SNAPSHOT -> true;
    };
  }

  /**
   * Records an append just sent holding entries up to {@code lastIndex} ({@code bytes} of them).
   */
  void sentAppend(int entryCount, long lastIndex, long bytes) {
    switch (state) {
      case REPLICATE -> {
        if (entryCount > 0) {
          next = lastIndex + 1;
          inflights.add(lastIndex, bytes);
        }
      }
      case PROBE -> probeSent = true;
      case SNAPSHOT -> throw new IllegalStateException("append sent in snapshot state");
    }
  }
}
