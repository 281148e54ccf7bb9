package io.ringkv.sim.replication;

import static io.ringkv.common.ConsistencyLevel.ALL;
import static io.ringkv.common.ConsistencyLevel.ANY;
import static io.ringkv.common.ConsistencyLevel.ONE;
import static io.ringkv.common.ConsistencyLevel.QUORUM;
import static io.ringkv.sim.SimTime.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.common.Rng;
import io.ringkv.sim.membership.StopKind;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Replication scenarios on the simulator, written to be read as prose (STYLE.md §6). */
class ReplicationScenarioTest {

  @Test
  void counter_retryAfterTheDotReplicaWasCutOff_isAppliedByTwoDotReplicas_andCountsOnce()
      throws Exception {
    ReplicatedCluster cluster = ReplicatedCluster.builder(7).nodes(3).build();
    Clients clients = new Clients(cluster, new History(), new Rng(3));
    cluster.startAll().runFor(seconds(3));
    ClientRequest increment = ClientRequest.increment("counter0", 5, "c.1", QUORUM);

    // n1, the least id, is every keyed increment's dot replica: it applies the increment, but
    // nothing it sends arrives, so the coordinator never hears back
    cluster.cut("n1").to("n2");
    cluster.cut("n1").to("n3");
    History.Operation first =
        clients.send(History.Workload.CAUSAL, "c", "n2", increment, done -> {});
    cluster.runUntil(() -> !first.isOpen(), seconds(30));
    assertThat(first.outcome().indeterminate()).as(first.outcome().toString()).isTrue();

    // the client retries through another coordinator once n1 is seen down: n2 is the dot replica
    cluster.runUntil(() -> !cluster.seesUp("n3", "n1"), seconds(30));
    History.Operation retry =
        clients.send(History.Workload.CAUSAL, "c", "n3", increment, done -> {});
    cluster.runUntil(() -> !retry.isOpen(), seconds(30));
    assertThat(retry.succeeded()).as(retry.outcome().toString()).isTrue();
    assertThat(cluster.causalLedger().incrementsOf("counter0"))
        .as("two dot replicas applied it, neither had seen the other's")
        .filteredOn(applied -> !applied.duplicate())
        .extracting(applied -> applied.actor().node().value())
        .containsExactly("n1", "n2");

    cluster.healNetwork();
    cluster.runUntil(() -> cluster.seesUp("n2", "n1") && cluster.seesUp("n3", "n1"), seconds(30));
    ClientOutcome read = cluster.read("n3", "counter0", ALL);
    cluster.runFor(seconds(5));

    assertThat(read.succeeded()).isTrue();
    for (String node : cluster.names()) {
      assertThat(
              io.ringkv.cluster.version.CausalCells.counter(cluster.storedCell(node, "counter0"))
                  .value())
          .as("the value on %s", node)
          .isEqualTo(5);
    }
    CrdtChecker checker = new CrdtChecker();
    assertThat(checker.check(clients.history(), cluster.causalLedger(), cluster, true)).isEmpty();
    assertThat(checker.figures().incrementsAppliedByTwoDotReplicas()).isEqualTo(1);
    assertThat(checker.figures().incrementsAppliedTwiceCountedOnce()).isEqualTo(1);
  }

  @Test
  void killOneOfThree_quorumStillWorks_allIsUnavailable() {
    ReplicatedCluster cluster = ReplicatedCluster.builder(1).nodes(3).build();
    cluster.startAll().runFor(seconds(3));
    assertThat(cluster.write("n1", "k", "v1", QUORUM).succeeded()).isTrue();

    cluster.crash("n3");
    boolean seenDown = cluster.runUntil(() -> !cluster.seesUp("n1", "n3"), seconds(5));
    assertThat(seenDown).as("n1's pings to n3 are refused: n3 is down at once").isTrue();

    assertThat(cluster.write("n1", "k", "v2", QUORUM).succeeded()).isTrue();
    ClientOutcome read = cluster.read("n2", "k", QUORUM);
    assertThat(read.succeeded()).isTrue();
    assertThat(read.value()).isEqualTo("v2");
    ClientOutcome all = cluster.write("n1", "k", "v3", ALL);
    assertThat(all.kind()).isEqualTo(ClientOutcome.Kind.UNAVAILABLE);
    assertThat(all.message()).contains("nothing was written");
    assertThat(cluster.read("n1", "k", ALL).kind()).isEqualTo(ClientOutcome.Kind.UNAVAILABLE);
    assertThat(cluster.storedCell("n1", "k").value()).isEqualTo(bytes("v2"));
  }

