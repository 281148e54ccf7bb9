package io.ringkv.cluster.metadata.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.raft.Configuration;
import io.ringkv.raft.Role;
import io.ringkv.raft.Status;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class VoterEligibilityTest {
  private static final long LEADER = RaftIds.of(Commands.node(1));
  private static final long VOTER = RaftIds.of(Commands.node(2));
  private static final long LEARNER = RaftIds.of(Commands.node(3));
  private static final Configuration CONFIGURATION =
      new Configuration(List.of(LEADER, VOTER), List.of(LEARNER));

  private final VoterEligibility eligibility = new VoterEligibility(LEADER, 3, 2);

  /** A leader's status at last index 100 where the voter and the learner are as given. */
  private static Status status(boolean voterActive, boolean learnerActive, long learnerMatch) {
    TreeMap<Long, Status.MemberProgress> progress = new TreeMap<>();
    progress.put(LEADER, new Status.MemberProgress(100, 101, "REPLICATE", false, 0, true));
    progress.put(VOTER, new Status.MemberProgress(100, 101, "REPLICATE", false, 0, voterActive));
    progress.put(
        LEARNER,
        new Status.MemberProgress(
            learnerMatch, learnerMatch + 1, "REPLICATE", false, 0, learnerActive));
    return new Status(
        LEADER, Role.LEADER, 2, LEADER, LEADER, 1, 100, 2, 100, 100, CONFIGURATION, 0, progress);
  }

  @Test
  void eligible_voterStaysEligibleThroughACheckQuorumClear() {
    eligibility.observe(status(true, true, 100));
    eligibility.observe(status(false, false, 100)); // check-quorum cleared recentActive
    assertThat(eligibility.eligible(Commands.node(2))).isTrue();
    assertThat(eligibility.eligible(Commands.node(1))).isTrue();
  }

  @Test
  void eligible_silentPastTheBoundIsNot() {
    eligibility.observe(status(true, true, 100));
    for (int tick = 0; tick < 4; tick++) {
      eligibility.observe(status(false, true, 100));
    }
    assertThat(eligibility.eligible(Commands.node(2))).isFalse();
  }

  @Test
  void eligible_learnerMustBeCaughtUp() {
    eligibility.observe(status(true, true, 97));
    assertThat(eligibility.eligible(Commands.node(3))).isFalse();
    eligibility.observe(status(true, true, 98));
    assertThat(eligibility.eligible(Commands.node(3))).isTrue();
  }

  @Test
  void eligible_notInTheGroupIsNot() {
    eligibility.observe(status(true, true, 100));
    assertThat(eligibility.eligible(Commands.node(4))).isFalse();
  }
}
