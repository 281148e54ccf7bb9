package io.ringkv.cluster.ring;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.common.ConsistencyLevel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which replicas a request for one token goes to and how many must answer: a value, computed from
 * one metadata snapshot, separate from sending (Cassandra's {@code ReplicaPlan}). The coordinator
 * keeps the plan for the life of the request, so the epoch it was made at travels with it.
 *
 * <p>How many must answer ({@code blockFor}), with RF the keyspace's total replication factor and
 * RF(dc) its factor in one datacenter (Cassandra's rules):
 *
 * <ul>
 *   <li>ONE, TWO, THREE: 1, 2, 3. ANY (writes only): 1, and a hint counts.
 *   <li>QUORUM: RF / 2 + 1. ALL: RF.
 *   <li>LOCAL_ONE: 1 replica in the coordinator's datacenter. LOCAL_QUORUM: RF(local) / 2 + 1
 *       replicas in the coordinator's datacenter; under SimpleStrategy, which has no per-datacenter
 *       factor, RF / 2 + 1 replicas in the coordinator's datacenter (the same as QUORUM in a
 *       cluster of one datacenter).
 *   <li>EACH_QUORUM: RF(dc) / 2 + 1 in every datacenter of a NetworkTopologyStrategy keyspace, and
 *       their sum overall; under SimpleStrategy it is QUORUM.
 * </ul>
 *
 * <p>A level is impossible ({@link ImpossiblePlan}) when it asks for more replicas than the
 * keyspace has (THREE with RF 2), is ANY for a read, names a local datacenter where the keyspace
 * has no replicas, or needs more replicas (overall or in a datacenter) than the ring holds for the
 * token. Whether enough of them are alive is the coordinator's question, not the plan's.
 *
 * <p>Preference order: the coordinator itself if it is a replica, then the other replicas of its
 * datacenter, then the rest, each group in ring-walk order. Reads send their data request to the
 * first; the coordinator may re-rank by measured latency (part 2).
 *
 * <p>Joining members are not on the placement ring, so they are not here yet; writes to pending
 * replicas come with the join protocol (part 2).
 *
 * <p>Immutable value.
 *
 * @param epoch the metadata epoch the plan was made at
 * @param keyspace the keyspace
 * @param token the token of the request's key
 * @param operation read or write
 * @param consistencyLevel the level asked for
 * @param replicationFactor the keyspace's total replication factor
 * @param replicas every replica of the token, in preference order
 * @param blockFor how many replicas must answer in all
 * @param blockForPerDatacenter how many must answer in particular datacenters (the coordinator's
 *     for LOCAL_ONE and LOCAL_QUORUM, each one for EACH_QUORUM under NTS; empty otherwise)
 */
public record ReplicaPlan(
    long epoch,
    String keyspace,
    Token token,
    Operation operation,
    ConsistencyLevel consistencyLevel,
    int replicationFactor,
    List<Replica> replicas,
    int blockFor,
    SortedMap<String, Integer> blockForPerDatacenter)
    implements ReplicaPlanResult {

  /** What the request does; ANY is for writes only. */
  public enum Operation {
    READ,
    WRITE
  }

  /** A replica and its datacenter, which the coordinator needs to count local answers. */
  public record Replica(NodeId node, String datacenter) {
    public Replica {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(datacenter, "datacenter");
    }
  }

  public ReplicaPlan {
    Objects.requireNonNull(keyspace, "keyspace");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(consistencyLevel, "consistency level");
    replicas = List.copyOf(replicas);
    blockForPerDatacenter = Collections.unmodifiableSortedMap(new TreeMap<>(blockForPerDatacenter));
    Set<NodeId> seen = new HashSet<>();
    for (Replica replica : replicas) {
      if (!seen.add(replica.node())) {
        throw new IllegalArgumentException("replica " + replica.node() + " is listed twice");
      }
    }
    if (blockFor < 1) {
      throw new IllegalArgumentException("blockFor must be >= 1, was " + blockFor);
    }
  }

  /** A plan for reading {@code token} of {@code keyspace}, coordinated by {@code coordinator}. */
  public static ReplicaPlanResult forRead(
      ClusterMetadata metadata,
      String keyspace,
      Token token,
      ConsistencyLevel level,
      NodeId coordinator) {
    return plan(metadata, keyspace, token, level, coordinator, Operation.READ);
  }

  /** A plan for writing {@code token} of {@code keyspace}, coordinated by {@code coordinator}. */
  public static ReplicaPlanResult forWrite(
      ClusterMetadata metadata,
      String keyspace,
      Token token,
      ConsistencyLevel level,
      NodeId coordinator) {
    return plan(metadata, keyspace, token, level, coordinator, Operation.WRITE);
  }

  /**
   * A plan for {@code operation} on {@code token}.
   *
   * @throws IllegalArgumentException if {@code coordinator} is not a member (a programmer error: a
   *     node coordinates only once it is in the metadata)
   */
  public static ReplicaPlanResult plan(
      ClusterMetadata metadata,
      String keyspaceName,
      Token token,
      ConsistencyLevel level,
      NodeId coordinator,
      Operation operation) {
    Member coordinatorMember =
        metadata
            .member(coordinator)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "coordinator "
                            + coordinator
                            + " is not a member at epoch "
                            + metadata.epoch()));
    String localDatacenter = coordinatorMember.datacenter();
    Keyspace keyspace = metadata.keyspace(keyspaceName).orElse(null);
    if (keyspace == null) {
      return new ImpossiblePlan(
          keyspaceName, level, 0, "no such keyspace at epoch " + metadata.epoch());
    }
    ReplicationStrategy strategy = keyspace.replication();
    int replicationFactor = strategy.totalReplicationFactor();
    if (operation == Operation.READ && !level.allowsReads()) {
      return new ImpossiblePlan(keyspaceName, level, replicationFactor, "ANY is for writes only");
    }
    boolean perDatacenterFactors = strategy instanceof NetworkTopologyStrategy;
    TreeMap<String, Integer> perDatacenter = new TreeMap<>();
    int blockFor;
    switch (level) {
      case ONE, ANY -> blockFor = 1;
      case TWO -> blockFor = 2;
      case THREE -> blockFor = 3;
      case QUORUM -> blockFor = quorum(replicationFactor);
      case ALL -> blockFor = replicationFactor;
      case LOCAL_ONE, LOCAL_QUORUM -> {
        int localFactor =
            perDatacenterFactors ? strategy.replicationFactor(localDatacenter) : replicationFactor;
        if (localFactor == 0) {
          return new ImpossiblePlan(
              keyspaceName,
              level,
              replicationFactor,
              "the keyspace has no replicas in the coordinator's datacenter " + localDatacenter);
        }
        blockFor = level == ConsistencyLevel.LOCAL_ONE ? 1 : quorum(localFactor);
        perDatacenter.put(localDatacenter, blockFor);
      }
      case EACH_QUORUM -> {
        if (strategy instanceof NetworkTopologyStrategy nts) {
          blockFor = 0;
          for (Map.Entry<String, Integer> entry : nts.replicationFactors().entrySet()) {
            int datacenterQuorum = quorum(entry.getValue());
            perDatacenter.put(entry.getKey(), datacenterQuorum);
            blockFor += datacenterQuorum;
          }
        } else {
          blockFor = quorum(replicationFactor);
        }
      }
      default -> throw new AssertionError("unhandled consistency level " + level);
    }
    if (blockFor > replicationFactor) {
      return new ImpossiblePlan(
          keyspaceName,
          level,
          replicationFactor,
          "it needs " + blockFor + " replicas but the keyspace keeps " + replicationFactor);
    }

    TokenRing ring = metadata.ring();
    List<NodeId> natural = strategy.replicas(ring, token);
    if (level != ConsistencyLevel.ANY) {
      // Per datacenter first: its message says where the replicas are missing.
      for (Map.Entry<String, Integer> entry : perDatacenter.entrySet()) {
        int present = 0;
        for (NodeId node : natural) {
          if (ring.datacenter(node).equals(entry.getKey())) {
            present++;
          }
        }
        if (entry.getValue() > present) {
          return new ImpossiblePlan(
              keyspaceName,
              level,
              replicationFactor,
              "it needs "
                  + entry.getValue()
                  + " replicas in datacenter "
                  + entry.getKey()
                  + " but the ring holds only "
                  + present
                  + " there for token "
                  + token
                  + " at epoch "
                  + metadata.epoch());
        }
      }
      if (blockFor > natural.size()) {
        return new ImpossiblePlan(
            keyspaceName,
            level,
            replicationFactor,
            "it needs "
                + blockFor
                + " replicas but the ring holds only "
                + natural.size()
                + " for token "
                + token
                + " at epoch "
                + metadata.epoch());
      }
    }
    return new ReplicaPlan(
        metadata.epoch(),
        keyspaceName,
        token,
        operation,
        level,
        replicationFactor,
        preferenceOrder(ring, natural, coordinator, localDatacenter),
        blockFor,
        perDatacenter);
  }

  /** floor(factor / 2) + 1. */
  static int quorum(int factor) {
    return factor / 2 + 1;
  }

  private static List<Replica> preferenceOrder(
      TokenRing ring, List<NodeId> natural, NodeId coordinator, String localDatacenter) {
    List<Replica> ordered = new ArrayList<>(natural.size());
    List<Replica> remote = new ArrayList<>();
    for (NodeId node : natural) {
      Replica replica = new Replica(node, ring.datacenter(node));
      if (node.equals(coordinator)) {
        ordered.add(0, replica);
      } else if (replica.datacenter().equals(localDatacenter)) {
        ordered.add(replica);
      } else {
        remote.add(replica);
      }
    }
    ordered.addAll(remote);
    return ordered;
  }

  /** The replicas' node ids, in preference order. */
  public List<NodeId> nodes() {
    List<NodeId> nodes = new ArrayList<>(replicas.size());
    for (Replica replica : replicas) {
      nodes.add(replica.node());
    }
    return List.copyOf(nodes);
  }

  /**
   * True if answers from {@code answered} meet the level: at least {@code blockFor} replicas in all
   * and the per-datacenter counts. Nodes that are not replicas do not count (for ANY, a hint stored
   * elsewhere counts; the coordinator checks that itself).
   */
  public boolean satisfiedBy(Collection<NodeId> answered) {
    Set<NodeId> answers = new HashSet<>(answered);
    int total = 0;
    TreeMap<String, Integer> perDatacenter = new TreeMap<>();
    for (Replica replica : replicas) {
      if (answers.contains(replica.node())) {
        total++;
        perDatacenter.merge(replica.datacenter(), 1, Integer::sum);
      }
    }
    if (total < blockFor) {
      return false;
    }
    for (Map.Entry<String, Integer> entry : blockForPerDatacenter.entrySet()) {
      if (perDatacenter.getOrDefault(entry.getKey(), 0) < entry.getValue()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public ReplicaPlan orElseThrow() {
    return this;
  }
}
