package io.ringkv.cluster.replication;

import static io.ringkv.cluster.replication.Plans.N1;
import static io.ringkv.cluster.replication.Plans.N2;
import static io.ringkv.cluster.replication.Plans.N3;
import static io.ringkv.cluster.replication.Plans.N4;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.storage.Cell;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WriteCoordinationProtocolTest {
  private static final byte[] KEY = {1, 2, 3};
  private static final Cell CELL = Cell.value(new byte[] {9}, 100);

  private static WriteCoordination write(ConsistencyLevel level, Set<NodeId> alive) {
    return new WriteCoordination(Plans.write(level), KEY, CELL, alive, List.of(), false, true);
  }

  private static List<NodeId> targets(Effects effects) {
    return effects.sends().stream().map(Send::to).toList();
  }

  private static List<NodeId> hinted(Effects effects) {
    return effects.hints().stream().map(Hint::target).toList();
  }

  @Test
  void quorumSucceedsOnTheSecondAcknowledgement() {
    WriteCoordination write = write(ConsistencyLevel.QUORUM, Set.of(N1, N2, N3));
    Effects start = write.start();
    assertThat(targets(start)).containsExactly(N1, N2, N3);
    assertThat(start.sends()).allMatch(s -> s.request() instanceof ReplicaRequest.Write);
    assertThat(start.outcome()).isEmpty();
    assertThat(write.onWritten(N2).outcome()).isEmpty();
    Effects second = write.onWritten(N1);
    assertThat(second.outcome()).containsInstanceOf(Outcome.Success.class);
    assertThat(write.isFinished()).isFalse();
    assertThat(write.onWritten(N3).isEmpty()).isTrue();
    assertThat(write.onWritten(N3).isEmpty()).as("a duplicate acknowledgement").isTrue();
    assertThat(write.isFinished()).isTrue();
  }

  @Test
  void aDownReplicaGetsAHintAndQuorumStillSucceeds() {
    WriteCoordination write = write(ConsistencyLevel.QUORUM, Set.of(N1, N2));
    Effects start = write.start();
    assertThat(targets(start)).containsExactly(N1, N2);
    assertThat(hinted(start)).containsExactly(N3);
    write.onWritten(N1);
    assertThat(write.onWritten(N2).outcome()).containsInstanceOf(Outcome.Success.class);
    assertThat(write.hintsKept()).isEqualTo(1);
  }

  @Test
  void tooFewLiveReplicasIsUnavailableAndNothingIsSentOrHinted() {
    WriteCoordination write = write(ConsistencyLevel.QUORUM, Set.of(N1));
    Effects start = write.start();
    assertThat(start.sends()).isEmpty();
    assertThat(start.hints()).isEmpty();
    assertThat(start.outcome().orElseThrow())
        .isInstanceOfSatisfying(
            Outcome.Unavailable.class,
            u -> assertThat(u.message()).contains("QUORUM").contains("1 are up"));
    assertThat(write.isFinished()).isTrue();
  }

  @Test
  void anySucceedsOnAHintWhenEveryReplicaIsDown() {
    WriteCoordination write = write(ConsistencyLevel.ANY, Set.of());
    Effects start = write.start();
    assertThat(start.sends()).isEmpty();
    assertThat(hinted(start)).containsExactly(N1, N2, N3);
    assertThat(start.outcome().orElseThrow()).isInstanceOf(Outcome.Success.class);
  }

  @Test
  void anyWithoutHintsAndNoLiveReplicaIsUnavailable() {
    WriteCoordination write =
        new WriteCoordination(
            Plans.write(ConsistencyLevel.ANY), KEY, CELL, Set.of(), List.of(), false, false);
    assertThat(write.start().outcome().orElseThrow()).isInstanceOf(Outcome.Unavailable.class);
  }

  @Test
  void aTimeoutBeforeTheLevelIsMetIsIndeterminateAndHintsTheSilentReplicas() {
    WriteCoordination write = write(ConsistencyLevel.QUORUM, Set.of(N1, N2, N3));
    write.start();
    write.onWritten(N1);
    Effects timeout = write.onTimeout();
    assertThat(hinted(timeout)).containsExactlyInAnyOrder(N2, N3);
    assertThat(timeout.outcome().orElseThrow())
        .isInstanceOfSatisfying(
            Outcome.TimedOut.class,
            t -> {
              assertThat(t.answers()).isEqualTo(1);
              assertThat(t.required()).isEqualTo(2);
              assertThat(t.message()).contains("may or may not have applied");
            });
    assertThat(write.isFinished()).isTrue();
    assertThat(write.onWritten(N2).isEmpty()).as("a late acknowledgement").isTrue();
  }

  @Test
  void aReplicaSilentAfterSuccessIsHintedAtTheTimeout() {
    WriteCoordination write = write(ConsistencyLevel.QUORUM, Set.of(N1, N2, N3));
    write.start();
    write.onWritten(N1);
    write.onWritten(N2);
    Effects timeout = write.onTimeout();
    assertThat(hinted(timeout)).containsExactly(N3);
    assertThat(timeout.outcome()).isEmpty();
  }

  @Test
  void failuresThatMakeTheLevelImpossibleEndTheWriteEarly() {
    WriteCoordination write = write(ConsistencyLevel.ALL, Set.of(N1, N2, N3));
    write.start();
    write.onWritten(N1);
    Effects failed = write.onFailed(N2, "disk full");
    assertThat(hinted(failed)).containsExactly(N2);
    assertThat(failed.outcome().orElseThrow())
        .isInstanceOfSatisfying(
            Outcome.TimedOut.class, t -> assertThat(t.message()).contains("n2: disk full"));
  }

  @Test
  void sloppyQuorumSendsTheDownReplicasWriteToAStandInThatCountsForIt() {
    WriteCoordination write =
        new WriteCoordination(
            Plans.write(ConsistencyLevel.ALL),
            KEY,
            CELL,
            Set.of(N1, N2, N4),
            List.of(NodeId.of("n9"), N4),
            true,
            true);
    Effects start = write.start();
    assertThat(start.outcome()).isEmpty();
    assertThat(start.hints()).isEmpty();
    assertThat(targets(start)).containsExactly(N1, N2, N4);
    assertThat(start.sends().get(2).request())
        .isInstanceOfSatisfying(
            ReplicaRequest.StandInWrite.class, w -> assertThat(w.target()).isEqualTo(N3));
    write.onWritten(N1);
    write.onWritten(N2);
    assertThat(write.onWritten(N4).outcome()).containsInstanceOf(Outcome.Success.class);
    assertThat(write.standInsUsed()).isEqualTo(1);
  }

  @Test
  void aSilentStandInLeavesTheHintWithTheCoordinator() {
    WriteCoordination write =
        new WriteCoordination(
            Plans.write(ConsistencyLevel.QUORUM),
            KEY,
            CELL,
            Set.of(N1, N4),
            List.of(N4),
            true,
            true);
    Effects start = write.start();
    // n2 and n3 are down; the one stand-in takes n2's write, n3's becomes a hint at once.
    assertThat(targets(start)).containsExactly(N1, N4);
    assertThat(hinted(start)).containsExactly(N3);
    write.onWritten(N1);
    Effects timeout = write.onTimeout();
    assertThat(hinted(timeout)).containsExactly(N2);
    assertThat(timeout.outcome().orElseThrow()).isInstanceOf(Outcome.TimedOut.class);
  }
}
