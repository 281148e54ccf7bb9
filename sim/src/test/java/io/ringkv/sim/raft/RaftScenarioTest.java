package io.ringkv.sim.raft;

import static io.ringkv.sim.SimTime.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.raft.ConfigChange;
import io.ringkv.raft.Configuration;
import io.ringkv.raft.RaftConfig;
import io.ringkv.raft.Submission;
import io.ringkv.sim.SimClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Raft scenarios on the simulator, written to be read as prose (STYLE.md §6). Clients run their
 * random workload throughout; every scenario ends with the per-step checkers silent and the
 * clients' history linearizable.
 */
class RaftScenarioTest {
  private RaftCluster cluster;

  private RaftCluster start(RaftCluster.Builder builder) {
    cluster = builder.build();
    cluster.startMembers().startClients();
    assertThat(cluster.runUntil(() -> cluster.leader().isPresent(), seconds(5)))
        .as("a leader within 5 s")
        .isTrue();
    return cluster;
  }

  private String leader() {
    return cluster.leader().orElseThrow().name();
  }

  private long term(String name) {
    return cluster.member(name).process().orElseThrow().raft().term();
  }

  private boolean everyMemberApplied(long index) {
    for (long id : cluster.committedConfiguration().members()) {
      RaftMember member = cluster.member(RaftMember.nameOf(id));
      if (member.process().isEmpty() || member.process().get().appliedIndex() < index) {
        return false;
      }
    }
    return true;
  }

  private long leaderCommit() {
    return cluster.leader().orElseThrow().process().orElseThrow().raft().status().commit();
  }

  @AfterEach
  void historyIsLinearizable() {
    cluster.stopClients();
    cluster.runFor(seconds(6));
    assertThat(cluster.violations()).isEmpty();
    LinearizabilityChecker.Result result = cluster.checkLinearizability();
    assertThat(result.violations()).isEmpty();
    assertThat(result.inconclusiveKeys()).isEmpty();
    assertThat(result.operationsChecked()).isPositive();
  }

  @Test
  void leaderPowerLoss_theOthersElectANewLeader_andTheOldOneRejoinsAsFollower() {
    start(RaftCluster.builder(11).voters(5).clients(3, Workload.defaults()));
    cluster.runFor(seconds(2));
    String old = leader();
    long oldTerm = term(old);

    cluster.crash(old, MemberStop.POWER_LOSS);

    assertThat(cluster.runUntil(() -> cluster.leader().isPresent(), seconds(5))).isTrue();
    assertThat(leader()).isNotEqualTo(old);
    assertThat(term(leader())).isGreaterThan(oldTerm);

    cluster.restart(old);
    cluster.runFor(seconds(3));
    assertThat(cluster.member(old).isLeader()).isFalse();
    long commit = leaderCommit();
    assertThat(cluster.runUntil(() -> everyMemberApplied(commit), seconds(5))).isTrue();
  }

  @Test
  void followerCutOffWhileOthersCompact_catchesUpFromASnapshot() {
    start(
        RaftCluster.builder(12).voters(3).clients(3, Workload.defaults()).compactEveryEntries(20));
    String follower =
        cluster.memberNames().stream().filter(name -> !name.equals(leader())).findFirst().get();
    List<String> others = new ArrayList<>(cluster.memberNames());
    others.remove(follower);

    RaftCluster.Cuts cuts = cluster.partition(follower).from(others.toArray(String[]::new));
    cluster.runFor(seconds(8));
    assertThat(cluster.snapshotsTaken()).isPositive();
    cuts.heal();

    long commit = leaderCommit();
    assertThat(cluster.runUntil(() -> everyMemberApplied(commit), seconds(5))).isTrue();
    assertThat(cluster.snapshotsInstalled()).as("the follower got a snapshot").isPositive();
  }

