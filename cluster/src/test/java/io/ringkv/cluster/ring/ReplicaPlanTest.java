package io.ringkv.cluster.ring;

import static io.ringkv.cluster.metadata.MetadataFixtures.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.ReplicaPlan.Operation;
import io.ringkv.common.ConsistencyLevel;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replica plans on a fixed two-datacenter ring, whose walk from token 50 meets n1..n6 in order: dc1
 * holds n1 (r1), n2 (r2), n3 (r3), n4 (r1); dc2 holds n5 (r1), n6 (r2).
 */
class ReplicaPlanTest {
  private static final Token KEY = Token.of(50);
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N5 = NodeId.of("n5");

  private static final ClusterMetadata METADATA =
      ClusterMetadata.of(
          42,
          List.of(
              member("n1", "dc1", "r1", 100),
              member("n2", "dc1", "r2", 200),
              member("n3", "dc1", "r3", 300),
              member("n4", "dc1", "r1", 400),
              member("n5", "dc2", "r1", 500),
              member("n6", "dc2", "r2", 600)),
          List.of(
              keyspace("simple3", new SimpleStrategy(3)),
              keyspace("small", new SimpleStrategy(2)),
              keyspace("wide", new SimpleStrategy(7)),
              keyspace("nts", NetworkTopologyStrategy.of(Map.of("dc1", 3, "dc2", 2))),
              keyspace("ghost", NetworkTopologyStrategy.of(Map.of("dc1", 1, "dc3", 2)))));

  private static Keyspace keyspace(String name, ReplicationStrategy strategy) {
    return new Keyspace(name, strategy, ConsistencyLevel.QUORUM, ConsistencyLevel.QUORUM);
  }

  static Stream<Arguments> blockForTable() {
    return Stream.of(
        // keyspace, level, coordinator, blockFor, per datacenter
        Arguments.of("simple3", ConsistencyLevel.ONE, "n1", 1, Map.of()),
        Arguments.of("simple3", ConsistencyLevel.TWO, "n1", 2, Map.of()),
        Arguments.of("simple3", ConsistencyLevel.THREE, "n1", 3, Map.of()),
        Arguments.of("simple3", ConsistencyLevel.QUORUM, "n1", 2, Map.of()),
        Arguments.of("simple3", ConsistencyLevel.ALL, "n1", 3, Map.of()),
        Arguments.of("simple3", ConsistencyLevel.LOCAL_ONE, "n1", 1, Map.of("dc1", 1)),
        Arguments.of("simple3", ConsistencyLevel.LOCAL_QUORUM, "n1", 2, Map.of("dc1", 2)),
        Arguments.of("simple3", ConsistencyLevel.EACH_QUORUM, "n1", 2, Map.of()),
        Arguments.of("simple3", ConsistencyLevel.ANY, "n1", 1, Map.of()),
        Arguments.of("nts", ConsistencyLevel.ONE, "n1", 1, Map.of()),
        Arguments.of("nts", ConsistencyLevel.TWO, "n1", 2, Map.of()),
        Arguments.of("nts", ConsistencyLevel.THREE, "n1", 3, Map.of()),
        Arguments.of("nts", ConsistencyLevel.QUORUM, "n1", 3, Map.of()),
        Arguments.of("nts", ConsistencyLevel.ALL, "n1", 5, Map.of()),
        Arguments.of("nts", ConsistencyLevel.LOCAL_ONE, "n5", 1, Map.of("dc2", 1)),
        Arguments.of("nts", ConsistencyLevel.LOCAL_QUORUM, "n1", 2, Map.of("dc1", 2)),
        Arguments.of("nts", ConsistencyLevel.LOCAL_QUORUM, "n5", 2, Map.of("dc2", 2)),
        Arguments.of("nts", ConsistencyLevel.EACH_QUORUM, "n1", 4, Map.of("dc1", 2, "dc2", 2)),
        Arguments.of("nts", ConsistencyLevel.ANY, "n1", 1, Map.of()),
        Arguments.of("wide", ConsistencyLevel.ANY, "n1", 1, Map.of()));
  }

