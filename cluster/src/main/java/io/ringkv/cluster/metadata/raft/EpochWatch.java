package io.ringkv.cluster.metadata.raft;

import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Decides when a node in raft mode fetches the metadata from a peer: gossip carries the metadata
 * epoch each node has applied, and a node that sees a live peer ahead of it for {@link
 * #ticksBehindMax} consecutive ticks asks that peer (the one furthest ahead; ties by name) for the
 * whole metadata. The wait is there because the log normally brings the new epoch within a tick or
 * two; a fetch is for a node the log does not reach (not yet in the group, or cut off from the
 * leader but not from its peers).
 *
 * <p>Not thread-safe: the cluster loop's.
 */
public final class EpochWatch {
  private final int ticksBehindMax;
  private int ticksBehind;

  /** A watch that fetches after {@code ticksBehindMax} ticks behind (at least 1). */
  public EpochWatch(int ticksBehindMax) {
    if (ticksBehindMax < 1) {
      throw new IllegalArgumentException("ticks behind max must be >= 1, was " + ticksBehindMax);
    }
    this.ticksBehindMax = ticksBehindMax;
  }

  /**
   * One tick.
   *
   * @param ownEpoch the epoch this node has
   * @param livePeerEpochs the epoch each live peer announced, by name
   * @return the peer to fetch from now, if it is time
   */
  public Optional<String> tick(long ownEpoch, SortedMap<String, Long> livePeerEpochs) {
    String ahead = null;
    long aheadEpoch = ownEpoch;
    for (Map.Entry<String, Long> peer : livePeerEpochs.entrySet()) {
      if (peer.getValue() > aheadEpoch) {
        ahead = peer.getKey();
        aheadEpoch = peer.getValue();
      }
    }
    if (ahead == null) {
      ticksBehind = 0;
      return Optional.empty();
    }
    ticksBehind++;
    return ticksBehind >= ticksBehindMax ? Optional.of(ahead) : Optional.empty();
  }
}
