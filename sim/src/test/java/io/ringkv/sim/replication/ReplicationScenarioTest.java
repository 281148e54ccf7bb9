package io.ringkv.sim.replication;

import static io.ringkv.common.ConsistencyLevel.ALL;
import static io.ringkv.common.ConsistencyLevel.QUORUM;
import static io.ringkv.sim.SimTime.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Replication scenarios on the simulator, written to be read as prose (STYLE.md §6). */
class ReplicationScenarioTest {

  @Test
  void killOneOfThree_quorumStillWorks_allIsUnavailable() {
    ReplicatedCluster cluster = ReplicatedCluster.builder(1).nodes(3).build();
    cluster.startAll().runFor(seconds(3));
    assertThat(cluster.write("n1", "k", "v1", QUORUM).succeeded()).isTrue();

    cluster.crash("n3");
    boolean seenDown =
        cluster.runUntil(
            () -> !cluster.node("n1").process().orElseThrow().seesUp("n3"), seconds(5));
    assertThat(seenDown).as("n1's pings to n3 are refused: n3 is down at once").isTrue();

    assertThat(cluster.write("n1", "k", "v2", QUORUM).succeeded()).isTrue();
    ClientOutcome read = cluster.read("n2", "k", QUORUM);
    assertThat(read.succeeded()).isTrue();
    assertThat(read.value()).isEqualTo("v2");
    assertThat(cluster.write("n1", "k", "v3", ALL).kind())
        .isEqualTo(ClientOutcome.Kind.UNAVAILABLE);
    assertThat(cluster.read("n1", "k", ALL).kind()).isEqualTo(ClientOutcome.Kind.UNAVAILABLE);
  }
}