  @ParameterizedTest(name = "{0} {1} from {2}: blockFor {3} {4}")
  @MethodSource("blockForTable")
  void forWrite_blockForFollowsCassandraRules(
      String keyspace,
      ConsistencyLevel level,
      String coordinator,
      int blockFor,
      Map<String, Integer> perDatacenter) {
    ReplicaPlan plan =
        ReplicaPlan.forWrite(METADATA, keyspace, KEY, level, NodeId.of(coordinator)).orElseThrow();
    assertThat(plan.blockFor()).isEqualTo(blockFor);
    assertThat(plan.blockForPerDatacenter()).isEqualTo(new TreeMap<>(perDatacenter));
    assertThat(plan.epoch()).isEqualTo(42);
    assertThat(plan.consistencyLevel()).isEqualTo(level);
    assertThat(plan.operation()).isEqualTo(Operation.WRITE);
    assertThat(plan.token()).isEqualTo(KEY);
  }

  @Test
  void forRead_simpleStrategyWalksClockwise() {
    ReplicaPlan plan =
        ReplicaPlan.forRead(METADATA, "simple3", KEY, ConsistencyLevel.QUORUM, N1).orElseThrow();
    assertThat(plan.nodes()).containsExactly(N1, NodeId.of("n2"), NodeId.of("n3"));
    assertThat(plan.replicationFactor()).isEqualTo(3);
    // A key just past n6's token wraps around to n1.
    ReplicaPlan wrapped =
        ReplicaPlan.forRead(METADATA, "simple3", Token.of(601), ConsistencyLevel.ONE, N1)
            .orElseThrow();
    assertThat(wrapped.nodes()).containsExactly(N1, NodeId.of("n2"), NodeId.of("n3"));
  }

  @Test
  void forRead_preferenceIsCoordinatorThenItsDatacenterThenTheRest() {
    ReplicaPlan fromDc2 =
        ReplicaPlan.forRead(METADATA, "nts", KEY, ConsistencyLevel.LOCAL_QUORUM, N5).orElseThrow();
    assertThat(fromDc2.nodes())
        .containsExactly(N5, NodeId.of("n6"), N1, NodeId.of("n2"), NodeId.of("n3"));
    assertThat(fromDc2.replicas().get(0).datacenter()).isEqualTo("dc2");
    ReplicaPlan fromN3 =
        ReplicaPlan.forRead(METADATA, "nts", KEY, ConsistencyLevel.ONE, NodeId.of("n3"))
            .orElseThrow();
    assertThat(fromN3.nodes())
        .containsExactly(NodeId.of("n3"), N1, NodeId.of("n2"), N5, NodeId.of("n6"));
    // n4 is in dc1 but not a replica: rack r1 is taken by n1 and dc1 has three racks.
    ReplicaPlan fromN4 =
        ReplicaPlan.forRead(METADATA, "nts", KEY, ConsistencyLevel.ONE, NodeId.of("n4"))
            .orElseThrow();
    assertThat(fromN4.nodes())
        .containsExactly(N1, NodeId.of("n2"), NodeId.of("n3"), N5, NodeId.of("n6"));
  }

  static Stream<Arguments> impossibleTable() {
    return Stream.of(
        Arguments.of(
            "small",
            ConsistencyLevel.THREE,
            Operation.WRITE,
            "n1",
            "it needs 3 replicas but the keyspace keeps 2"),
        Arguments.of(
            "simple3", ConsistencyLevel.ANY, Operation.READ, "n1", "ANY is for writes only"),
        Arguments.of(
            "ghost",
            ConsistencyLevel.LOCAL_QUORUM,
            Operation.READ,
            "n5",
            "no replicas in the coordinator's datacenter dc2"),
        Arguments.of(
            "ghost",
            ConsistencyLevel.EACH_QUORUM,
            Operation.WRITE,
            "n1",
            "needs 2 replicas in datacenter dc3 but the ring holds only 0 there"),
        Arguments.of(
            "ghost",
            ConsistencyLevel.QUORUM,
            Operation.WRITE,
            "n1",
            "needs 2 replicas but the ring holds only 1 for token 50 at epoch 42"),
        Arguments.of(
            "wide",
            ConsistencyLevel.ALL,
            Operation.WRITE,
            "n1",
            "needs 7 replicas but the ring holds only 6"),
        Arguments.of(
            "simple3",
            ConsistencyLevel.LOCAL_QUORUM,
            Operation.READ,
            "n5",
            "needs 2 replicas in datacenter dc2 but the ring holds only 0 there"),
        Arguments.of(
            "nope", ConsistencyLevel.ONE, Operation.READ, "n1", "no such keyspace at epoch 42"));
  }

