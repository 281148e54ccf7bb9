package io.ringkv.cluster.replication;

import static io.ringkv.cluster.replication.Plans.N1;
import static io.ringkv.cluster.replication.Plans.N2;
import static io.ringkv.cluster.replication.Plans.N3;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.version.Lww;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.storage.Cell;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReadCoordinationProtocolTest {
  private static final byte[] KEY = {1, 2, 3};
  private static final Cell OLD = Cell.value(new byte[] {1}, 100);
  private static final Cell NEW = Cell.value(new byte[] {2}, 200);
  private static final Set<NodeId> ALL_UP = Set.of(N1, N2, N3);

  private static ReadCoordination read(ConsistencyLevel level, Set<NodeId> alive) {
    return new ReadCoordination(Plans.read(level), KEY, alive, false);
  }

  private static ReplicaReply.ReadResult data(Cell cell) {
    return new ReplicaReply.ReadResult(cell, Lww.digest(cell));
  }

  private static ReplicaReply.ReadResult digest(Cell cell) {
    return new ReplicaReply.ReadResult(null, Lww.digest(cell));
  }

  private static List<NodeId> targets(Effects effects) {
    return effects.sends().stream().map(Send::to).toList();
  }

  private static Cell answer(Effects effects) {
    return ((Outcome.Success) effects.outcome().orElseThrow()).cell();
  }

  @Test
  void oneDataReadAndDigestReadsForTheRest() {
    ReadCoordination read = read(ConsistencyLevel.QUORUM, ALL_UP);
    Effects start = read.start();
    assertThat(targets(start)).containsExactly(N1, N2);
    assertThat(((ReplicaRequest.Read) start.sends().get(0).request()).digestOnly()).isFalse();
    assertThat(((ReplicaRequest.Read) start.sends().get(1).request()).digestOnly()).isTrue();
    assertThat(read.onRead(N2, digest(NEW)).outcome()).isEmpty();
    Effects done = read.onRead(N1, data(NEW));
    assertThat(answer(done)).isEqualTo(NEW);
    assertThat(read.digestMismatch()).isFalse();
    assertThat(read.isFinished()).isTrue();
  }

  @Test
  void aStaleDigestReplicaIsReadInFullAndRepairedBeforeTheAnswer() {
    ReadCoordination read = read(ConsistencyLevel.QUORUM, ALL_UP);
    read.start();
    read.onRead(N1, data(NEW));
    Effects mismatch = read.onRead(N2, digest(OLD));
    assertThat(mismatch.outcome()).isEmpty();
    assertThat(targets(mismatch)).containsExactly(N2);
    assertThat(((ReplicaRequest.Read) mismatch.sends().get(0).request()).digestOnly()).isFalse();
    Effects repair = read.onRead(N2, data(OLD));
    assertThat(targets(repair)).containsExactly(N2);
    assertThat(((ReplicaRequest.Write) repair.sends().get(0).request()).cell()).isEqualTo(NEW);
    assertThat(repair.outcome()).as("the answer waits for the repair").isEmpty();
    assertThat(answer(read.onWritten(N2))).isEqualTo(NEW);
    assertThat(read.digestMismatch()).isTrue();
    assertThat(read.repairWrites()).isEqualTo(1);
  }

  @Test
  void aStaleDataReplicaIsRepairedFromANewerDigestReplica() {
    ReadCoordination read = read(ConsistencyLevel.QUORUM, ALL_UP);
    read.start();
    read.onRead(N1, data(OLD));
    read.onRead(N2, digest(NEW));
    Effects repair = read.onRead(N2, data(NEW));
    assertThat(targets(repair)).containsExactly(N1);
    assertThat(answer(read.onWritten(N1))).isEqualTo(NEW);
  }

  @Test
  void aMissingKeyOnOneReplicaIsRepairedToo() {
    ReadCoordination read = read(ConsistencyLevel.QUORUM, ALL_UP);
    read.start();
    read.onRead(N1, data(null));
    read.onRead(N2, digest(NEW));
    Effects repair = read.onRead(N2, data(NEW));
    assertThat(targets(repair)).containsExactly(N1);
    assertThat(answer(read.onWritten(N1))).isEqualTo(NEW);
  }

  @Test
  void noReplicaHoldingTheKeyAnswersNothing() {
    ReadCoordination read = read(ConsistencyLevel.QUORUM, ALL_UP);
    read.start();
    read.onRead(N1, data(null));
    assertThat(answer(read.onRead(N2, digest(null)))).isNull();
  }

  @Test
  void tooFewLiveReplicasIsUnavailable() {
    ReadCoordination read = read(ConsistencyLevel.QUORUM, Set.of(N3));
    Effects start = read.start();
    assertThat(start.sends()).isEmpty();
    assertThat(start.outcome().orElseThrow()).isInstanceOf(Outcome.Unavailable.class);
  }

  @Test
  void aDeadReplicaIsSkippedAndAFailedOneReplaced() {
    ReadCoordination read = read(ConsistencyLevel.QUORUM, Set.of(N2, N3, N1));
    read.start();
    Effects replaced = read.onFailed(N1, "connection refused");
    assertThat(targets(replaced)).containsExactly(N3);
    assertThat(((ReplicaRequest.Read) replaced.sends().get(0).request()).digestOnly())
        .as("the data replica failed, so its replacement reads data")
        .isFalse();
    read.onRead(N2, digest(NEW));
    assertThat(answer(read.onRead(N3, data(NEW)))).isEqualTo(NEW);
  }

  @Test
  void failuresWithNoReplacementTimeTheReadOut() {
    ReadCoordination read = read(ConsistencyLevel.QUORUM, Set.of(N1, N2));
    read.start();
    Effects failed = read.onFailed(N2, "boom");
    assertThat(failed.outcome().orElseThrow()).isInstanceOf(Outcome.TimedOut.class);
  }

  @Test
  void aSlowReplicaGetsABackupDataRead() {
    ReadCoordination read = read(ConsistencyLevel.QUORUM, ALL_UP);
    read.start();
    read.onRead(N2, digest(NEW));
    Effects backup = read.onSpeculate();
    assertThat(targets(backup)).containsExactly(N3);
    assertThat(read.speculated()).isTrue();
    assertThat(read.onSpeculate().isEmpty()).as("once per read").isTrue();
    assertThat(answer(read.onRead(N3, data(NEW)))).isEqualTo(NEW);
  }

  @Test
  void aTimeoutBeforeEnoughAnswersIsATimeout() {
    ReadCoordination read = read(ConsistencyLevel.ALL, ALL_UP);
    read.start();
    read.onRead(N1, data(NEW));
    Effects timeout = read.onTimeout();
    assertThat(timeout.outcome().orElseThrow())
        .isInstanceOfSatisfying(
            Outcome.TimedOut.class,
            t -> {
              assertThat(t.answers()).isEqualTo(1);
              assertThat(t.required()).isEqualTo(3);
            });
  }

  @Test
  void backgroundRepairFixesAReplicaTheAnswerDidNotNeed() {
    ReadCoordination read =
        new ReadCoordination(Plans.read(ConsistencyLevel.ONE), KEY, ALL_UP, true);
    Effects start = read.start();
    assertThat(targets(start)).containsExactly(N1, N2, N3);
    assertThat(answer(read.onRead(N1, data(NEW)))).isEqualTo(NEW);
    Effects fixN2 = read.onRead(N2, data(OLD));
    assertThat(targets(fixN2)).containsExactly(N2);
    assertThat(read.onRead(N3, data(NEW)).sends()).isEmpty();
    assertThat(read.isFinished()).isTrue();
  }

  @Test
  void aBackgroundReplicaNewerThanTheAnswerBringsTheOthersUp() {
    ReadCoordination read =
        new ReadCoordination(Plans.read(ConsistencyLevel.ONE), KEY, ALL_UP, true);
    read.start();
    read.onRead(N1, data(OLD));
    Effects fix = read.onRead(N2, data(NEW));
    assertThat(targets(fix)).containsExactly(N1);
  }
}
