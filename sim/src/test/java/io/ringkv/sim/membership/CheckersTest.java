package io.ringkv.sim.membership;

import static io.ringkv.sim.SimTime.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.membership.FailureDetectorConfig;
import io.ringkv.cluster.membership.GossipConfig;
import io.ringkv.cluster.membership.MembershipConfig;
import io.ringkv.sim.SimNetwork;
import io.ringkv.sim.Violation;
import org.junit.jupiter.api.Test;

/**
 * The checkers catch what they are for: each test breaks the protocol's settings or the node's disk
 * on purpose and expects the violation (a checker that never fires proves nothing).
 */
class CheckersTest {
  /** Down within 39 + 20 + 1 = 60 s, up within 9 + 20 + 1 = 30 s on a loss-free network. */
  private static final MembershipRun.Bounds BOUNDS =
      new MembershipRun.Bounds(seconds(39), 0, seconds(9), seconds(30));

  @Test
  void falseDown_aFarTooEagerDetectorOnACleanNetwork_isAViolation() {
    MembershipConfig config = withThreshold(0.2);
    SimCluster cluster = SimCluster.builder(11).nodes(3).membership(config).build();
    FaultHistory history = listen(cluster);
    FalseDownChecker checker = new FalseDownChecker(cluster, history, window(config));
    cluster.addListener(checker);

    cluster.startAll().runFor(seconds(120));

    assertThat(checker.count(FalseDownChecker.Verdict.FALSE_CLEAN)).isPositive();
    assertThat(checker.violations())
        .first()
        .extracting(Violation::message)
        .asString()
        .contains("clean");
  }

  @Test
  void falseDown_underHeavyLoss_isCountedButNotAViolation() {
    MembershipConfig config = withThreshold(3);
    SimCluster cluster =
        SimCluster.builder(12)
            .nodes(3)
            .membership(config)
            .network(SimNetwork.Faults.none().withDropProbability(0.5))
            .build();
    FaultHistory history = listen(cluster);
    FalseDownChecker checker = new FalseDownChecker(cluster, history, window(config));
    cluster.addListener(checker);

    cluster.startAll().runFor(seconds(600));

    assertThat(checker.count(FalseDownChecker.Verdict.FALSE_UNDER_FAULTS)).isPositive();
    assertThat(checker.violations()).isEmpty();
  }

  @Test
  void downBound_aDetectorThatNeverConvicts_isCaught() {
    MembershipConfig config = withThreshold(1e6);
    SimCluster cluster =
        SimCluster.builder(13)
            .nodes(3)
            .membership(config)
            .network(SimNetwork.Faults.none().withRefusedProbability(0))
            .build();
    FaultHistory history = listen(cluster);
    LivenessChecker checker = new LivenessChecker(cluster, history, BOUNDS);
    cluster.addListener(checker);
    cluster.startAll();
    run(cluster, checker, 20);

    cluster.crash("n3");
    run(cluster, checker, 70);

    assertThat(checker.violations())
        .extracting(Violation::message)
        .anyMatch(message -> message.contains("still sees n3 up"));
  }

  @Test
  void restart_aNodeThatLostItsGossipStateFile_isCaughtComingBackLowerAndWithOtherTokens() {
    SimCluster cluster = SimCluster.builder(14).nodes(3).build();
    FaultHistory history = listen(cluster);
    LivenessChecker checker = new LivenessChecker(cluster, history, BOUNDS);
    cluster.addListener(checker);
    cluster.startAll();
    run(cluster, checker, 20);

    cluster.crash("n2");
    SimNode n2 = cluster.node("n2");
    n2.fileSystem().deleteRaw(n2.stateFile().path());
    cluster.restart("n2");

    assertThat(checker.violations())
        .extracting(Violation::message)
        .anyMatch(message -> message.contains("restarted at generation 1, not above 1"))
        .anyMatch(message -> message.contains("tokens other than"));
  }

  private static MembershipConfig withThreshold(double phi) {
    MembershipConfig defaults = MembershipConfig.defaults();
    return defaults.withGossip(
        GossipConfig.defaults()
            .withFailureDetector(FailureDetectorConfig.defaults().withPhiConvictThreshold(phi)));
  }

  private static long window(MembershipConfig config) {
    return config.gossip().failureDetector().convictionBoundNanos()
        + SimCluster.TICK_INTERVAL_NANOS;
  }

  private static FaultHistory listen(SimCluster cluster) {
    FaultHistory history = new FaultHistory(cluster);
    cluster.addListener(history);
    return history;
  }

  /** Runs {@code seconds}, judging once a second as a membership run does. */
  private static void run(SimCluster cluster, LivenessChecker checker, int seconds) {
    for (int i = 0; i < seconds; i++) {
      cluster.runFor(seconds(1));
      checker.check();
    }
  }
}
