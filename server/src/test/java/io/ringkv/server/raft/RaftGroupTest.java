package io.ringkv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.raft.Configuration;
import io.ringkv.raft.RaftConfig;
import io.ringkv.raft.Role;
import io.ringkv.raft.StateMachine;
import io.ringkv.server.internode.InternodeConfig;
import io.ringkv.server.internode.InternodeMessage;
import io.ringkv.server.internode.InternodeTransport;
import io.ringkv.server.raft.RaftGroupException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three (or four) members of one Raft group in one JVM, each with its own internode transport on
 * 127.0.0.1 and an ephemeral port, its own directory and a {@link KeyValueStateMachine}: the real
 * driver over the real transport. Conditions are polled with a deadline; nothing sleeps.
 */
class RaftGroupTest {
  private static final long GROUP = 7;
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final String CLUSTER = "raft-test";

  @TempDir Path directory;

  private final RaftPeers.Directory peers = RaftPeers.directory(Map.of());
  private final Map<Long, Member> members = new TreeMap<>();

  /** One member's process: transport, router, group and state machine. */
  private final class Member implements AutoCloseable {
    final long id;
    final InternodeTransport transport;
    final RaftGroup group;
    final StateMachine machine;

    Member(long id, RaftGroupSettings settings, StateMachine machine, Configuration bootstrap)
        throws IOException {
      this.id = id;
      this.machine = machine;
      RaftRouter router = RaftRouter.raftOnly();
      NodeId node = nodeOf(id);
      this.transport =
          new InternodeTransport(
              InternodeConfig.defaults("127.0.0.1", 0).withTimeouts(500, 2_000, 5_000),
              node.value(),
              CLUSTER,
              router,
              new SimpleMeterRegistry());
      transport.start();
      peers.put(id, node);
      // Everyone learns everyone's (new) address.
      for (Member other : members.values()) {
        if (other.id != id) {
          other.transport.updatePeerAddress(node.value(), transport.localAddress());
          transport.updatePeerAddress(nodeOf(other.id).value(), other.transport.localAddress());
        }
      }
      this.group = RaftGroup.start(settings, peers, transport, router, machine, bootstrap);
    }

    KeyValueStateMachine kv() {
      return (KeyValueStateMachine) machine;
    }

    @Override
    public void close() {
      group.close();
      transport.close();
    }
  }

  @AfterEach
  void closeAll() {
    for (Member member : members.values()) {
      member.close();
    }
  }

  private static NodeId nodeOf(long member) {
    return NodeId.of("node-" + member);
  }

  private RaftGroupSettings settings(long member) {
    return RaftGroupSettings.defaults(GROUP, member, directory.resolve("member-" + member))
        .withRaft(RaftConfig.builder(member).electionTimeoutTicks(10).build())
        .withTickMillis(20)
        .withSnapshotEveryEntries(300);
  }

  private Member start(long id, Configuration bootstrap) throws IOException {
    return start(id, settings(id), new KeyValueStateMachine(), bootstrap);
  }

  private Member start(
      long id, RaftGroupSettings settings, StateMachine machine, Configuration bootstrap)
      throws IOException {
    Member member = new Member(id, settings, machine, bootstrap);
    members.put(id, member);
    return member;
  }

  private void startThree() throws IOException {
    Configuration founders = Configuration.ofVoters(1, 2, 3);
    for (long id = 1; id <= 3; id++) {
      start(id, founders);
    }
  }

  private Member awaitLeader() {
    Member[] leader = new Member[1];
    await(
        "a leader known to every running member",
        () -> {
          long leaderId = 0;
          for (Member member : members.values()) {
            RaftGroupStatus status = member.group.status();
            if (status.leader() == 0 || (leaderId != 0 && status.leader() != leaderId)) {
              return false;
            }
            leaderId = status.leader();
          }
          Member candidate = members.get(leaderId);
          if (candidate == null || !candidate.group.status().isLeader()) {
            return false;
          }
          leader[0] = candidate;
          return true;
        });
    return leader[0];
  }

