package io.ringkv.cluster.ring;

import io.ringkv.cluster.metadata.NodeId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * NetworkTopologyStrategy (Cassandra's, 4.0 algorithm): a replication factor per datacenter, and
 * within a datacenter replicas on distinct racks first.
 *
 * <p>The walk goes clockwise from the range that holds the token, once around the ring at most.
 * Each node met for the first time, in a datacenter that still needs replicas, is taken if its rack
 * is new in that datacenter; a node on a rack already used is taken only while the datacenter may
 * still repeat racks, {@code rf - racks} times (when it has fewer racks than its replication
 * factor), and is otherwise passed over for good. A datacenter is done when it has {@code min(rf,
 * nodes in the DC)} replicas. The result: the first node met on each rack, and when racks are fewer
 * than the replication factor, the earliest other nodes of the datacenter; in walk order.
 *
 * <p>Datacenters named here without members on the ring get no replicas (requests that need them
 * are impossible, see {@link ReplicaPlan}); members in datacenters not named here hold no replicas.
 *
 * <p>Immutable value; thread-safe.
 *
 * @param replicationFactors replicas per datacenter (each 1 to {@link #REPLICATION_FACTOR_MAX}),
 *     held sorted by datacenter name
 */
public record NetworkTopologyStrategy(SortedMap<String, Integer> replicationFactors)
    implements ReplicationStrategy {
  /** The most datacenters one keyspace may name. */
  public static final int DATACENTERS_MAX = 64;

  public NetworkTopologyStrategy {
    if (replicationFactors == null || replicationFactors.isEmpty()) {
      throw new IllegalArgumentException("replication factors must name at least one datacenter");
    }
    if (replicationFactors.size() > DATACENTERS_MAX) {
      throw new IllegalArgumentException(
          "replication factors name "
              + replicationFactors.size()
              + " datacenters; at most "
              + DATACENTERS_MAX);
    }
    TreeMap<String, Integer> copy = new TreeMap<>();
    for (Map.Entry<String, Integer> entry : replicationFactors.entrySet()) {
      String datacenter = entry.getKey();
      if (datacenter == null || entry.getValue() == null) {
        throw new IllegalArgumentException("replication factors hold a null datacenter or factor");
      }
      ReplicationStrategy.checkReplicationFactor(
          "replication factor of datacenter " + datacenter, entry.getValue());
      copy.put(datacenter, entry.getValue());
    }
    replicationFactors = Collections.unmodifiableSortedMap(copy);
  }

  /** The strategy with {@code replicationFactors}, in any map's order. */
  public static NetworkTopologyStrategy of(Map<String, Integer> replicationFactors) {
    return new NetworkTopologyStrategy(new TreeMap<>(replicationFactors));
  }

  @Override
  public List<NodeId> replicasForRange(TokenRing ring, int rangeIndex) {
    // Per datacenter: replicas still wanted, rack repeats still allowed, racks used.
    Map<String, int[]> left = new TreeMap<>();
    int datacentersLeft = 0;
    for (Map.Entry<String, Integer> entry : replicationFactors.entrySet()) {
      String datacenter = entry.getKey();
      int wanted = Math.min(entry.getValue(), ring.nodeCount(datacenter));
      if (wanted > 0) {
        int repeats = entry.getValue() - ring.rackCount(datacenter);
        left.put(datacenter, new int[] {wanted, repeats});
        datacentersLeft++;
      }
    }
    int total = totalReplicationFactor();
    List<NodeId> replicas = new ArrayList<>(total);
    boolean[] taken = new boolean[ring.nodeCount()];
    // Membership only, never iterated: keyed by datacenter and rack together.
    Set<String> racksUsed = new HashSet<>();
    int size = ring.size();
    for (int step = 0; step < size && datacentersLeft > 0; step++) {
      int index = rangeIndex + step;
      int owner = ring.ownerIndex(index >= size ? index - size : index);
      if (taken[owner]) {
        continue;
      }
      String datacenter = ring.datacenterAt(owner);
      int[] state = left.get(datacenter);
      if (state == null || state[0] == 0) {
        continue;
      }
      boolean newRack = racksUsed.add(datacenter + '\u0000' + ring.rackAt(owner));
      if (!newRack) {
        if (state[1] <= 0) {
          continue;
        }
        state[1]--;
      }
      taken[owner] = true;
      replicas.add(ring.node(owner));
      state[0]--;
      if (state[0] == 0) {
        datacentersLeft--;
      }
    }
    return List.copyOf(replicas);
  }

  @Override
  public int totalReplicationFactor() {
    int total = 0;
    for (int factor : replicationFactors.values()) {
      total += factor;
    }
    return total;
  }

  @Override
  public int replicationFactor(String datacenter) {
    return replicationFactors.getOrDefault(datacenter, 0);
  }

  @Override
  public int effectiveReplicationFactor(TokenRing ring) {
    int total = 0;
    for (Map.Entry<String, Integer> entry : replicationFactors.entrySet()) {
      total += Math.min(entry.getValue(), ring.nodeCount(entry.getKey()));
    }
    return total;
  }

  @Override
  public String toString() {
    return "NetworkTopologyStrategy" + replicationFactors;
  }
}