  @Test
  void membership_addALearnerPromoteItThenRemoveTheLeader_theGroupGoesOn() {
    start(RaftCluster.builder(13).voters(3).spares(1).clients(3, Workload.defaults()));
    cluster.runFor(seconds(1));

    assertThat(cluster.proposeConfigChange(new ConfigChange.AddLearner(4)))
        .containsInstanceOf(Submission.Accepted.class);
    assertThat(cluster.runUntil(() -> cluster.committedConfiguration().isLearner(4), seconds(3)))
        .isTrue();
    assertThat(cluster.proposeConfigChange(new ConfigChange.AddVoter(4)))
        .containsInstanceOf(Submission.Accepted.class);
    assertThat(cluster.runUntil(() -> cluster.committedConfiguration().isVoter(4), seconds(3)))
        .isTrue();

    String old = leader();
    long oldId = cluster.member(old).id();
    assertThat(cluster.proposeConfigChange(new ConfigChange.RemoveMember(oldId)))
        .containsInstanceOf(Submission.Accepted.class);
    assertThat(
            cluster.runUntil(
                () ->
                    !cluster.committedConfiguration().contains(oldId)
                        && cluster.leader().isPresent()
                        && !leader().equals(old),
                seconds(5)))
        .as("the old leader removed and a new one leading")
        .isTrue();
    Configuration configuration = cluster.committedConfiguration();
    assertThat(configuration.voters()).hasSize(3).contains(4L).doesNotContain(oldId);
    cluster.decommission(old);
    cluster.runFor(seconds(2));
  }

  @Test
  void leadershipTransfer_theTargetLeadsANewTerm() {
    start(RaftCluster.builder(14).voters(3).clients(2, Workload.defaults()));
    cluster.runFor(seconds(1));
    String old = leader();
    long oldTerm = term(old);
    long target = old.equals("n2") ? 3 : 2;

    assertThat(cluster.transferLeadership(target)).containsInstanceOf(Submission.Accepted.class);

    assertThat(
            cluster.runUntil(
                () -> cluster.leader().map(m -> m.id() == target).orElse(false), seconds(3)))
        .isTrue();
    assertThat(term(RaftMember.nameOf(target))).isGreaterThan(oldTerm);
  }

  @Test
  void everyMachineLosesPowerAtOnce_acknowledgedWritesSurviveTheRestart() {
    start(RaftCluster.builder(15).voters(3).clients(3, Workload.defaults()));
    cluster.runFor(seconds(3));
    long committed = leaderCommit();

    for (String name : cluster.memberNames()) {
      cluster.crash(name, MemberStop.POWER_LOSS);
    }
    cluster.runFor(seconds(1));
    for (String name : cluster.memberNames()) {
      cluster.restart(name);
    }

    assertThat(cluster.runUntil(() -> cluster.leader().isPresent(), seconds(5))).isTrue();
    assertThat(cluster.runUntil(() -> leaderCommit() > committed, seconds(5))).isTrue();
    // The history (reads after the restart see the writes acknowledged before it) is checked
    // for linearizability after each test.
  }

  @Test
  void leaseReads_withBoundedDriftAndPauses_linearizable() {
    RaftCluster.Builder builder =
        RaftCluster.builder(16)
            .voters(3)
            .clients(4, Workload.defaults())
            .raftConfig(id -> RaftConfig.builder(id).leaseReads(true).leaseDurationTicks(7).build())
            .catchUpTicksOnThaw(true)
            .clock("n1", new SimClock(0, -SimClock.DRIFT_PPM_LIMIT))
            .clock("n2", new SimClock(0, SimClock.DRIFT_PPM_LIMIT))
            .clock("n3", new SimClock(0, SimClock.DRIFT_PPM_LIMIT));
    start(builder);
    for (int round = 0; round < 3; round++) {
      String old = leader();
      cluster.freeze(old);
      cluster.runFor(seconds(3));
      cluster.thaw(old);
      cluster.runFor(seconds(2));
    }
    assertThat(cluster.readsServed()).isPositive();
  }
}
