package io.ringkv.cluster.ring;

import io.ringkv.cluster.metadata.NodeId;
import java.util.List;

/**
 * How a keyspace places the replicas of a token on the ring: {@link SimpleStrategy} (walk the ring
 * clockwise) or {@link NetworkTopologyStrategy} (a replication factor per datacenter, distinct
 * racks first). A keyspace's replication setting is one of these values.
 *
 * <p>The replicas of a token are those of the range that holds it, the range ending at the first
 * ring token at or after it. They come in the order the walk meets them (the natural order); {@link
 * ReplicaPlan} reorders them by preference.
 *
 * <p>Implementations are immutable values and thread-safe.
 */
public sealed interface ReplicationStrategy permits SimpleStrategy, NetworkTopologyStrategy {
  /** The largest replication factor of one keyspace (in each datacenter for NTS). */
  int REPLICATION_FACTOR_MAX = 32;

  /**
   * The replicas of {@code token}, in walk order: fewer than the replication factor when the ring
   * has too few members; empty on an empty ring.
   */
  default List<NodeId> replicas(TokenRing ring, Token token) {
    if (ring.isEmpty()) {
      return List.of();
    }
    return replicasForRange(ring, ring.rangeIndexOf(token));
  }

  /** The replicas of the range that ends at ring index {@code rangeIndex}, in walk order. */
  List<NodeId> replicasForRange(TokenRing ring, int rangeIndex);

  /** The number of replicas of each token when the ring has enough members: the sum over DCs. */
  int totalReplicationFactor();

  /**
   * The number of replicas this strategy wants in {@code datacenter}. SimpleStrategy ignores
   * datacenters and answers its replication factor for any of them.
   */
  int replicationFactor(String datacenter);

  /**
   * The number of replicas each token gets on {@code ring}: the replication factor, or less where
   * the ring has too few members (in a datacenter, for NTS).
   */
  int effectiveReplicationFactor(TokenRing ring);

  static void checkReplicationFactor(String field, int replicationFactor) {
    if (replicationFactor < 1 || replicationFactor > REPLICATION_FACTOR_MAX) {
      throw new IllegalArgumentException(
          field + " must be in [1, " + REPLICATION_FACTOR_MAX + "], was " + replicationFactor);
    }
  }
}
