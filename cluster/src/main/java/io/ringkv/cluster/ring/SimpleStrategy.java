package io.ringkv.cluster.ring;

import io.ringkv.cluster.metadata.NodeId;
import java.util.ArrayList;
import java.util.List;

/**
 * SimpleStrategy (Dynamo's preference list, Cassandra's {@code SimpleStrategy}): the replicas of a
 * token are the first {@code replicationFactor} distinct nodes met walking the ring clockwise from
 * the range that holds it. Datacenters and racks play no part.
 *
 * <p>Immutable value; thread-safe.
 *
 * @param replicationFactor replicas per token, 1 to {@link #REPLICATION_FACTOR_MAX}
 */
public record SimpleStrategy(int replicationFactor) implements ReplicationStrategy {
  public SimpleStrategy {
    ReplicationStrategy.checkReplicationFactor("replication factor", replicationFactor);
  }

  @Override
  public List<NodeId> replicasForRange(TokenRing ring, int rangeIndex) {
    int wanted = Math.min(replicationFactor, ring.nodeCount());
    List<NodeId> replicas = new ArrayList<>(wanted);
    boolean[] taken = new boolean[ring.nodeCount()];
    int size = ring.size();
    for (int step = 0; step < size && replicas.size() < wanted; step++) {
      int index = rangeIndex + step;
      int owner = ring.ownerIndex(index >= size ? index - size : index);
      if (!taken[owner]) {
        taken[owner] = true;
        replicas.add(ring.node(owner));
      }
    }
    return List.copyOf(replicas);
  }

  @Override
  public int totalReplicationFactor() {
    return replicationFactor;
  }

  @Override
  public int replicationFactor(String datacenter) {
    return replicationFactor;
  }

  @Override
  public int effectiveReplicationFactor(TokenRing ring) {
    return Math.min(replicationFactor, ring.nodeCount());
  }

  @Override
  public String toString() {
    return "SimpleStrategy{replication_factor=" + replicationFactor + "}";
  }
}
