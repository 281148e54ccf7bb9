package io.ringkv.cluster.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.ring.NetworkTopologyStrategy;
import io.ringkv.cluster.ring.SimpleStrategy;
import io.ringkv.common.ConsistencyLevel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class KeyspaceTest {

  @Test
  void defaultKeyspace_replicationFactorIsMinOfThreeAndNormalMembers() {
    assertThat(Keyspace.defaultKeyspace(0).replication()).isEqualTo(new SimpleStrategy(1));
    assertThat(Keyspace.defaultKeyspace(1).replication()).isEqualTo(new SimpleStrategy(1));
    assertThat(Keyspace.defaultKeyspace(2).replication()).isEqualTo(new SimpleStrategy(2));
    assertThat(Keyspace.defaultKeyspace(3).replication()).isEqualTo(new SimpleStrategy(3));
    assertThat(Keyspace.defaultKeyspace(10).replication()).isEqualTo(new SimpleStrategy(3));
    Keyspace keyspace = Keyspace.defaultKeyspace(5);
    assertThat(keyspace.name()).isEqualTo("default");
    assertThat(keyspace.readLevel()).isEqualTo(ConsistencyLevel.QUORUM);
    assertThat(keyspace.writeLevel()).isEqualTo(ConsistencyLevel.QUORUM);
  }

  @Test
  void conflicts_existingConstructorsAndTheDefaultKeyspaceAreLww_newKeyspacesDefaultToCausal() {
    Keyspace plain =
        new Keyspace("users", new SimpleStrategy(3), ConsistencyLevel.QUORUM, ConsistencyLevel.ONE);
    assertThat(plain.conflicts()).isEqualTo(ConflictMode.LWW);
    assertThat(plain.withSloppyQuorum(true).conflicts()).isEqualTo(ConflictMode.LWW);
    assertThat(Keyspace.defaultKeyspace(3).conflicts()).isEqualTo(ConflictMode.LWW);
    assertThat(ConflictMode.NEW_KEYSPACE_DEFAULT).isEqualTo(ConflictMode.CAUSAL);

    Keyspace causal = plain.withConflicts(ConflictMode.CAUSAL);
    assertThat(causal.causal()).isTrue();
    assertThat(causal.withReplication(new SimpleStrategy(1)).conflicts())
        .isEqualTo(ConflictMode.CAUSAL);
    assertThat(causal.withSloppyQuorum(true).conflicts()).isEqualTo(ConflictMode.CAUSAL);
    assertThat(causal.toString()).endsWith("conflicts causal");
  }

  @Test
  void conflictMode_parsesItsNamesAndRefusesOthersNamingTheChoices() {
    assertThat(ConflictMode.parse("lww")).isEqualTo(ConflictMode.LWW);
    assertThat(ConflictMode.parse("Causal")).isEqualTo(ConflictMode.CAUSAL);
    assertThat(ConflictMode.CAUSAL.configName()).isEqualTo("causal");
    assertThatThrownBy(() -> ConflictMode.parse("crdt"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("conflicts 'crdt' is not a conflict mode; choose lww or causal");
  }

  @Test
  void keyspace_refusesAnyForReadsAndBadNames() {
    assertThatThrownBy(
            () ->
                new Keyspace(
                    "k", new SimpleStrategy(1), ConsistencyLevel.ANY, ConsistencyLevel.ANY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("keyspace k read level ANY is for writes only");
    assertThatThrownBy(
            () ->
                new Keyspace(
                    "Orders", new SimpleStrategy(1), ConsistencyLevel.ONE, ConsistencyLevel.ANY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyspace name 'Orders'");
  }

  @Test
  void replication_factorsAreBounded() {
    assertThatThrownBy(() -> new SimpleStrategy(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("replication factor must be in [1, 32], was 0");
    assertThatThrownBy(() -> NetworkTopologyStrategy.of(Map.of("dc1", 33)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("replication factor of datacenter dc1 must be in [1, 32], was 33");
    assertThatThrownBy(() -> NetworkTopologyStrategy.of(Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one datacenter");
  }

  @Test
  void networkTopology_isSortedAndEqualWhateverTheInputOrder() {
    Map<String, Integer> insertion = new LinkedHashMap<>();
    insertion.put("west", 2);
    insertion.put("east", 3);
    NetworkTopologyStrategy strategy = NetworkTopologyStrategy.of(insertion);
    assertThat(strategy.replicationFactors().keySet()).containsExactly("east", "west");
    assertThat(strategy)
        .isEqualTo(new NetworkTopologyStrategy(new TreeMap<>(Map.of("east", 3, "west", 2))));
    assertThat(strategy.totalReplicationFactor()).isEqualTo(5);
    assertThat(strategy.toString()).isEqualTo("NetworkTopologyStrategy{east=3, west=2}");
  }
}
