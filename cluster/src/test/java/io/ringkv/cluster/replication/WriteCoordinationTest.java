package io.ringkv.cluster.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.ReplicaPlan;
import io.ringkv.cluster.ring.Token;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.storage.Cell;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The write handler on three replicas n1, n2, n3 (n1 coordinates), with stand-in n4. */
class WriteCoordinationTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final NodeId N4 = NodeId.of("n4");
  private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);
  private static final Cell CELL = Cell.value("v".getBytes(StandardCharsets.UTF_8), 100);

  @Test
  void quorum_metByTwoAcknowledgements_theSilentThirdGetsAHintAtTheTimeout() {
    WriteCoordination write = write(ConsistencyLevel.QUORUM, Set.of(N1, N2, N3), false);

    Effects started = write.start();
    assertThat(started.sends()).extracting(Send::to).containsExactly(N1, N2, N3);
    assertThat(write.onWritten(N1).outcome()).isEmpty();
    assertThat(write.onWritten(N2).outcome()).contains(new Outcome.Success(null, 2));
    assertThat(write.isFinished()).as("n3 may still answer").isFalse();

    Effects timeout = write.onTimeout();
    assertThat(timeout.outcome()).as("decided once").isEmpty();
    assertThat(timeout.hints()).extracting(Hint::target).containsExactly(N3);
    assertThat(write.isFinished()).isTrue();
  }

  @Test
  void quorum_twoReplicasDown_unavailableAndNothingSentOrHinted() {
    WriteCoordination write = write(ConsistencyLevel.QUORUM, Set.of(N1), false);

    Effects started = write.start();

    assertThat(started.sends()).isEmpty();
    assertThat(started.hints()).isEmpty();
    assertThat(started.outcome()).get().isInstanceOf(Outcome.Unavailable.class);
  }

  @Test
  void quorum_oneReplicaDown_itGetsAHintAtOnce() {
    WriteCoordination write = write(ConsistencyLevel.QUORUM, Set.of(N1, N2), false);

    Effects started = write.start();

    assertThat(started.sends()).extracting(Send::to).containsExactly(N1, N2);
    assertThat(started.hints()).extracting(Hint::target).containsExactly(N3);
  }

  @Test
  void onFailed_whenTheLevelCanNoLongerBeMet_timesOutAsIndeterminate_andHints() {
    WriteCoordination write = write(ConsistencyLevel.ALL, Set.of(N1, N2, N3), false);
    write.start();
    write.onWritten(N1);

    Effects failed = write.onFailed(N2, "connection refused");

    assertThat(failed.hints()).extracting(Hint::target).containsExactly(N2);
    assertThat(failed.outcome()).get().isInstanceOf(Outcome.TimedOut.class);
    assertThat(((Outcome.TimedOut) failed.outcome().get()).message())
        .contains("may or may not have applied");
  }

  @Test
  void any_everyReplicaDown_aHintMeetsIt() {
    WriteCoordination write = write(ConsistencyLevel.ANY, Set.of(N4), false);

    Effects started = write.start();

    assertThat(started.sends()).isEmpty();
    assertThat(started.hints()).hasSize(3);
    assertThat(started.outcome()).contains(new Outcome.Success(null, 3));
  }

  @Test
  void sloppy_aLiveStandInCountsForADownReplica() {
    WriteCoordination write = write(ConsistencyLevel.QUORUM, Set.of(N1, N4), true);

    Effects started = write.start();

    assertThat(started.sends()).extracting(Send::to).containsExactly(N1, N4);
    assertThat(started.sends().get(1).request()).isInstanceOf(ReplicaRequest.StandInWrite.class);
    assertThat(write.standInsUsed()).isEqualTo(1);
    write.onWritten(N1);
    assertThat(write.onWritten(N4).outcome()).contains(new Outcome.Success(null, 2));
  }

  @Test
  void sloppy_aSilentStandIn_hintsForTheReplicaItStoodFor() {
    WriteCoordination write = write(ConsistencyLevel.QUORUM, Set.of(N1, N4), true);
    Effects started = write.start();
    assertThat(started.hints())
        .as("one stand-in only: n3 gets the coordinator's hint")
        .extracting(Hint::target)
        .containsExactly(N3);
    write.onWritten(N1);

    Effects timeout = write.onTimeout();

    assertThat(timeout.hints()).extracting(Hint::target).containsExactly(N2);
    assertThat(timeout.outcome()).get().isInstanceOf(Outcome.TimedOut.class);
  }

  @Test
  void onWritten_duplicatesAndStrangers_changeNothing() {
    WriteCoordination write = write(ConsistencyLevel.QUORUM, Set.of(N1, N2, N3), false);
    write.start();
    write.onWritten(N1);

    assertThat(write.onWritten(N1).isEmpty()).isTrue();
    assertThat(write.onWritten(N4).isEmpty()).isTrue();
    assertThat(write.isDecided()).isFalse();
  }

  private static WriteCoordination write(
      ConsistencyLevel level, Set<NodeId> alive, boolean sloppy) {
    int blockFor =
        switch (level) {
          case ALL -> 3;
          case ANY, ONE -> 1;
          default -> 2;
        };
    ReplicaPlan plan =
        new ReplicaPlan(
            1,
            "default",
            Token.of(0),
            ReplicaPlan.Operation.WRITE,
            level,
            3,
            List.of(
                new ReplicaPlan.Replica(N1, "dc1"),
                new ReplicaPlan.Replica(N2, "dc1"),
                new ReplicaPlan.Replica(N3, "dc1")),
            blockFor,
            new TreeMap<>());
    return new WriteCoordination(plan, KEY, CELL, alive, List.of(N4), sloppy, true);
  }
}
