package io.ringkv.raft;

/**
 * A node's settings: its id, its timers (in ticks: the caller decides how long a tick is) and every
 * bound on its queues and batches, checked together at construction.
 *
 * <p>All nodes of a group should share the same settings except {@code id}; in particular the lease
 * read guarantee needs {@code checkQuorum} on every voter.
 *
 * @param id this node's id, positive
 * @param electionTimeoutTicks a follower that hears nothing from a leader for a random time in
 *     {@code [electionTimeoutTicks, 2 * electionTimeoutTicks)} campaigns; a leader with {@code
 *     checkQuorum} that has not heard from a quorum for this long steps down; a leadership transfer
 *     not done within this long is abandoned
 * @param heartbeatIntervalTicks how often a leader sends heartbeats; less than {@code
 *     electionTimeoutTicks}
 * @param preVote campaign only after a majority says it would vote (thesis §9.6): a node that was
 *     partitioned away does not disrupt the group by raising the term when it comes back
 * @param checkQuorum a leader steps down when it has not heard from a quorum within an election
 *     timeout, and a follower that heard from a leader within the last election timeout ignores
 *     vote requests (thesis §6.2 and §4.2.3)
 * @param leaseReads serve reads without a heartbeat round while the leader holds a lease. Clock
 *     assumption: no node's tick interval is longer than another's by the factor {@code
 *     (electionTimeoutTicks - 1) / leaseDurationTicks} or more (bounded drift, no pauses of the
 *     leader between deciding and serving longer than that margin). The {@code - 1}: a voter's
 *     first tick after the heartbeat may come at once, so the {@code electionTimeoutTicks} ticks it
 *     waits out before voting again span only a little more than {@code electionTimeoutTicks - 1}
 *     intervals, while the lease runs {@code leaseDurationTicks} of the leader's intervals from its
 *     last tick before sending. If that assumption fails, a read may be stale; with {@code
 *     leaseReads} off no clock assumption is made. Needs {@code checkQuorum}.
 * @param leaseDurationTicks how long after sending a heartbeat acknowledged by a quorum the leader
 *     holds its lease, counted in its own ticks; less than {@code electionTimeoutTicks}, and with
 *     {@code leaseReads} at most {@code electionTimeoutTicks - 2} (else no drift at all is
 *     tolerated)
 * @param inflightAppendsMax append messages a leader has in flight to one follower in the replicate
 *     state before waiting for acknowledgements
 * @param inflightBytesMax entry bytes a leader has in flight to one follower
 * @param appendBytesMax entry bytes in one append message (at least one entry is always sent)
 * @param entryBytesMax the largest proposal; at most {@code appendBytesMax}, so one entry always
 *     fits one message
 * @param uncommittedBytesMax entry bytes a leader holds uncommitted before refusing proposals
 * @param committedBytesPerReadyMax committed entry bytes handed out in one {@link Ready} (at least
 *     one entry is always handed out)
 * @param pendingReadsMax read requests a leader holds waiting for confirmation, and a new leader
 *     holds waiting for its first commit
 */
