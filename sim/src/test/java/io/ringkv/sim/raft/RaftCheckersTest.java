package io.ringkv.sim.raft;

import static io.ringkv.sim.SimTime.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.Rng;
import io.ringkv.raft.Entry;
import io.ringkv.raft.HardState;
import io.ringkv.raft.RaftConfig;
import io.ringkv.raft.Ready;
import io.ringkv.sim.SimClock;
import io.ringkv.sim.SimResult;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.SimulationFailure;
import io.ringkv.sim.Trace;
import io.ringkv.sim.Violation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The checkers check themselves: each test plants a mistake a caller of Raft could make ({@link
 * PlantedBug}) and expects the checker meant for it to fire, and runs the same story without the
 * mistake to see it pass.
 */
class RaftCheckersTest {

  /** Three voters without check-quorum, so a leader cut off keeps believing it leads. */
  private static RaftCluster.Builder group(long seed, PlantedBug bug) {
    return RaftCluster.builder(seed)
        .voters(3)
        .clients(
            4,
            new Workload(
                1, 0.5, 0.0, seconds(0) + 20_000_000L, 300_000_000L, seconds(3), 10_000_000L))
        .raftConfig(id -> RaftConfig.builder(id).checkQuorum(false).preVote(false).build())
        .plant(bug);
  }

  /**
   * A leader and client c1 are cut off from the other voters and clients for 10 s: the others elect
   * a new leader and write through it, while c1 can only ask the old one.
   */
  private static LinearizabilityChecker.Result staleLeaderStory(RaftCluster cluster) {
    cluster.startMembers().startClients();
    assertThat(cluster.runUntil(() -> cluster.leader().isPresent(), seconds(5))).isTrue();
    cluster.runFor(seconds(2));
    String old = cluster.leader().orElseThrow().name();
    List<String> others = new ArrayList<>(cluster.memberNames());
    others.remove(old);
    others.addAll(List.of("c2", "c3", "c4"));
    RaftCluster.Cuts cuts = cluster.partition(old, "c1").from(others.toArray(String[]::new));
    cluster.runFor(seconds(10));
    cuts.heal();
    cluster.runFor(seconds(3));
    cluster.stopClients();
    cluster.runFor(seconds(4));
    return cluster.checkLinearizability();
  }

  @Test
  void readsWithoutReadIndex_aCutOffLeaderServesStaleValues_linearizabilityCheckerCatchesIt() {
    LinearizabilityChecker.Result result =
        staleLeaderStory(group(1, PlantedBug.READS_WITHOUT_READ_INDEX).build());

    assertThat(result.violations()).isNotEmpty();
    System.out.println("planted stale reads caught: " + result.violations().get(0));
  }

  @Test
  void readIndex_theSameStory_linearizable() {
    RaftCluster cluster = group(1, PlantedBug.NONE).build();

    LinearizabilityChecker.Result result = staleLeaderStory(cluster);

    assertThat(result.violations()).isEmpty();
    assertThat(result.operationsChecked()).isGreaterThan(50);
    assertThat(cluster.violations()).isEmpty();
  }

  /**
   * Seeded runs with a planted mistake, from seed 1 on, until the checker meant for it fires:
   * within {@value #PLANTED_SEEDS_MAX} seeds. Prints the seed (replay it with {@code
   * RaftRun.run(seed, bug)}).
   */
  @ParameterizedTest
  @CsvSource({
    "READS_WITHOUT_READ_INDEX, linearizability",
    "STORE_WITHOUT_SYNC, durability",
    "FORGET_VOTE_ON_RESTART, election safety",
    "LOSE_SYNCED_WRITES, leader completeness"
  })
  void plantedBug_seededRuns_caughtByItsChecker(PlantedBug bug, String checker) {
    for (long seed = 1; seed <= PLANTED_SEEDS_MAX; seed++) {
      SimResult<RaftRunFigures> result = RaftRun.run(seed, bug);
      Optional<Violation> caught =
          result.violations().stream().filter(v -> v.checker().equals(checker)).findFirst();
      if (caught.isPresent()) {
        System.out.println(
            "planted "
                + bug
                + " caught by "
                + checker
                + " in seed "
                + seed
                + ": "
                + caught.get().message().lines().findFirst().orElse(""));
        return;
      }
    }
    throw new AssertionError(
        bug + " not caught by " + checker + " in " + PLANTED_SEEDS_MAX + " seeds");
  }

  static final int PLANTED_SEEDS_MAX = 400;

  private static Ready storing(List<Entry> entries, HardState hardState) {
    return new Ready(
        Optional.empty(),
        Optional.ofNullable(hardState),
        entries,
        Optional.empty(),
        List.of(),
        List.of(),
        List.of(),
        true);
  }

  private static Entry entry(long index, long term, String data) {
    return Entry.normal(index, term, data.getBytes(StandardCharsets.UTF_8));
  }

  private static RaftMember member(long id) {
    return new RaftMember(
        id,
        true,
        RaftConfig.defaults(id),
        SimClock.exact(),
        RaftCluster.TICK_INTERVAL_NANOS,
        new Rng(id));
  }

  private static void store(RaftSafetyChecker checker, RaftMember member, Ready ready) {
    member.stored.save(ready.entries(), ready.hardState().orElse(null), true);
    checker.onStored(member, ready);
  }

  @Test
  void logMatching_twoMembersStoreDifferentEntriesAtOneIndexAndTerm_caught() {
    RaftSafetyChecker checker = new RaftSafetyChecker(new Simulation(1, new Trace()));
    RaftMember one = member(1);
    RaftMember two = member(2);
    store(checker, one, storing(List.of(entry(1, 1, "a"), entry(2, 1, "b")), null));
    store(checker, two, storing(List.of(entry(1, 1, "a")), null));

    assertThatThrownBy(() -> store(checker, two, storing(List.of(entry(2, 1, "c")), null)))
        .isInstanceOf(SimulationFailure.class);
    assertThat(checker.violations())
        .singleElement()
        .extracting(Violation::checker)
        .isEqualTo("log matching");
  }

  @Test
  void stateMachineSafety_twoMembersCommitDifferentEntriesAtOneIndex_caught() {
    RaftSafetyChecker checker = new RaftSafetyChecker(new Simulation(1, new Trace()));
    RaftMember one = member(1);
    RaftMember two = member(2);
    store(
        checker, one, storing(List.of(entry(1, 1, "a"), entry(2, 1, "b")), new HardState(1, 1, 2)));

    assertThatThrownBy(
            () ->
                store(
                    checker,
                    two,
                    storing(List.of(entry(1, 1, "a"), entry(2, 2, "c")), new HardState(2, 2, 2))))
        .isInstanceOf(SimulationFailure.class);
    assertThat(checker.violations())
        .singleElement()
        .extracting(Violation::checker)
        .isEqualTo("state machine safety");
  }
}
