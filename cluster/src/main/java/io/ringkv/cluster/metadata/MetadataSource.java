package io.ringkv.cluster.metadata;

/**
 * Where the rest of the node gets the cluster metadata: the one seam between the ring, the
 * replication coordinator and {@code ringkv status} on one side, and whatever makes the metadata
 * authoritative on the other: gossip in this issue, a Raft log later, {@link
 * InMemoryMetadataSource} for a lone node and tests. Swapping gossip for Raft changes which class
 * implements this, and nothing else.
 *
 * <p>The contract:
 *
 * <ul>
 *   <li>{@link #current} is the newest snapshot this node has installed. Epochs only grow: a source
 *       never installs a snapshot whose epoch is not higher than the current one.
 *   <li>{@link #propose} asks for a change. It is asynchronous in general: gossip applies it
 *       locally at once and spreads it, Raft applies it once the entry commits. The proposer sees
 *       the outcome as a later epoch whose snapshot holds the change. A change that is invalid
 *       against {@link #current} is refused at once with {@link IllegalArgumentException}; one that
 *       becomes invalid before it is applied (a conflicting change won) is dropped, and the
 *       proposer notices that its change never shows up. {@code false} means the source cannot take
 *       proposals now (not the Raft leader and no way to forward, a full proposal queue):
 *       back-pressure, try again later.
 *   <li>Listeners hear of every snapshot installed, in epoch order, on the thread that drives the
 *       source (the node loop), after {@link #current} returns it. A source may skip epochs (gossip
 *       can learn epoch 9 straight after 5), so a listener must diff snapshots, not count on {@code
 *       previous.epoch() + 1}.
 * </ul>
 *
 * <p>Implementations are owned by one node loop and need not be thread-safe; snapshots themselves
 * are immutable and may be handed to any thread.
 */
public interface MetadataSource {

  /** The newest installed snapshot. */
  ClusterMetadata current();

  /**
   * Proposes {@code change}; see the class comment for when it takes effect.
   *
   * @return false if the source cannot take proposals now
   * @throws IllegalArgumentException if the change is invalid against {@link #current}
   */
  boolean propose(MetadataChange change);

  /**
   * Registers {@code listener} for every snapshot installed from now on.
   *
   * @throws IllegalStateException if the source already has as many listeners as it allows
   */
  void subscribe(Listener listener);

  /** Hears of each new snapshot. */
  @FunctionalInterface
  interface Listener {
    /** Called once per installed snapshot, in epoch order, with the one it replaced. */
    void onEpoch(ClusterMetadata previous, ClusterMetadata current);
  }
}
