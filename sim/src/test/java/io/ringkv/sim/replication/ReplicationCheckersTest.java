package io.ringkv.sim.replication;

import static io.ringkv.common.ConsistencyLevel.ALL;
import static io.ringkv.common.ConsistencyLevel.QUORUM;
import static io.ringkv.sim.SimTime.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.version.Actor;
import io.ringkv.cluster.version.CausalCells;
import io.ringkv.cluster.version.PnCounter;
import io.ringkv.cluster.version.VersionVector;
import io.ringkv.common.Rng;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.Violation;
import io.ringkv.sim.membership.StopKind;
import io.ringkv.storage.Cell;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The replication checkers catch what they are for: each test plants a violation (behind the
 * protocol's back, or in a hand-written history) and expects the checker to fire; a checker that
 * never fires proves nothing.
 */
class ReplicationCheckersTest {
  private static final History.Workload CAUSAL = History.Workload.CAUSAL;

  // --- causal mode loses nothing (issue 7) ---

  @Test
  void causal_concurrentWritesSurviveAsSiblings_whileLwwDropsOne() {
    ReplicatedCluster cluster = ReplicatedCluster.builder(31).nodes(3).build();
    Clients clients = new Clients(cluster, new History(), new Rng(3));
    cluster.startAll().runFor(seconds(3));
    VersionVector none = VersionVector.empty();
    clients.send(
        CAUSAL, "a", "n1", ClientRequest.causalWrite("causal0", "x", none, QUORUM), d -> {});
    clients.send(
        CAUSAL, "b", "n2", ClientRequest.causalWrite("causal0", "y", none, QUORUM), d -> {});
    clients.send(CAUSAL, "a", "n1", write("lww0", "x", QUORUM), d -> {});
    clients.send(CAUSAL, "b", "n2", write("lww0", "y", QUORUM), d -> {});
    cluster.runFor(seconds(2));
    clients.send(History.Workload.FINAL, "final", "n3", read("causal0", ALL), d -> {});
    clients.send(History.Workload.FINAL, "final", "n3", read("lww0", ALL), d -> {});
    cluster.runFor(seconds(2));

    CausalChecker checker = new CausalChecker();
    List<Violation> violations =
        checker.check(clients.history(), cluster.causalLedger(), cluster, Map.of(), true);

    assertThat(violations).isEmpty();
    assertThat(checker.figures().causalAcknowledged()).isEqualTo(2);
    assertThat(checker.figures().causalSiblingsMax()).isEqualTo(2);
    assertThat(checker.figures().lwwAcknowledged()).isEqualTo(2);
    assertThat(checker.figures().lwwLost())
        .as("LWW keeps one of two concurrent writes")
        .isEqualTo(1);
  }

  @Test
  void causal_aSiblingRolledBackOnEveryReplica_isLost() {
    ReplicatedCluster cluster = ReplicatedCluster.builder(32).nodes(3).build();
    Clients clients = new Clients(cluster, new History(), new Rng(4));
    cluster.startAll().runFor(seconds(3));
    VersionVector none = VersionVector.empty();
    clients.send(CAUSAL, "a", "n1", ClientRequest.causalWrite("causal0", "x", none, ALL), d -> {});
    cluster.runFor(seconds(1));
    Cell first = cluster.storedCell("n1", "causal0");
    clients.send(CAUSAL, "b", "n2", ClientRequest.causalWrite("causal0", "y", none, ALL), d -> {});
    cluster.runFor(seconds(1));
    for (String node : cluster.names()) {
      cluster.node(node).engine().overwriteForTest(ReplicatedCluster.storedKey("causal0"), first);
    }

    List<Violation> violations =
        new CausalChecker()
            .check(clients.history(), cluster.causalLedger(), cluster, Map.of(), true);

    assertThat(violations).singleElement().asString().contains("causal0=y");
    assertThat(
            new CausalChecker()
                .check(clients.history(), cluster.causalLedger(), cluster, Map.of(), false))
        .as("where data may be lost legitimately it only counts")
        .isEmpty();
  }

  @Test
  void crdt_aCounterRolledBackOnEveryReplica_isNotExact_andASetThatLostAnAdd_isNotExact() {
    ReplicatedCluster cluster = ReplicatedCluster.builder(33).nodes(3).build();
    Clients clients = new Clients(cluster, new History(), new Rng(5));
    cluster.startAll().runFor(seconds(3));
    clients.send(CAUSAL, "a", "n1", ClientRequest.increment("counter0", 5, "a.1", ALL), d -> {});
    clients.send(CAUSAL, "a", "n1", ClientRequest.setUpdate("oset0", "e1", true, ALL), d -> {});
    cluster.runFor(seconds(1));
    Cell counterBefore = cluster.storedCell("n1", "counter0");
    Cell setBefore = cluster.storedCell("n1", "oset0");
    clients.send(CAUSAL, "b", "n2", ClientRequest.increment("counter0", 3, "b.1", ALL), d -> {});
    clients.send(CAUSAL, "b", "n2", ClientRequest.setUpdate("oset0", "e2", true, ALL), d -> {});
    cluster.runFor(seconds(1));
    CrdtChecker checker = new CrdtChecker();
    assertThat(checker.check(clients.history(), cluster.causalLedger(), cluster, true)).isEmpty();
    assertThat(checker.figures().incrementsAcknowledged()).isEqualTo(2);
    for (String node : cluster.names()) {
      cluster
          .node(node)
          .engine()
          .overwriteForTest(ReplicatedCluster.storedKey("counter0"), counterBefore);
      cluster.node(node).engine().overwriteForTest(ReplicatedCluster.storedKey("oset0"), setBefore);
    }

    List<Violation> violations =
        new CrdtChecker().check(clients.history(), cluster.causalLedger(), cluster, true);

    assertThat(violations)
        .extracting(Violation::checker)
        .containsExactlyInAnyOrder("counter-exact", "set-exact");
  }

  @Test
  void crdt_anIncrementAppliedByTwoDotReplicasAndCountedTwice_isAViolation() {
    ReplicatedCluster cluster = ReplicatedCluster.builder(34).nodes(3).build();
    Clients clients = new Clients(cluster, new History(), new Rng(6));
    cluster.startAll().runFor(seconds(3));
    clients.send(CAUSAL, "a", "n1", ClientRequest.increment("counter0", 5, "a.1", ALL), d -> {});
    cluster.runFor(seconds(1));
    CausalLedger ledger = cluster.causalLedger();
    Actor first = ledger.incrementsOf("counter0").get(0).actor();
    assertThat(new CrdtChecker().check(clients.history(), ledger, cluster, true)).isEmpty();
    // a retry reached n2, which had not seen the first attempt, and the counter forgot that n2's
    // application was a duplicate (as the first counter format did): 5 counted twice
    Actor second = Actor.of("n2", 0);
    ledger.recordIncrement("counter0", 5, "a.1", false, second);
    PnCounter twice =
        PnCounter.of(
            Map.of(
                first,
                new PnCounter.Entry(1, 5, List.of(new PnCounter.KeyedIncrement(bytes("a.1"), 5))),
                second,
                new PnCounter.Entry(1, 5, List.of())));
    Cell planted = CausalCells.counterCell(twice, cluster.storedCell("n1", "counter0").timestamp());
    for (String node : cluster.names()) {
      cluster
          .node(node)
          .engine()
          .overwriteForTest(ReplicatedCluster.storedKey("counter0"), planted);
    }

    CrdtChecker checker = new CrdtChecker();
    List<Violation> violations = checker.check(clients.history(), ledger, cluster, true);

    assertThat(violations)
        .singleElement()
        .asString()
        .contains(
            "counter0 ends at 10", "sum to 5", "applied by two dot replicas were counted twice");
    assertThat(checker.figures().incrementsAppliedByTwoDotReplicas()).isEqualTo(1);
    assertThat(checker.figures().incrementsAppliedTwiceCountedOnce()).isZero();
    assertThat(checker.figures().countersNotExact()).isEqualTo(1);
    assertThat(new CrdtChecker().check(clients.history(), ledger, cluster, false))
        .as("where data may be lost legitimately it only counts")
        .isEmpty();
  }

  // --- no acknowledged write lost ---

  @Test
  void acknowledgedWrites_aWriteErasedFromEveryReplica_isLost() {
    ReplicatedCluster cluster = ReplicatedCluster.builder(21).nodes(3).build();
    Clients clients = new Clients(cluster, new History(), new Rng(1));
    cluster.startAll().runFor(seconds(3));
    clients.send(History.Workload.SET, "writer", "n1", write("s0", "v0", QUORUM), done -> {});
    cluster.runFor(seconds(3));
    for (String node : cluster.names()) {
      cluster.node(node).engine().eraseForTest(ReplicatedCluster.storedKey("s0"));
    }
    clients.send(History.Workload.FINAL, "final", "n2", read("s0", QUORUM), done -> {});
    cluster.runFor(seconds(1));

    AcknowledgedWritesChecker checker = new AcknowledgedWritesChecker();
    List<Violation> violations = checker.check(clients.history(), true, true);

    assertThat(violations).singleElement().asString().contains("lost: acknowledged");
    assertThat(checker.figures().acknowledged()).isEqualTo(1);
    assertThat(checker.figures().lost()).isEqualTo(1);
    assertThat(new AcknowledgedWritesChecker().check(clients.history(), false, true))
        .as("where data may be lost legitimately it only counts")
        .isEmpty();
  }

  @Test
  void acknowledgedWrites_aValueWhoseWriteWasNeverAttempted_isAPhantom() {
    History history = new History();
    History.Operation write =
        history.start(History.Workload.SET, "w", write("s0", "v0", QUORUM), "n1", 10);
    history.end(write, new ClientOutcome(ClientOutcome.Kind.UNAVAILABLE, null, 0, "2 down"), 20);
    History.Operation read =
        history.start(History.Workload.FINAL, "f", read("s0", QUORUM), "n2", 30);
    history.end(read, success(Cell.value(bytes("v0"), 5)), 40);

    assertThat(new AcknowledgedWritesChecker().check(history, true, true))
        .singleElement()
        .asString()
        .contains("phantom");
  }

  @Test
  void acknowledgedWrites_anIndeterminateWriteReadOrNot_isFine() {
    History history = new History();
    History.Operation write =
        history.start(History.Workload.SET, "w", write("s0", "v0", QUORUM), "n1", 10);
    history.end(write, new ClientOutcome(ClientOutcome.Kind.TIMED_OUT, null, 5, "1 of 2"), 20);
    History.Operation read =
        history.start(History.Workload.FINAL, "f", read("s0", QUORUM), "n2", 30);
    history.end(read, success(Cell.value(bytes("v0"), 5)), 40);

    AcknowledgedWritesChecker checker = new AcknowledgedWritesChecker();
    assertThat(checker.check(history, true, true)).isEmpty();
    assertThat(checker.figures().indeterminate()).isEqualTo(1);
  }

  // --- sessions ---

  @Test
  void sessions_anAcknowledgedWriteRolledBackOnEveryReplica_breaksReadYourWrites() {
    ReplicatedCluster cluster = ReplicatedCluster.builder(22).nodes(3).build();
    Clients clients = new Clients(cluster, new History(), new Rng(2));
    cluster.startAll().runFor(seconds(3));
    clients.send(History.Workload.REGISTER, "writer0", "n1", write("r0", "r0.1", ALL), d -> {});
    cluster.runFor(seconds(1));
    Cell first = cluster.storedCell("n1", "r0");
    clients.send(History.Workload.REGISTER, "writer0", "n2", write("r0", "r0.2", QUORUM), d -> {});
    cluster.runFor(seconds(1));
    for (String node : cluster.names()) {
      cluster.node(node).engine().overwriteForTest(ReplicatedCluster.storedKey("r0"), first);
    }
    clients.send(History.Workload.REGISTER, "reader0", "n3", read("r0", QUORUM), d -> {});
    cluster.runFor(seconds(1));

    List<Violation> violations = new SessionChecker().check(clients.history(), true, true);

    assertThat(violations).extracting(Violation::checker).contains("read-your-writes");
  }

  @Test
  void sessions_aReadOlderThanAnEarlierRead_isNotMonotonic() {
    History history = new History();
    write(history, "w", "r0", "r0.1", 10, 20, 100);
    write(history, "w", "r0", "r0.2", 30, 40, 200);
    read(history, "a", "r0", 50, 60, Cell.value(bytes("r0.2"), 200));
    read(history, "b", "r0", 70, 80, Cell.value(bytes("r0.1"), 100));

    List<Violation> violations = new SessionChecker().check(history, true, false);

    assertThat(violations).extracting(Violation::checker).containsExactly("monotonic-reads");
  }

  @Test
  void sessions_aWriteStampedBeforeTheSessionsEarlierWrite_breaksSessionOrder() {
    History history = new History();
    write(history, "w", "r0", "r0.1", 10, 20, 200);
    write(history, "w", "r0", "r0.2", 30, 40, 100);

    assertThat(new SessionChecker().check(history, true, true))
        .extracting(Violation::checker)
        .containsExactly("session-order");
  }

  @Test
  void sessions_aValueNoWriteSent_breaksIntegrity() {
    History history = new History();
    write(history, "w", "r0", "r0.1", 10, 20, 100);
    read(history, "a", "r0", 50, 60, Cell.value(bytes("r0.7"), 300));

    assertThat(new SessionChecker().check(history, false, false))
        .as("integrity is judged even where data could be lost")
        .extracting(Violation::checker)
        .containsExactly("session-integrity");
  }

  @Test
  void sessions_aTombstoneFromAnUnansweredDelete_isFine_butOneNoDeleteSentBeforeTheRead_isNot() {
    History history = new History();
    write(history, "w", "r0", "r0.1", 10, 20, 100);
    History.Operation unanswered =
        history.start(History.Workload.REGISTER, "w", ClientRequest.delete("r0", QUORUM), "n1", 30);
    history.end(unanswered, new ClientOutcome(ClientOutcome.Kind.NO_ANSWER, null, 0, ""), 90);
    read(history, "a", "r0", 50, 60, Cell.tombstone(150).withExpiry(1));
    assertThat(new SessionChecker().check(history, true, true)).isEmpty();

    read(history, "c", "r0", 10, 15, Cell.tombstone(180).withExpiry(1));
    assertThat(new SessionChecker().check(history, false, false))
        .extracting(Violation::checker)
        .containsExactly("session-integrity");
  }

  // --- convergence ---

  @Test
  void convergence_oneReplicaHoldingAnotherCell_orANonReplicaHoldingTheKey_isCaught() {
    ReplicatedCluster cluster = ReplicatedCluster.builder(23).nodes(4).build();
    cluster.startAll().runFor(seconds(3));
    assertThat(cluster.write("n1", "k", "v", ALL).succeeded()).isTrue();
    assertThat(new ConvergenceChecker().check(cluster, List.of("k"))).isEmpty();

    List<String> replicas = cluster.replicasOf("k");
    cluster
        .node(replicas.get(1))
        .engine()
        .overwriteForTest(ReplicatedCluster.storedKey("k"), Cell.value(bytes("other"), 1));
    String outsider =
        cluster.names().stream().filter(n -> !replicas.contains(n)).findFirst().orElseThrow();
    cluster
        .node(outsider)
        .engine()
        .overwriteForTest(
            ReplicatedCluster.storedKey("k"), cluster.storedCell(replicas.get(0), "k"));

    List<Violation> violations = new ConvergenceChecker().check(cluster, List.of("k"));

    assertThat(violations).hasSize(2);
    assertThat(violations.get(0).message()).contains("disagree");
    assertThat(violations.get(1).message()).contains("is not one of its replicas");
  }

  // --- liveness ---

  @Test
  void liveness_aCoordinatorWhoseTimeoutIsShorterThanTheNetwork_failsInQuietWindows() {
    NodeSettings hasty =
        NodeSettings.defaults().withTimeouts(50 * SimTime.MICROSECOND_NANOS, SimTime.seconds(1));
    ReplicatedCluster cluster = ReplicatedCluster.builder(24).nodes(3).settings(hasty).build();
    Listening liveness = listen(cluster);
    Clients clients = new Clients(cluster, liveness.history(), new Rng(3));
    cluster.startAll().runFor(seconds(20));

    clients.send(History.Workload.SET, "w", "n1", write("s0", "v0", QUORUM), d -> {});
    cluster.runFor(seconds(2));

    assertThat(liveness.checker().quiet()).isEqualTo(1);
    assertThat(liveness.checker().violations())
        .singleElement()
        .asString()
        .contains("failed in a quiet window");
  }

  @Test
  void liveness_aDeadReplicaTheCoordinatorStillBelievesUp_isNotAQuietWindow() {
    ReplicatedCluster cluster = ReplicatedCluster.builder(25).nodes(3).build();
    Listening liveness = listen(cluster);
    Clients clients = new Clients(cluster, liveness.history(), new Rng(4));
    cluster.startAll().runFor(seconds(20));
    cluster.crash("n3", StopKind.POWER_LOSS); // no resets: n1 believes n3 up for a while

    clients.send(History.Workload.SET, "w", "n1", write("s0", "v0", ALL), d -> {});
    cluster.runFor(seconds(3));

    History.Operation write = liveness.history().operations().get(0);
    assertThat(write.outcome().kind()).isEqualTo(ClientOutcome.Kind.TIMED_OUT);
    assertThat(liveness.checker().judged()).isEqualTo(1);
    assertThat(liveness.checker().quiet()).isZero();
    assertThat(liveness.checker().violations()).isEmpty();
  }

  private record Listening(QuorumLivenessChecker checker, History history) {}

  private static Listening listen(ReplicatedCluster cluster) {
    QuorumLivenessChecker checker = new QuorumLivenessChecker(cluster);
    History history = new History();
    cluster.addListener(checker);
    history.addListener(checker);
    return new Listening(checker, history);
  }

  // --- helpers ---

  private static ClientRequest write(
      String key, String value, io.ringkv.common.ConsistencyLevel level) {
    return ClientRequest.write(key, value, level);
  }

  private static ClientRequest read(String key, io.ringkv.common.ConsistencyLevel level) {
    return ClientRequest.read(key, level);
  }

  private static ClientOutcome success(Cell cell) {
    return new ClientOutcome(
        ClientOutcome.Kind.SUCCESS, cell, cell == null ? 0 : cell.timestamp(), "");
  }

  private static void write(
      History history, String client, String key, String value, long start, long end, long stamp) {
    History.Operation operation =
        history.start(History.Workload.REGISTER, client, write(key, value, QUORUM), "n1", start);
    history.end(operation, new ClientOutcome(ClientOutcome.Kind.SUCCESS, null, stamp, ""), end);
  }

  private static void read(
      History history, String client, String key, long start, long end, Cell cell) {
    History.Operation operation =
        history.start(History.Workload.REGISTER, client, read(key, QUORUM), "n1", start);
    history.end(operation, success(cell), end);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