  @ParameterizedTest(name = "{0} {1} {2} from {3}")
  @MethodSource("impossibleTable")
  void plan_impossibleLevelIsAValueNamingLevelAndFactor(
      String keyspace,
      ConsistencyLevel level,
      Operation operation,
      String coordinator,
      String reason) {
    ReplicaPlanResult result =
        ReplicaPlan.plan(METADATA, keyspace, KEY, level, NodeId.of(coordinator), operation);
    assertThat(result).isInstanceOf(ImpossiblePlan.class);
    ImpossiblePlan impossible = (ImpossiblePlan) result;
    assertThat(impossible.reason()).contains(reason);
    assertThat(impossible.message())
        .startsWith("consistency level " + level + " is impossible for keyspace '" + keyspace + "'")
        .contains("(replication factor " + impossible.replicationFactor() + ")");
    assertThatThrownBy(result::orElseThrow)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(impossible.message());
  }

  @Test
  void plan_threeWithReplicationFactorTwoNamesBoth() {
    ImpossiblePlan impossible =
        (ImpossiblePlan) ReplicaPlan.forWrite(METADATA, "small", KEY, ConsistencyLevel.THREE, N1);
    assertThat(impossible.message())
        .isEqualTo(
            "consistency level THREE is impossible for keyspace 'small' (replication factor 2):"
                + " it needs 3 replicas but the keyspace keeps 2");
  }

  @Test
  void plan_coordinatorMustBeAMember() {
    assertThatThrownBy(
            () ->
                ReplicaPlan.forRead(
                    METADATA, "simple3", KEY, ConsistencyLevel.ONE, NodeId.of("stranger")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("coordinator stranger is not a member at epoch 42");
  }

  @Test
  void satisfiedBy_countsReplicasOverallAndPerDatacenter() {
    ReplicaPlan each =
        ReplicaPlan.forWrite(METADATA, "nts", KEY, ConsistencyLevel.EACH_QUORUM, N1).orElseThrow();
    assertThat(each.satisfiedBy(nodes("n1", "n2", "n3", "n5"))).isFalse(); // dc2 has 1 of 2
    assertThat(each.satisfiedBy(nodes("n1", "n2", "n5", "n6"))).isTrue();
    ReplicaPlan local =
        ReplicaPlan.forWrite(METADATA, "nts", KEY, ConsistencyLevel.LOCAL_QUORUM, N1).orElseThrow();
    assertThat(local.satisfiedBy(nodes("n5", "n6"))).isFalse();
    assertThat(local.satisfiedBy(nodes("n1", "n4"))).isFalse(); // n4 is not a replica
    assertThat(local.satisfiedBy(nodes("n1", "n3"))).isTrue();
    ReplicaPlan quorum =
        ReplicaPlan.forWrite(METADATA, "nts", KEY, ConsistencyLevel.QUORUM, N1).orElseThrow();
    assertThat(quorum.satisfiedBy(nodes("n5", "n6", "n2"))).isTrue();
    assertThat(quorum.satisfiedBy(nodes("n5", "n6"))).isFalse();
  }

  @Test
  void replicaPlan_isAValue() {
    ReplicaPlanResult a = ReplicaPlan.forRead(METADATA, "nts", KEY, ConsistencyLevel.ONE, N1);
    ReplicaPlanResult b = ReplicaPlan.forRead(METADATA, "nts", KEY, ConsistencyLevel.ONE, N1);
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.orElseThrow().replicas()).isUnmodifiable();
  }

  private static List<NodeId> nodes(String... ids) {
    return Stream.of(ids).map(NodeId::of).toList();
  }
}
