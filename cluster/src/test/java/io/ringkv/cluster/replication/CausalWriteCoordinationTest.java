package io.ringkv.cluster.replication;

import static io.ringkv.cluster.replication.Plans.N1;
import static io.ringkv.cluster.replication.Plans.N2;
import static io.ringkv.cluster.replication.Plans.N3;
import static io.ringkv.cluster.replication.Plans.N4;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.ReplicaPlan;
import io.ringkv.cluster.ring.Token;
import io.ringkv.cluster.version.Actor;
import io.ringkv.cluster.version.CausalCells;
import io.ringkv.cluster.version.CausalOperation;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.storage.Cell;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The causal write path of the write handler: dot replica first, then the others join its cell. */
class CausalWriteCoordinationTest {
  private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);
  private static final CausalOperation PUT =
      new CausalOperation.Put(null, "v".getBytes(StandardCharsets.UTF_8));
  private static final Cell APPLIED =
      ((CausalCells.Result.Applied) CausalCells.apply(null, PUT, Actor.of("n1", 0), 7, 32)).cell();

  private static WriteCoordination write(
      ConsistencyLevel level, Set<NodeId> alive, boolean sloppy) {
    return WriteCoordination.causal(
        Plans.write(level), KEY, PUT, 7, alive, List.of(N4), sloppy, true);
  }

  @Test
  void start_sendsOnlyTheCausalUpdateToTheFirstLiveReplica() {
    WriteCoordination write = write(ConsistencyLevel.QUORUM, Set.of(N2, N3), false);
    Effects started = write.start();
    assertThat(started.sends()).hasSize(1);
    assertThat(started.sends().get(0).to()).isEqualTo(N2);
    assertThat(started.sends().get(0).request()).isInstanceOf(ReplicaRequest.CausalUpdate.class);
    assertThat(started.hints()).as("no cell to hint yet").isEmpty();
    assertThat(started.outcome()).isEmpty();
  }

  @Test
  void onApplied_theCellGoesToTheOthersAndTheDotReplicaCountsAsAnAcknowledgement() {
    WriteCoordination write = write(ConsistencyLevel.QUORUM, Set.of(N1, N2), false);
    write.start();
    Effects applied = write.onAnswer(N1, new ReplicaReply.CausalApplied(APPLIED, false));
    assertThat(applied.sends()).extracting(Send::to).containsExactly(N2);
    assertThat(applied.sends().get(0).request())
        .isEqualTo(applied.sends().get(0).request())
        .isInstanceOf(ReplicaRequest.Write.class);
    assertThat(((ReplicaRequest.Write) applied.sends().get(0).request()).cell()).isEqualTo(APPLIED);
    assertThat(applied.hints()).extracting(Hint::target).containsExactly(N3);
    assertThat(applied.outcome()).isEmpty();
    Effects written = write.onWritten(N2);
    assertThat(written.outcome()).contains(new Outcome.Success(APPLIED, 2));
    assertThat(write.causalCell()).isEqualTo(APPLIED);
  }

  @Test
  void one_isMetByTheDotReplicaAlone() {
    WriteCoordination write = write(ConsistencyLevel.ONE, Set.of(N1, N2, N3), false);
    write.start();
    Effects applied = write.onAnswer(N1, new ReplicaReply.CausalApplied(APPLIED, false));
    assertThat(applied.outcome()).contains(new Outcome.Success(APPLIED, 1));
    assertThat(applied.sends()).extracting(Send::to).containsExactly(N2, N3);
  }

  @Test
  void refused_decidesRefusedAndSendsNothingElse() {
    WriteCoordination write = write(ConsistencyLevel.QUORUM, Set.of(N1, N2, N3), false);
    write.start();
    Effects refused =
        write.onAnswer(
            N1,
            new ReplicaReply.CausalRefused(CausalCells.Refusal.WRONGTYPE, "WRONGTYPE Operation"));
    assertThat(refused.sends()).isEmpty();
    assertThat(refused.outcome()).get().isInstanceOf(Outcome.Refused.class);
    assertThat(write.isFinished()).isTrue();
  }

  @Test
  void dotReplicaFails_indeterminateWithoutHints() {
    WriteCoordination write = write(ConsistencyLevel.QUORUM, Set.of(N1, N2, N3), false);
    write.start();
    Effects failed = write.onFailed(N1, "connection reset");
    assertThat(failed.hints()).isEmpty();
    assertThat(failed.outcome()).get().isInstanceOf(Outcome.TimedOut.class);
    assertThat(write.onAnswer(N1, new ReplicaReply.CausalApplied(APPLIED, false)).isEmpty())
        .as("a late answer changes nothing")
        .isTrue();
  }

  @Test
  void keyedIncrement_goesToTheLiveReplicaWithTheLeastIdWhoeverCoordinates() {
    CausalOperation increment =
        new CausalOperation.Increment(1, "retry-1".getBytes(StandardCharsets.UTF_8));
    ReplicaPlan reordered =
        new ReplicaPlan(
            1,
            "default",
            Token.of(50),
            ReplicaPlan.Operation.WRITE,
            ConsistencyLevel.QUORUM,
            3,
            List.of(
                new ReplicaPlan.Replica(N3, "dc1"),
                new ReplicaPlan.Replica(N2, "dc1"),
                new ReplicaPlan.Replica(N1, "dc1")),
            2,
            new TreeMap<>());
    Effects fromN3 =
        WriteCoordination.causal(
                reordered, KEY, increment, 7, Set.of(N1, N2, N3), List.of(), false, true)
            .start();
    assertThat(fromN3.sends()).extracting(Send::to).containsExactly(N1);
    Effects n1Down =
        WriteCoordination.causal(
                reordered, KEY, increment, 7, Set.of(N2, N3), List.of(), false, true)
            .start();
    assertThat(n1Down.sends()).extracting(Send::to).containsExactly(N2);
    Effects unkeyed =
        WriteCoordination.causal(
                reordered,
                KEY,
                new CausalOperation.Increment(1, null),
                7,
                Set.of(N1, N2, N3),
                List.of(),
                false,
                true)
            .start();
    assertThat(unkeyed.sends())
        .as("preference order: the coordinator itself first")
        .extracting(Send::to)
        .containsExactly(N3);
  }

  @Test
  void any_withNoLiveReplicaIsUnavailable() {
    WriteCoordination write = write(ConsistencyLevel.ANY, Set.of(N4), false);
    Effects started = write.start();
    assertThat(started.sends()).isEmpty();
    assertThat(started.outcome()).get().isInstanceOf(Outcome.Unavailable.class);
  }

  @Test
  void sloppy_aDownReplicaGetsAStandInWriteOfTheAppliedCell() {
    WriteCoordination write = write(ConsistencyLevel.QUORUM, Set.of(N1, N2, N4), true);
    write.start();
    Effects applied = write.onAnswer(N1, new ReplicaReply.CausalApplied(APPLIED, false));
    assertThat(applied.sends()).extracting(Send::to).containsExactly(N2, N4);
    assertThat(applied.sends().get(1).request()).isInstanceOf(ReplicaRequest.StandInWrite.class);
  }
}
