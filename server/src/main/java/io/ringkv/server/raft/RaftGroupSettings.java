package io.ringkv.server.raft;

import io.ringkv.raft.RaftConfig;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a {@link RaftGroup} runs, and every bound of its driver in one place (STYLE.md §4); the Raft
 * node's own bounds are in {@link #raft()}. Checked together at construction: a bad value is
 * refused naming the field, the value and the limit.
 *
 * @param groupId the group's id, the same on every member, carried by every Raft envelope
 * @param directory where this member's {@link io.ringkv.raft.log.DurableLog} lives (created)
 * @param raft the Raft node's settings; {@code raft.id()} is this member's id
 * @param tickMillis the length of one Raft tick in real time (election timeouts and heartbeats are
 *     counted in ticks: 100 ms and the defaults give heartbeats every 100 ms and elections after 1
 *     to 2 s, etcd's defaults)
 * @param snapshotEveryEntries after this many entries applied since the last snapshot, the state
 *     machine is snapshotted and the log compacted
 * @param proposalsInFlightMax proposals (local and forwarded), configuration changes and transfers
 *     from submission to outcome; one more fails at once with {@code OVERLOADED}
 * @param readsInFlightMax linearizable barriers waiting for their read index or for the state
 *     machine; one more fails at once with {@code OVERLOADED}
 * @param inboundMessagesMax Raft messages received and not yet stepped; an envelope that would pass
 *     it is dropped and counted (Raft recovers from loss), never blocking the transport thread
 * @param requestTimeoutMillis a proposal, barrier, forward, configuration change or transfer with
 *     no outcome after this long fails with {@code TIMEOUT}
 * @param segmentBytesMax the durable log's segment size
 * @param envelopeBytesMax the Raft messages to one node are split into envelopes of about this many
 *     bytes; at least {@code raft.appendBytesMax()} plus 1 KiB so that one append always fits, and
 *     it must stay below the transport's {@code frameBytesMax}
 * @param leaderAppendsBeforeSync a leader sends its appends and heartbeats before syncing the same
 *     entries to its own disk, so that its fsync overlaps the followers' (Ongaro's thesis §10.2.1).
 *     Safe: the leader counts itself towards a commit only for entries it has stored (the node
 *     moves its own match index in {@code advance}), and it never does so in a {@code Ready} that
 *     changes its term or vote, nor for votes, acknowledgements and transfers, which always wait
 *     for the sync
 */
public record RaftGroupSettings(
    long groupId,
    Path directory,
    RaftConfig raft,
    long tickMillis,
    long snapshotEveryEntries,
    int proposalsInFlightMax,
    int readsInFlightMax,
    int inboundMessagesMax,
    long requestTimeoutMillis,
    long segmentBytesMax,
    int envelopeBytesMax,
    boolean leaderAppendsBeforeSync) {

  /** The largest count accepted for an in-flight bound. */
  public static final int COUNT_LIMIT = 1_000_000;

  public RaftGroupSettings {
    range("groupId", groupId, 1, Long.MAX_VALUE);
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(raft, "raft");
    range("tickMillis", tickMillis, 1, 60_000);
    range("snapshotEveryEntries", snapshotEveryEntries, 1, Long.MAX_VALUE);
    range("proposalsInFlightMax", proposalsInFlightMax, 1, COUNT_LIMIT);
    range("readsInFlightMax", readsInFlightMax, 1, COUNT_LIMIT);
    range("inboundMessagesMax", inboundMessagesMax, 1, COUNT_LIMIT);
    range("requestTimeoutMillis", requestTimeoutMillis, 1, 3_600_000);
    range("segmentBytesMax", segmentBytesMax, 1024, 1L << 40);
    range("envelopeBytesMax", envelopeBytesMax, raft.appendBytesMax() + 1024L, 256L << 20);
  }

  /**
   * Member {@code member} of group {@code groupId} in {@code directory}: Raft's defaults ({@link
   * RaftConfig#defaults}: pre-vote, check-quorum, elections after 10 to 20 ticks), 100 ms ticks, a
   * snapshot every 10,000 entries, 4,096 proposals and 4,096 reads in flight, 16,384 inbound
   * messages queued, 5 s request timeout, 64 MiB segments, 4 MiB envelopes, leader appends before
   * its sync.
   */
  public static RaftGroupSettings defaults(long groupId, long member, Path directory) {
    return new RaftGroupSettings(
        groupId,
        directory,
        RaftConfig.defaults(member),
        100,
        10_000,
        4_096,
        4_096,
        16_384,
        5_000,
        64L << 20,
        4 << 20,
        true);
  }

  /** This member's Raft id. */
  public long member() {
    return raft.id();
  }

  public RaftGroupSettings withRaft(RaftConfig value) {
    return edit(copy -> copy.raft = value);
  }

  public RaftGroupSettings withTickMillis(long value) {
    return edit(copy -> copy.tickMillis = value);
  }

  public RaftGroupSettings withSnapshotEveryEntries(long value) {
    return edit(copy -> copy.snapshotEveryEntries = value);
  }

  /** Other bounds on what is in flight and queued. */
  public RaftGroupSettings withBounds(
      int proposalsInFlight, int readsInFlight, int inboundMessages) {
    return edit(
        copy -> {
          copy.proposalsInFlightMax = proposalsInFlight;
          copy.readsInFlightMax = readsInFlight;
          copy.inboundMessagesMax = inboundMessages;
        });
  }

  public RaftGroupSettings withRequestTimeoutMillis(long value) {
    return edit(copy -> copy.requestTimeoutMillis = value);
  }

  public RaftGroupSettings withLeaderAppendsBeforeSync(boolean value) {
    return edit(copy -> copy.leaderAppendsBeforeSync = value);
  }

  /** These settings with what {@code change} sets on a copy, checked again as a whole. */
  private RaftGroupSettings edit(java.util.function.Consumer<Copy> change) {
    Copy copy = new Copy(this);
    change.accept(copy);
    return copy.settings();
  }

  /** The fields of a {@link RaftGroupSettings}, to change one and build the settings again. */
  private static final class Copy {
    long groupId;
    Path directory;
    RaftConfig raft;
    long tickMillis;
    long snapshotEveryEntries;
    int proposalsInFlightMax;
    int readsInFlightMax;
    int inboundMessagesMax;
    long requestTimeoutMillis;
    long segmentBytesMax;
    int envelopeBytesMax;
    boolean leaderAppendsBeforeSync;

    Copy(RaftGroupSettings settings) {
      groupId = settings.groupId;
      directory = settings.directory;
      raft = settings.raft;
      tickMillis = settings.tickMillis;
      snapshotEveryEntries = settings.snapshotEveryEntries;
      proposalsInFlightMax = settings.proposalsInFlightMax;
      readsInFlightMax = settings.readsInFlightMax;
      inboundMessagesMax = settings.inboundMessagesMax;
      requestTimeoutMillis = settings.requestTimeoutMillis;
      segmentBytesMax = settings.segmentBytesMax;
      envelopeBytesMax = settings.envelopeBytesMax;
      leaderAppendsBeforeSync = settings.leaderAppendsBeforeSync;
    }

    RaftGroupSettings settings() {
      return new RaftGroupSettings(
          groupId,
          directory,
          raft,
          tickMillis,
          snapshotEveryEntries,
          proposalsInFlightMax,
          readsInFlightMax,
          inboundMessagesMax,
          requestTimeoutMillis,
          segmentBytesMax,
          envelopeBytesMax,
          leaderAppendsBeforeSync);
    }
  }

  private static void range(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "], was " + value);
    }
  }
}