  @Test
  void partition_writesGetHints_healed_theHintsAreDeliveredToTheCutOffReplica() {
    ReplicatedCluster cluster = ReplicatedCluster.builder(2).nodes(3).build();
    cluster.startAll().runFor(seconds(3));

    ReplicatedCluster.Cuts partition = cluster.partition("n3").from("n1", "n2");
    for (int i = 0; i < 5; i++) {
      assertThat(cluster.write("n1", "k" + i, "v" + i, QUORUM).succeeded()).isTrue();
    }
    cluster.runFor(seconds(3)); // the write timeout passes: n3 never answered
    assertThat(cluster.node("n1").pendingHintBytes()).as("hints kept for n3").isPositive();
    assertThat(cluster.storedCell("n3", "k0")).isNull();

    partition.heal();
    boolean drained = cluster.runUntil(() -> cluster.pendingHintBytes() == 0, seconds(30));

    assertThat(drained).isTrue();
    assertThat(cluster.counters().hintsDelivered()).isGreaterThanOrEqualTo(5);
    for (int i = 0; i < 5; i++) {
      assertThat(cluster.storedCell("n3", "k" + i).value()).isEqualTo(bytes("v" + i));
    }
    ClientOutcome one = cluster.read("n3", "k4", ONE);
    assertThat(one.value()).as("n3 answers ONE from its own store").isEqualTo("v4");
  }

  @Test
  void staleReplica_quorumReadRepairsIt_beforeAnswering_andLaterReadsAreNoOlder() {
    NodeSettings noHints =
        NodeSettings.defaults().withHints(false, 1_000, 1L << 20, 1L << 20, 1 << 20, 1 << 14, 1);
    ReplicatedCluster cluster = ReplicatedCluster.builder(3).nodes(3).settings(noHints).build();
    cluster.startAll().runFor(seconds(3));
    assertThat(cluster.write("n1", "k", "old", ALL).succeeded()).isTrue();
    cluster.crash("n3");
    cluster.runUntil(() -> !cluster.seesUp("n1", "n3"), seconds(5));
    assertThat(cluster.write("n1", "k", "new", QUORUM).succeeded()).isTrue();
    cluster.restart("n3");
    cluster.runUntil(() -> cluster.seesUp("n3", "n1") && cluster.seesUp("n3", "n2"), seconds(10));
    assertThat(cluster.storedCell("n3", "k").value())
        .as("n3 missed the write")
        .isEqualTo(bytes("old"));

    ClientOutcome read = cluster.read("n3", "k", QUORUM);

    assertThat(read.value()).isEqualTo("new");
    assertThat(cluster.counters().digestMismatches()).isEqualTo(1);
    assertThat(cluster.storedCell("n3", "k").value())
        .as("repaired before the answer")
        .isEqualTo(bytes("new"));
    assertThat(cluster.read("n3", "k", ONE).value()).isEqualTo("new");
  }

  @Test
  void sloppyQuorum_twoReplicasDown_aStandInTakesTheWrite_andHandsItOverWhenTheyReturn() {
    ReplicatedCluster cluster =
        ReplicatedCluster.builder(4)
            .nodes(4)
            .settings(NodeSettings.defaults().withSloppyQuorum(true))
            .build();
    cluster.startAll().runFor(seconds(3));
    String key = keyWhere(cluster, replicas -> replicas.get(0).equals("n1"));
    List<String> replicas = cluster.replicasOf(key);
    String standIn =
        cluster.names().stream().filter(node -> !replicas.contains(node)).findFirst().orElseThrow();
    cluster.crash(replicas.get(1)).crash(replicas.get(2));
    cluster.runUntil(
        () -> !cluster.seesUp("n1", replicas.get(1)) && !cluster.seesUp("n1", replicas.get(2)),
        seconds(5));

    ClientOutcome write = cluster.write("n1", key, "v", QUORUM);

    assertThat(write.succeeded()).as("n1 and the stand-in %s make a quorum", standIn).isTrue();
    assertThat(cluster.counters().standInWrites()).isEqualTo(1);
    assertThat(cluster.node(standIn).pendingHintBytes()).isPositive();
    assertThat(cluster.storedCell(standIn, key)).as("a stand-in keeps a hint, not data").isNull();
    assertThat(cluster.node("n1").pendingHintBytes())
        .as("no second stand-in: n1 keeps the other down replica's hint itself")
        .isPositive();

    cluster.restart(replicas.get(1)).restart(replicas.get(2));
    boolean drained = cluster.runUntil(() -> cluster.pendingHintBytes() == 0, seconds(30));
    assertThat(drained).isTrue();
    long holders = replicas.stream().filter(node -> cluster.storedCell(node, key) != null).count();
    assertThat(holders)
        .as("n1, then both others through the stand-in's and n1's hints")
        .isEqualTo(3);
  }

