package io.ringkv.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node's contract with its caller, its bounds, and single-node behaviour. */
class RaftNodeTest {
  private static final Configuration THREE = Configuration.ofVoters(1, 2, 3);

  /** Handles every Ready as a caller that stores everything at once would; drops messages. */
  private static void drain(RaftNode node) {
    while (node.hasReady()) {
      node.advance(node.ready());
    }
  }

  private static RaftNode singleVoterLeader(RaftConfig config) {
    RaftNode node = RaftNode.bootstrap(config, Configuration.ofVoters(1), new Rng(1));
    drain(node);
    node.campaign();
    drain(node);
    assertThat(node.role()).isEqualTo(Role.LEADER);
    return node;
  }

  @Test
  void ready_twiceWithoutAdvance_throws() {
    RaftNode node = RaftNode.bootstrap(RaftConfig.defaults(1), THREE, new Rng(1));
    node.ready();
    assertThatThrownBy(node::ready).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void stepOrTick_betweenReadyAndAdvance_throws() {
    RaftNode node = RaftNode.bootstrap(RaftConfig.defaults(1), THREE, new Rng(1));
    node.ready();
    assertThatThrownBy(node::tick).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> node.step(new Message.TimeoutNow(2, 1, 1)))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> node.propose(new byte[0])).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void step_messageForAnotherNode_throws() {
    RaftNode node = RaftNode.bootstrap(RaftConfig.defaults(1), THREE, new Rng(1));
    assertThatThrownBy(() -> node.step(new Message.TimeoutNow(2, 3, 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bootstrap_firstReadyStoresTheConfigurationEntryAndAppliesItOnlyAfterwards() {
    RaftNode node = RaftNode.bootstrap(RaftConfig.defaults(1), THREE, new Rng(1));
    Ready first = node.ready();
    assertThat(first.entries()).hasSize(1);
    assertThat(first.committedEntries()).as("not applied before it is stored").isEmpty();
    assertThat(first.mustSync()).isTrue();
    node.advance(first);
    Ready second = node.ready();
    assertThat(second.committedEntries()).isEqualTo(first.entries());
  }

  @Test
  void singleVoter_commitsOnlyWhatItHasStored() {
    RaftNode node = singleVoterLeader(RaftConfig.defaults(1));
    Submission submission = node.propose(new byte[] {7});
    assertThat(submission).isEqualTo(new Submission.Accepted(3, 2));
    Ready storing = node.ready();
    assertThat(storing.entries()).hasSize(1);
    assertThat(storing.hardState().map(HardState::commit)).isEmpty();
    node.advance(storing);
    assertThat(node.status().commit()).isEqualTo(3);
    Ready applying = node.ready();
    assertThat(applying.committedEntries()).hasSize(1);
  }

  @Test
  void propose_onAFollower_isRefusedWithTheLeader() {
    RaftNode node = RaftNode.bootstrap(RaftConfig.defaults(2), THREE, new Rng(1));
    drain(node);
    node.step(new Message.Heartbeat(1, 2, 2, 1, 0, 0));
    assertThat(node.propose(new byte[1]))
        .isEqualTo(new Submission.Rejected(RejectReason.NOT_LEADER, 1));
  }

  @Test
  void propose_pastUncommittedBytesMax_isRefused() {
    RaftConfig config =
        RaftConfig.builder(1)
            .appendBytesMax(100)
            .entryBytesMax(100)
            .inflightBytesMax(100)
            .uncommittedBytesMax(100)
            .build();
    RaftNode node = RaftNode.bootstrap(config, THREE, new Rng(1));
    drain(node);
    // Leader of a three-node group whose followers never answer: nothing commits.
    node.campaign();
    node.step(new Message.VoteResponse(2, 1, 2, true, true));
    node.step(new Message.VoteResponse(2, 1, 2, false, true));
    drain(node);
    assertThat(node.role()).isEqualTo(Role.LEADER);
    assertThat(node.propose(new byte[50])).isInstanceOf(Submission.Accepted.class);
    assertThat(node.propose(new byte[50]))
        .isEqualTo(new Submission.Rejected(RejectReason.TOO_MANY_UNCOMMITTED_BYTES, 1));
    assertThat(node.propose(new byte[100]))
        .isEqualTo(new Submission.Rejected(RejectReason.ENTRY_TOO_LARGE, 1));
  }

  @Test
  void readIndex_pastPendingReadsMax_isRefused() {
    RaftConfig config = RaftConfig.builder(1).pendingReadsMax(2).build();
    RaftNode node = RaftNode.bootstrap(config, THREE, new Rng(1));
    drain(node);
    node.campaign();
    node.step(new Message.VoteResponse(2, 1, 2, true, true));
    node.step(new Message.VoteResponse(2, 1, 2, false, true));
    drain(node);
    assertThat(node.role()).isEqualTo(Role.LEADER);
    // Its first entry is not committed: reads wait, and the wait is bounded.
    assertThat(node.readIndex(1)).isInstanceOf(Submission.Accepted.class);
    assertThat(node.readIndex(2)).isInstanceOf(Submission.Accepted.class);
    assertThat(node.readIndex(3))
        .isEqualTo(new Submission.Rejected(RejectReason.TOO_MANY_PENDING_READS, 1));
  }

  @Test
  void singleVoter_readIndexIsAnsweredAtOnce() {
    RaftNode node = singleVoterLeader(RaftConfig.defaults(1));
    node.readIndex(9);
    assertThat(node.ready().readStates()).containsExactly(new ReadState(9, 2));
  }

  @Test
  void electionTimeout_isRandomizedWithinOneToTwoTimeouts() {
    java.util.Set<Integer> seen = new java.util.TreeSet<>();
    for (long seed = 0; seed < 200; seed++) {
      RaftNode node = RaftNode.bootstrap(RaftConfig.defaults(1), THREE, new Rng(seed));
      drain(node);
      int ticks = 0;
      while (node.role() == Role.FOLLOWER) {
        node.tick();
        ticks++;
      }
      seen.add(ticks);
    }
    assertThat(seen).allMatch(ticks -> ticks >= 10 && ticks < 20);
    assertThat(seen.size()).as("timeouts differ between seeds").isGreaterThan(5);
  }

  @Test
  void learner_neverCampaigns() {
    Configuration withLearner = new Configuration(List.of(1L, 2L, 3L), List.of(4L));
    RaftNode node = RaftNode.bootstrap(RaftConfig.defaults(4), withLearner, new Rng(1));
    drain(node);
    node.campaign();
    for (int i = 0; i < 100; i++) {
      node.tick();
    }
    assertThat(node.role()).isEqualTo(Role.FOLLOWER);
    assertThat(node.hasReady()).isFalse();
  }

  @Test
  void electionSafetyViolation_isDetectedNotIgnored() {
    RaftNode node = singleVoterLeader(RaftConfig.defaults(1));
    assertThatThrownBy(
            () -> node.step(new Message.AppendEntries(2, 1, node.term(), 0, 0, List.of(), 0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("election safety");
  }

  @Test
  void config_badValues_areRejectedNamingTheField() {
    assertThatThrownBy(() -> RaftConfig.builder(1).electionTimeoutTicks(1).build())
        .hasMessageContaining("electionTimeoutTicks");
    assertThatThrownBy(() -> RaftConfig.builder(1).checkQuorum(false).leaseReads(true).build())
        .hasMessageContaining("leaseReads needs checkQuorum");
    assertThatThrownBy(() -> RaftConfig.builder(1).leaseDurationTicks(10).build())
        .hasMessageContaining("leaseDurationTicks");
    assertThatThrownBy(() -> RaftConfig.builder(1).entryBytesMax(2 << 20).build())
        .hasMessageContaining("entryBytesMax");
    assertThatThrownBy(() -> RaftConfig.builder(0).build()).hasMessageContaining("id");
  }

  @Test
  void config_leaseWithoutATickOfMargin_isRejected() {
    assertThatThrownBy(
            () ->
                RaftConfig.builder(1)
                    .electionTimeoutTicks(10)
                    .leaseReads(true)
                    .leaseDurationTicks(9)
                    .build())
        .hasMessageContaining("at most electionTimeoutTicks - 2");
    assertThat(RaftConfig.builder(1).leaseReads(true).leaseDurationTicks(8).build().leaseReads())
        .isTrue();
  }

  /**
   * Why the lease's clock assumption is {@code (electionTimeoutTicks - 1) / leaseDurationTicks}: a
   * voter that heard a leader's heartbeat refuses other candidates for exactly {@code
   * electionTimeoutTicks} of its own ticks, and its first tick may come right after the heartbeat.
   */
  @Test
  void checkQuorum_voterRefusesOtherCandidatesForElectionTimeoutTicks_countingATickRightAfter() {
    RaftConfig config = RaftConfig.builder(2).electionTimeoutTicks(10).preVote(false).build();
    RaftNode voter = RaftNode.bootstrap(config, THREE, new Rng(1));
    drain(voter);
    voter.step(new Message.Heartbeat(1, 2, 2, 1, 0, 5));
    drain(voter);
    for (int tick = 1; tick <= 9; tick++) {
      voter.tick(); // the first of them may come a nanosecond after the heartbeat
    }
    drain(voter);
    voter.step(new Message.VoteRequest(3, 2, 3, false, 1, 1, false));
    assertThat(voter.term()).as("still refusing after 9 ticks").isEqualTo(2);
    assertThat(voter.hasReady()).as("no answer, no change").isFalse();

    voter.tick();
    drain(voter);
    voter.step(new Message.VoteRequest(3, 2, 3, false, 1, 1, false));
    Ready ready = voter.ready();
    assertThat(ready.messages())
        .as("after 10 ticks, a little more than 9 tick intervals, it votes")
        .containsExactly(new Message.VoteResponse(2, 3, 3, false, true));
  }

  @Test
  void configuration_encodesAndAppliesOneChangeAtATime() {
    Configuration configuration = new Configuration(List.of(3L, 1L), List.of(5L));
    assertThat(Configuration.decode(configuration.encode())).isEqualTo(configuration);
    assertThat(configuration.voters()).containsExactly(1L, 3L);
    assertThat(configuration.apply(new ConfigChange.AddVoter(5)))
        .isEqualTo(Configuration.ofVoters(1, 3, 5));
    assertThat(configuration.apply(new ConfigChange.AddLearner(3)))
        .isEqualTo(new Configuration(List.of(1L), List.of(3L, 5L)));
    assertThatThrownBy(() -> configuration.apply(new ConfigChange.RemoveMember(9)))
        .hasMessageContaining("not a member");
    assertThatThrownBy(() -> Configuration.ofVoters(1).apply(new ConfigChange.RemoveMember(1)))
        .hasMessageContaining("at least one voter");
    assertThatThrownBy(() -> Configuration.decode(new byte[] {1, 0}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void inflights_areBoundedByCountAndBytes() {
    Inflights inflights = new Inflights(3, 100);
    inflights.add(1, 40);
    inflights.add(2, 40);
    assertThat(inflights.isFull()).isFalse();
    inflights.add(3, 40);
    assertThat(inflights.isFull()).isTrue();
    inflights.freeTo(2);
    assertThat(inflights.count()).isEqualTo(1);
    assertThat(inflights.isFull()).isFalse();
  }

  @Test
  void progress_staleRejection_isIgnored() {
    Progress progress = new Progress(10, 4, 1 << 20);
    progress.maybeUpdate(5);
    progress.becomeReplicate();
    assertThat(progress.maybeDecrementTo(4, 3)).as("rejects an index already matched").isFalse();
    assertThat(progress.maybeDecrementTo(8, 3)).isTrue();
    assertThat(progress.next).isEqualTo(6);
    progress.becomeProbe();
    assertThat(progress.maybeDecrementTo(7, 2)).as("answers an older probe").isFalse();
    assertThat(progress.maybeDecrementTo(5, 2)).isTrue();
    assertThat(progress.next).as("never below match + 1").isEqualTo(6);
  }
}