  private void awaitSameState() {
    await(
        "every member applied the same entries",
        () -> {
          long commit = 0;
          for (Member member : members.values()) {
            commit = Math.max(commit, member.group.status().commit());
          }
          for (Member member : members.values()) {
            if (member.machine.appliedIndex() < commit) {
              return false;
            }
          }
          KeyValueStateMachine first = members.values().iterator().next().kv();
          for (Member member : members.values()) {
            if (!member.kv().contentEquals(first)) {
              return false;
            }
          }
          return true;
        });
  }

  /** Proposes {@code count} puts through {@code member}, at most 64 in flight. */
  private static void proposeAll(Member member, String prefix, int count) throws Exception {
    List<CompletableFuture<byte[]>> inFlight = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] value = (prefix + "-value-" + i).getBytes(StandardCharsets.UTF_8);
      inFlight.add(member.group.propose(KeyValueStateMachine.put(prefix + "-" + i, value)));
      if (inFlight.size() == 64) {
        for (CompletableFuture<byte[]> future : inFlight) {
          future.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        }
        inFlight.clear();
      }
    }
    for (CompletableFuture<byte[]> future : inFlight) {
      future.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  // ------------------------------------------------------------------------------------- tests

  @Test
  void threeMembers_electAndApplyThousandProposals_allStateMachinesEqual() throws Exception {
    startThree();
    Member leader = awaitLeader();

    proposeAll(leader, "k", 1_000);

    awaitSameState();
    for (Member member : members.values()) {
      assertThat(member.kv().size()).isEqualTo(1_000);
      assertThat(member.kv().get("k-999"))
          .isEqualTo("k-value-999".getBytes(StandardCharsets.UTF_8));
    }
    // Compaction ran (every 300 entries) and batching put several proposals in one fsync.
    assertThat(leader.group.snapshotsTaken()).isGreaterThanOrEqualTo(3);
    assertThat(leader.group.status().snapshotIndex()).isGreaterThanOrEqualTo(900);
    System.out.printf(
        "raft group: 1,000 proposals, leader handled %d Readies with %d fsyncs%n",
        leader.group.readiesHandled(), leader.group.syncs());
  }

  @Test
  void leaderClosed_newLeaderTakesProposals_restartedMemberCatchesUpFromItsDirectory()
      throws Exception {
    startThree();
    Member oldLeader = awaitLeader();
    proposeAll(oldLeader, "before", 200);

    members.remove(oldLeader.id).close();
    Member newLeader = awaitLeader();
    assertThat(newLeader.id).isNotEqualTo(oldLeader.id);
    // Enough new entries that the leader compacts past what the closed member holds: it catches
    // up from a snapshot.
    proposeAll(newLeader, "after", 700);

    Member restarted = start(oldLeader.id, null);
    assertThat(restarted.machine.appliedIndex())
        .as("restored from its own snapshot or log before catching up")
        .isGreaterThanOrEqualTo(0);
    awaitSameState();
    assertThat(restarted.kv().size()).isEqualTo(900);
    assertThat(restarted.kv().get("before-0"))
        .isEqualTo("before-value-0".getBytes(StandardCharsets.UTF_8));
    assertThat(restarted.kv().get("after-699"))
        .isEqualTo("after-value-699".getBytes(StandardCharsets.UTF_8));
    assertThat(restarted.group.status().role()).isEqualTo(Role.FOLLOWER);
  }

  @Test
  void everyMemberClosed_thenRestartedFromItsDirectory_keepsEveryAcknowledgedWrite()
      throws Exception {
    startThree();
    proposeAll(awaitLeader(), "durable", 500);
    for (Member member : List.copyOf(members.values())) {
      members.remove(member.id).close();
    }

    for (long id = 1; id <= 3; id++) {
      // A configuration given to a member whose directory holds a log is ignored: it restarts.
      start(id, Configuration.ofVoters(1, 2, 3));
    }
    Member leader = awaitLeader();
    leader.group.linearizableBarrier().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(leader.kv().size()).isEqualTo(500);
    proposeAll(leader, "again", 10);
    awaitSameState();
    assertThat(leader.group.status().term()).isGreaterThan(1);
  }

  @Test
  void follower_forwardsProposalsToTheLeader_andAnswersWithTheResult() throws Exception {
    startThree();
    Member leader = awaitLeader();
    Member follower = members.values().stream().filter(m -> m != leader).findFirst().orElseThrow();

    byte[] first =
        follower
            .group
            .propose(KeyValueStateMachine.put("x", new byte[] {1, 2, 3}))
            .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    byte[] second =
        follower
            .group
            .propose(KeyValueStateMachine.put("x", new byte[] {4}))
            .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);

    // The result is the previous value's length: -1 (none), then 3.
    assertThat(java.nio.ByteBuffer.wrap(first).getInt()).isEqualTo(-1);
    assertThat(java.nio.ByteBuffer.wrap(second).getInt()).isEqualTo(3);
    follower.group.linearizableBarrier().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(follower.kv().get("x")).containsExactly(4);
    proposeAll(follower, "forwarded", 100);
    awaitSameState();
  }

  @Test
  void linearizableBarrier_onAFollower_seesEveryWriteCompletedBefore() throws Exception {
    startThree();
    Member leader = awaitLeader();
    Member follower = members.values().stream().filter(m -> m != leader).findFirst().orElseThrow();
    for (int i = 0; i < 20; i++) {
      leader
          .group
          .propose(KeyValueStateMachine.put("r", new byte[] {(byte) i}))
          .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      follower.group.linearizableBarrier().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(follower.kv().get("r")).containsExactly((byte) i);
    }
  }

  @Test
  void membership_learnerAddedPromotedAndGivenTheLeadership_thenAMemberRemoved() throws Exception {
    startThree();
    Member leader = awaitLeader();
    proposeAll(leader, "m", 50);

    Member fourth = start(4, null);
    leader.group.addLearner(4).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    awaitSameState();
    assertThat(fourth.kv().size()).isEqualTo(50);
    assertThat(leader.group.status().configuration().learners()).containsExactly(4L);

    leader.group.promoteToVoter(4).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(leader.group.status().configuration().voters()).containsExactly(1L, 2L, 3L, 4L);

    leader.group.transferLeadership(4).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    await("member 4 leads", () -> fourth.group.status().isLeader());

    long removed = leader.id;
    fourth.group.removeMember(removed).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(fourth.group.status().configuration().voters()).doesNotContain(removed);
    members.remove(removed).close();
    proposeAll(fourth, "after-removal", 50);
    awaitSameState();
  }

  @Test
  void loneVoter_leadsWithoutWaitingForAnElectionTimeout_atFoundingAndAfterARestart()
      throws Exception {
    // Ticks of a minute: an election timeout (10 ticks) would take ten minutes, far past the
    // deadline, so leading within it shows the lone voter campaigned as it started.
    RaftGroupSettings slowTicks = settings(1).withTickMillis(60_000);
    Member founder = start(1, slowTicks, new KeyValueStateMachine(), Configuration.ofVoters(1));
    awaitLeader();
    founder
        .group
        .propose(KeyValueStateMachine.put("k", new byte[] {1}))
        .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    members.remove(1L).close();

    Member restarted = start(1, slowTicks, new KeyValueStateMachine(), null);
    awaitLeader();
    restarted
        .group
        .propose(KeyValueStateMachine.put("k2", new byte[] {2}))
        .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(restarted.kv().get("k")).containsExactly(1);
    assertThat(restarted.kv().get("k2")).containsExactly(2);
    assertThat(restarted.group.status().term()).isGreaterThan(1);
  }

  @Test
  void noLeaderKnown_proposalsAndBarriersFailFastNamingIt() throws Exception {
    // Member 1 of three founders alone: it can never win an election, so it knows no leader.
    Member alone = start(1, Configuration.ofVoters(1, 2, 3));

    assertThatThrownBy(
            () ->
                alone
                    .group
                    .propose(KeyValueStateMachine.put("k", new byte[1]))
                    .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            RaftGroupException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_LEADER))
        .hasMessageContaining("not leader, leader is unknown");
    assertThatThrownBy(
            () -> alone.group.linearizableBarrier().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS))
        .cause()
        .hasMessageContaining("not leader, leader is unknown");
    assertThatThrownBy(
            () -> alone.group.addLearner(9).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS))
        .cause()
        .hasMessageContaining("not leader");
    assertThatThrownBy(() -> alone.group.propose(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("command must not be empty");
  }

  @Test
  void bounds_proposalsAndReadsInFlight_refuseTheNextClearly() throws Exception {
    // A lone voter leads itself; its state machine holds the first apply, so nothing completes
    // and what is in flight stays in flight.
    CountDownLatch release = new CountDownLatch(1);
    BlockingStateMachine machine = new BlockingStateMachine(release);
    Member lone = start(1, settings(1).withBounds(4, 2, 16), machine, Configuration.ofVoters(1));
    try {
      awaitLeader();
      List<CompletableFuture<byte[]>> admitted = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        admitted.add(lone.group.propose(KeyValueStateMachine.put("k" + i, new byte[1])));
      }
      await("the state machine holds the first apply", () -> machine.entered.getCount() == 0);
      CompletableFuture<byte[]> refused =
          lone.group.propose(KeyValueStateMachine.put("k", new byte[1]));
      assertThat(refused).isCompletedExceptionally();
      assertThatThrownBy(refused::join)
          .cause()
          .isInstanceOfSatisfying(
              RaftGroupException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OVERLOADED))
          .hasMessageContaining("4 requests in flight (proposalsInFlightMax)");

      lone.group.linearizableBarrier();
      lone.group.linearizableBarrier();
      CompletableFuture<Void> thirdRead = lone.group.linearizableBarrier();
      assertThatThrownBy(thirdRead::join).cause().hasMessageContaining("(readsInFlightMax)");

      // Inbound: an envelope over inboundMessagesMax (16) is dropped and counted, never queued.
      List<io.ringkv.raft.Message> many = new ArrayList<>();
      peers.put(2, nodeOf(2));
      for (int i = 0; i < 17; i++) {
        many.add(new io.ringkv.raft.Message.TimeoutNow(2, 1, 1));
      }
      lone.group.receive("node-2", new InternodeMessage.RaftMessages(GROUP, many));
      assertThat(lone.group.inboundMessagesDropped()).isEqualTo(17);
      // A message claiming member 2 from another node is dropped too.
      lone.group.receive("node-3", new InternodeMessage.RaftMessages(GROUP, many.subList(0, 1)));
      assertThat(lone.group.inboundMessagesDropped()).isEqualTo(18);
    } finally {
      release.countDown();
    }
  }

  @Test
  void settings_refuseBadValuesNamingTheField() {
    assertThatThrownBy(() -> settings(1).withBounds(0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("proposalsInFlightMax must be in [1, 1000000], was 0");
    assertThatThrownBy(() -> settings(1).withTickMillis(0))
        .hasMessage("tickMillis must be in [1, 60000], was 0");
  }

  // --------------------------------------------------------------------------------- helpers

  /** A key-value machine whose applies wait for a latch: holds proposals in flight. */
  private static final class BlockingStateMachine implements StateMachine {
    final KeyValueStateMachine inner = new KeyValueStateMachine();
    final CountDownLatch release;
    final CountDownLatch entered = new CountDownLatch(1);

    BlockingStateMachine(CountDownLatch release) {
      this.release = release;
    }

    @Override
    public long appliedIndex() {
      return inner.appliedIndex();
    }

    @Override
    public byte[] apply(long index, byte[] command) {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return inner.apply(index, command);
    }

    @Override
    public void skip(long index) {
      inner.skip(index);
    }

    @Override
    public byte[] snapshot() {
      return inner.snapshot();
    }

    @Override
    public void restore(long index, byte[] snapshot) {
      inner.restore(index, snapshot);
    }
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadlineNanos = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadlineNanos > 0) {
        throw new AssertionError("timed out after " + DEADLINE + " waiting for " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