  @Test
  void any_everyReplicaDown_theCoordinatorsHintCounts_andIsDeliveredLater() {
    ReplicatedCluster cluster = ReplicatedCluster.builder(5).nodes(4).build();
    cluster.startAll().runFor(seconds(3));
    String key = keyWhere(cluster, replicas -> !replicas.contains("n4"));
    List<String> replicas = cluster.replicasOf(key);
    for (String replica : replicas) {
      cluster.crash(replica, StopKind.POWER_LOSS);
    }
    cluster.runFor(seconds(60)); // no resets from powered-off machines: phi convicts them

    assertThat(cluster.write("n4", key, "v", QUORUM).kind())
        .isEqualTo(ClientOutcome.Kind.UNAVAILABLE);
    assertThat(cluster.write("n4", key, "v", ANY).succeeded()).isTrue();

    cluster.startAll();
    boolean drained = cluster.runUntil(() -> cluster.pendingHintBytes() == 0, seconds(30));
    assertThat(drained).isTrue();
    assertThat(cluster.read("n4", key, ALL).value()).isEqualTo("v");
  }

  @Test
  void clockSkew_aNodeFarAheadOfItsPeers_refusesToCoordinateWrites_andSaysWhy() {
    ReplicatedCluster cluster =
        ReplicatedCluster.builder(6).nodes(3).wallClock("n3", 2_000, 0).build();
    cluster.startAll().runFor(seconds(3));

    ClientOutcome refused = cluster.write("n3", "k", "v", QUORUM);

    assertThat(refused.kind()).isEqualTo(ClientOutcome.Kind.REFUSED);
    assertThat(refused.message()).contains("ahead of its peers").contains("refuses to coordinate");
    assertThat(cluster.write("n1", "k", "v", QUORUM).succeeded())
        .as("the others, agreeing with each other, go on")
        .isTrue();
    assertThat(cluster.read("n3", "k", QUORUM).value()).as("reads need no clock").isEqualTo("v");
  }

  /**
   * Why a client's session carries its timestamp: a coordinator stamps writes with its own hybrid
   * logical clock, so a write through a coordinator whose clock is behind (within the skew bound)
   * and which has not yet heard from the previous write's coordinator gets the smaller timestamp,
   * and last-write-wins keeps the older value. The session's timestamp, merged before stamping,
   * orders the writer's writes as it sent them.
   */
  @Test
  void
      session_aWriteThroughACoordinatorWithASlowClock_losesToTheWritersEarlierWrite_unlessTheSessionCarriesItsTimestamp() {
    ReplicatedCluster cluster =
        ReplicatedCluster.builder(7)
            .nodes(5)
            .wallClock("n1", 200, 0)
            .wallClock("n2", -200, 0)
            .build();
    cluster.startAll().runFor(seconds(3));
    String key = keyWhere(cluster, replicas -> !replicas.contains("n2"));

    ClientOutcome first = cluster.write("n1", key, "first", QUORUM);
    ClientOutcome second = cluster.write("n2", key, "second", QUORUM);
    assertThat(second.succeeded()).isTrue();
    assertThat(second.timestamp()).isLessThan(first.timestamp());
    assertThat(cluster.read("n3", key, QUORUM).value()).isEqualTo("first");

    ClientOutcome third = cluster.write("n1", key, "third", QUORUM);
    ClientOutcome fourth =
        cluster.await(
            "n2", ClientRequest.write(key, "fourth", QUORUM).inSession(third.timestamp()));
    assertThat(fourth.timestamp()).isGreaterThan(third.timestamp());
    assertThat(cluster.read("n3", key, QUORUM).value()).isEqualTo("fourth");
  }

  /** The first key k0, k1, ... whose replicas satisfy {@code test}. */
  private static String keyWhere(ReplicatedCluster cluster, Predicate<List<String>> test) {
    for (int i = 0; ; i++) {
      if (test.test(cluster.replicasOf("k" + i))) {
        return "k" + i;
      }
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
