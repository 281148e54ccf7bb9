package io.ringkv.server.cluster;

import java.util.List;

/**
 * What {@code GET /v1/cluster/status} answers and {@code ringkv status} prints: one node's view of
 * the ring (Cassandra's {@code nodetool status}). Serialized as JSON by field name.
 *
 * @param node the node answering
 * @param clusterName its cluster
 * @param epoch the metadata epoch this node has installed (in gossip mode: how many metadata
 *     changes it has seen)
 * @param joinPhase where the answering node is in joining: LISTENING, WAITING_FOR_SEEDS,
 *     WAITING_FOR_EARLIER_JOINER or JOINED
 * @param nodes every node it knows, sorted by id
 * @param hints the answering node's hints: what it holds for others, and its repair debt; null when
 *     it keeps none (not replicating)
 * @param metadata where the metadata comes from and, on Raft, its group; null in gossip mode
 * @param keyspaces the keyspaces of the answering node's metadata, sorted by name (empty in a
 *     report from a build that did not send them)
 */
public record ClusterStatusReport(
    String node,
    String clusterName,
    long epoch,
    String joinPhase,
    List<NodeLine> nodes,
    HintStatus hints,
    MetadataStatus metadata,
    List<KeyspaceLine> keyspaces) {
  public ClusterStatusReport {
    nodes = List.copyOf(nodes);
    keyspaces = keyspaces == null ? List.of() : List.copyOf(keyspaces);
  }

  /** A report without keyspace lines. */
  public ClusterStatusReport(
      String node,
      String clusterName,
      long epoch,
      String joinPhase,
      List<NodeLine> nodes,
      HintStatus hints,
      MetadataStatus metadata) {
    this(node, clusterName, epoch, joinPhase, nodes, hints, metadata, List.of());
  }

  /** A report of a node whose metadata comes from gossip. */
  public ClusterStatusReport(
      String node,
      String clusterName,
      long epoch,
      String joinPhase,
      List<NodeLine> nodes,
      HintStatus hints) {
    this(node, clusterName, epoch, joinPhase, nodes, hints, null, List.of());
  }

  /** This report with the answering node's hint figures. */
  public ClusterStatusReport withHints(HintStatus newHints) {
    return new ClusterStatusReport(
        node, clusterName, epoch, joinPhase, nodes, newHints, metadata, keyspaces);
  }

  /** This report with {@code newKeyspaces} as its keyspace lines. */
  public ClusterStatusReport withKeyspaces(List<KeyspaceLine> newKeyspaces) {
    return new ClusterStatusReport(
        node, clusterName, epoch, joinPhase, nodes, hints, metadata, newKeyspaces);
  }

  /**
   * One keyspace of the answering node's metadata.
   *
   * @param name its name
   * @param replication its replication strategy, as {@code SimpleStrategy(rf=3)} or {@code
   *     NetworkTopologyStrategy({dc1=3, dc2=2})}
   * @param readLevel the default consistency level of reads
   * @param writeLevel the default consistency level of writes
   * @param sloppyQuorum whether writes may count stand-ins
   * @param conflicts {@code lww} or {@code causal} (docs/decisions/007)
   */
  public record KeyspaceLine(
      String name,
      String replication,
      String readLevel,
      String writeLevel,
      boolean sloppyQuorum,
      String conflicts) {

    /** The line of {@code keyspace}. */
    public static KeyspaceLine of(io.ringkv.cluster.metadata.Keyspace keyspace) {
      return new KeyspaceLine(
          keyspace.name(),
          keyspace.replication().toString(),
          keyspace.readLevel().name(),
          keyspace.writeLevel().name(),
          keyspace.sloppyQuorum(),
          keyspace.conflicts().configName());
    }
  }

  /**
   * The metadata group as the answering node sees it ({@code cluster.metadata: raft}).
   *
   * @param mode {@code raft}
   * @param leader the metadata leader's node, or empty if none is known
   * @param role the answering node's role in the group (LEADER, FOLLOWER, ...)
   * @param term the group's term as the answering node knows it
   * @param voters the voters' node ids, sorted
   * @param learners the learners' node ids, sorted
   * @param applied the log index the answering node's metadata reflects
   */
  public record MetadataStatus(
      String mode,
      String leader,
      String role,
      long term,
      List<String> voters,
      List<String> learners,
      long applied) {
    public MetadataStatus {
      voters = List.copyOf(voters);
      learners = List.copyOf(learners);
    }
  }

  /**
   * The answering node's hints (docs/design/replication.md, "Hinted handoff"). Counters count since
   * the node started; pending figures are what its hint files hold now.
   *
   * @param pendingBytes hint bytes waiting for delivery, over all targets
   * @param pendingTargets nodes with hints waiting
   * @param stored hints stored
   * @param delivered hints delivered to their target
   * @param droppedFull hints not kept: hints off or a target's bound full (repair debt)
   * @param droppedExpired hints dropped unsent past the hint window (repair debt)
   * @param repairDebt writes some replica missed for good (droppedFull + droppedExpired): only read
   *     repair or anti-entropy repair brings those replicas up to date
   */
  public record HintStatus(
      long pendingBytes,
      int pendingTargets,
      long stored,
      long delivered,
      long droppedFull,
      long droppedExpired,
      long repairDebt) {}

  /**
   * One node as the answering node sees it.
   *
   * @param id the node's id
   * @param self whether it is the answering node
   * @param state UP or DOWN, in the answering node's failure detector's opinion
   * @param status JOINING, NORMAL, LEAVING or LEFT
   * @param host where it is reached ("" if it has not said)
   * @param internodePort its internode port (0 if unknown)
   * @param respPort its Redis protocol port (0: disabled or unknown)
   * @param httpPort its HTTP port (0: disabled or unknown)
   * @param grpcPort its gRPC port (0: disabled or unknown)
   * @param datacenter its datacenter
   * @param rack its rack
   * @param tokens how many ring tokens it holds
   * @param loadBytes bytes it holds as it last announced (-1: unknown)
   * @param owns the fraction of the ring it is the primary replica of (all nodes sum to 1)
   * @param ownsEffective the fraction it holds a replica of in the default keyspace
   * @param generation its generation (bumped on every restart)
   * @param epochSeen the metadata epoch it last announced (-1: unknown)
   * @param phi the failure detector's suspicion of it (0 for the answering node)
   */
  public record NodeLine(
      String id,
      boolean self,
      String state,
      String status,
      String host,
      int internodePort,
      int respPort,
      int httpPort,
      int grpcPort,
      String datacenter,
      String rack,
      int tokens,
      long loadBytes,
      double owns,
      double ownsEffective,
      long generation,
      long epochSeen,
      double phi) {}
}
