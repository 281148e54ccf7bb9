package io.ringkv.cluster.ring;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.NodeId;
import java.math.BigInteger;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How much of the token space each node holds, in exact token counts out of 2^64.
 *
 * <p>Primary ownership: each node's primary ranges, the ranges ending at its tokens. Over all ring
 * members it sums to exactly 2^64, 100%. Effective ownership for a keyspace: each node's share of
 * the ranges it replicates under the keyspace's strategy; it sums to exactly {@code RF x 2^64} (RF
 * x 100%) when the ring has enough members, and to the effective RF times 2^64 when it has fewer
 * ({@link ReplicationStrategy#effectiveReplicationFactor}). These are {@code nodetool status}'s
 * "Owns" and "Owns (effective)".
 *
 * <p>Immutable value.
 *
 * @param tokenCounts tokens held per ring member, sorted by node id (every ring member, 0 included)
 */
public record Ownership(SortedMap<NodeId, BigInteger> tokenCounts) {
  private static final double RING_SIZE = 0x1.0p64;

  public Ownership {
    tokenCounts = Collections.unmodifiableSortedMap(new TreeMap<>(tokenCounts));
  }

  /** Each ring member's primary ranges. */
  public static Ownership primary(TokenRing ring) {
    TreeMap<NodeId, BigInteger> counts = zeroes(ring);
    for (int i = 0; i < ring.size(); i++) {
      counts.merge(ring.owner(i), ring.range(i).size(), BigInteger::add);
    }
    return new Ownership(counts);
  }

  /** Each ring member's share of the ranges it replicates under {@code strategy}. */
  public static Ownership effective(TokenRing ring, ReplicationStrategy strategy) {
    TreeMap<NodeId, BigInteger> counts = zeroes(ring);
    for (int i = 0; i < ring.size(); i++) {
      BigInteger size = ring.range(i).size();
      List<NodeId> replicas = strategy.replicasForRange(ring, i);
      for (NodeId replica : replicas) {
        counts.merge(replica, size, BigInteger::add);
      }
    }
    return new Ownership(counts);
  }

  /**
   * Effective ownership of keyspace {@code keyspace} on the placement ring of {@code metadata}.
   *
   * @throws IllegalArgumentException if there is no such keyspace
   */
  public static Ownership effective(ClusterMetadata metadata, String keyspace) {
    Keyspace found =
        metadata
            .keyspace(keyspace)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no keyspace " + keyspace + " at epoch " + metadata.epoch()));
    return effective(metadata.ring(), found.replication());
  }

  /**
   * The fraction of the ring {@code node} holds: 0 to 1 (primary), 0 to 1 per replica (effective).
   */
  public double fraction(NodeId node) {
    BigInteger count = tokenCounts.get(node);
    return count == null ? 0.0 : count.doubleValue() / RING_SIZE;
  }

  /** Every member's fraction, sorted by node id. */
  public SortedMap<NodeId, Double> fractions() {
    TreeMap<NodeId, Double> fractions = new TreeMap<>();
    for (Map.Entry<NodeId, BigInteger> entry : tokenCounts.entrySet()) {
      fractions.put(entry.getKey(), entry.getValue().doubleValue() / RING_SIZE);
    }
    return Collections.unmodifiableSortedMap(fractions);
  }

  /** The sum of every member's tokens: 2^64 times the (effective) replication factor. */
  public BigInteger total() {
    BigInteger total = BigInteger.ZERO;
    for (BigInteger count : tokenCounts.values()) {
      total = total.add(count);
    }
    return total;
  }

  private static TreeMap<NodeId, BigInteger> zeroes(TokenRing ring) {
    TreeMap<NodeId, BigInteger> counts = new TreeMap<>();
    for (NodeId node : ring.nodes()) {
      counts.put(node, BigInteger.ZERO);
    }
    return counts;
  }
}