public record RaftConfig(
    long id,
    int electionTimeoutTicks,
    int heartbeatIntervalTicks,
    boolean preVote,
    boolean checkQuorum,
    boolean leaseReads,
    int leaseDurationTicks,
    int inflightAppendsMax,
    long inflightBytesMax,
    int appendBytesMax,
    int entryBytesMax,
    long uncommittedBytesMax,
    long committedBytesPerReadyMax,
    int pendingReadsMax) {

  public RaftConfig {
    positive("id", id);
    positive("heartbeatIntervalTicks", heartbeatIntervalTicks);
    if (electionTimeoutTicks <= heartbeatIntervalTicks) {
      throw new IllegalArgumentException(
          "electionTimeoutTicks must exceed heartbeatIntervalTicks ("
              + heartbeatIntervalTicks
              + "), was "
              + electionTimeoutTicks);
    }
    if (leaseReads && !checkQuorum) {
      throw new IllegalArgumentException("leaseReads needs checkQuorum, which was false");
    }
    positive("leaseDurationTicks", leaseDurationTicks);
    if (leaseDurationTicks >= electionTimeoutTicks) {
      throw new IllegalArgumentException(
          "leaseDurationTicks must be less than electionTimeoutTicks ("
              + electionTimeoutTicks
              + "), was "
              + leaseDurationTicks);
    }
    if (leaseReads && leaseDurationTicks > electionTimeoutTicks - 2) {
      throw new IllegalArgumentException(
          "with leaseReads, leaseDurationTicks must be at most electionTimeoutTicks - 2 ("
              + (electionTimeoutTicks - 2)
              + ") so that some clock drift is tolerated, was "
              + leaseDurationTicks);
    }
    positive("inflightAppendsMax", inflightAppendsMax);
    positive("appendBytesMax", appendBytesMax);
    positive("entryBytesMax", entryBytesMax);
    if (entryBytesMax > appendBytesMax) {
      throw new IllegalArgumentException(
          "entryBytesMax must be at most appendBytesMax ("
              + appendBytesMax
              + "), was "
              + entryBytesMax);
    }
    if (inflightBytesMax < appendBytesMax) {
      throw new IllegalArgumentException(
          "inflightBytesMax must be at least appendBytesMax ("
              + appendBytesMax
              + "), was "
              + inflightBytesMax);
    }
    if (uncommittedBytesMax < entryBytesMax) {
      throw new IllegalArgumentException(
          "uncommittedBytesMax must be at least entryBytesMax ("
              + entryBytesMax
              + "), was "
              + uncommittedBytesMax);
    }
    positive("committedBytesPerReadyMax", committedBytesPerReadyMax);
    positive("pendingReadsMax", pendingReadsMax);
  }

  /** Settings that suit a group of a few nodes on one network, with a tick of about 100 ms. */
  public static Builder builder(long id) {
    return new Builder(id);
  }

  /** The default settings for {@code id}. */
  public static RaftConfig defaults(long id) {
    return builder(id).build();
  }

  private static void positive(String field, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be positive, was " + value);
    }
  }

  /** Builds a {@link RaftConfig}, starting from the defaults. */
  public static final class Builder {
    private final long id;
    private int electionTimeoutTicks = 10;
    private int heartbeatIntervalTicks = 1;
    private boolean preVote = true;
    private boolean checkQuorum = true;
    private boolean leaseReads = false;
    private int leaseDurationTicks = 8;
    private int inflightAppendsMax = 256;
    private long inflightBytesMax = 16L << 20;
    private int appendBytesMax = 1 << 20;
    private int entryBytesMax = 1 << 20;
    private long uncommittedBytesMax = 64L << 20;
    private long committedBytesPerReadyMax = 16L << 20;
    private int pendingReadsMax = 4096;

    private Builder(long id) {
      this.id = id;
    }

    public Builder electionTimeoutTicks(int value) {
      this.electionTimeoutTicks = value;
      return this;
    }

    public Builder heartbeatIntervalTicks(int value) {
      this.heartbeatIntervalTicks = value;
      return this;
    }

    public Builder preVote(boolean value) {
      this.preVote = value;
      return this;
    }

    public Builder checkQuorum(boolean value) {
      this.checkQuorum = value;
      return this;
    }

    public Builder leaseReads(boolean value) {
      this.leaseReads = value;
      return this;
    }

    public Builder leaseDurationTicks(int value) {
      this.leaseDurationTicks = value;
      return this;
    }

    public Builder inflightAppendsMax(int value) {
      this.inflightAppendsMax = value;
      return this;
    }

    public Builder inflightBytesMax(long value) {
      this.inflightBytesMax = value;
      return this;
    }

    public Builder appendBytesMax(int value) {
      this.appendBytesMax = value;
      return this;
    }

    public Builder entryBytesMax(int value) {
      this.entryBytesMax = value;
      return this;
    }

    public Builder uncommittedBytesMax(long value) {
      this.uncommittedBytesMax = value;
      return this;
    }

    public Builder committedBytesPerReadyMax(long value) {
      this.committedBytesPerReadyMax = value;
      return this;
    }

    public Builder pendingReadsMax(int value) {
      this.pendingReadsMax = value;
      return this;
    }

    public RaftConfig build() {
      return new RaftConfig(
          id,
          electionTimeoutTicks,
          heartbeatIntervalTicks,
          preVote,
          checkQuorum,
          leaseReads,
          leaseDurationTicks,
          inflightAppendsMax,
          inflightBytesMax,
          appendBytesMax,
          entryBytesMax,
          uncommittedBytesMax,
          committedBytesPerReadyMax,
          pendingReadsMax);
    }
  }
}
