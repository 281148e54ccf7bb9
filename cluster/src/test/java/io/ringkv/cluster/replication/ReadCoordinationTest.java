package io.ringkv.cluster.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.ReplicaPlan;
import io.ringkv.cluster.ring.Token;
import io.ringkv.cluster.version.Lww;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.storage.Cell;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The read handler on three replicas, coordinated by n3 (first in preference order). */
class ReadCoordinationTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);
  private static final Cell OLD = Cell.value(bytes("old"), 100);
  private static final Cell NEW = Cell.value(bytes("new"), 200);

  @Test
  void start_digestsAgree_answersWithTheDataReadWithoutRepair() {
    ReadCoordination read = new ReadCoordination(plan(ConsistencyLevel.QUORUM), KEY, all(), false);

    Effects started = read.start();

    assertThat(started.sends())
        .containsExactly(
            new Send(N3, new ReplicaRequest.Read(KEY, false)),
            new Send(N1, new ReplicaRequest.Read(KEY, true)));
    assertThat(read.onRead(N3, data(NEW)).outcome()).isEmpty();
    Effects answered = read.onRead(N1, digest(NEW));
    assertThat(answered.sends()).isEmpty();
    assertThat(answered.outcome()).contains(new Outcome.Success(NEW, 2));
    assertThat(read.digestMismatch()).isFalse();
  }

  @Test
  void onRead_digestMismatch_fullReadThenBlockingRepairBeforeTheAnswer() {
    ReadCoordination read = new ReadCoordination(plan(ConsistencyLevel.QUORUM), KEY, all(), false);
    read.start();
    read.onRead(N3, data(OLD));

    Effects mismatch = read.onRead(N1, digest(NEW));
    assertThat(mismatch.sends()).hasSize(1);
    assertThat(mismatch.sends().get(0).to()).isEqualTo(N1);
    assertThat(((ReplicaRequest.Read) mismatch.sends().get(0).request()).digestOnly()).isFalse();

    Effects repair = read.onRead(N1, data(NEW));
    assertThat(repair.outcome()).isEmpty();
    assertThat(repair.sends()).hasSize(1);
    assertThat(repair.sends().get(0).to()).isEqualTo(N3);
    assertThat(((ReplicaRequest.Write) repair.sends().get(0).request()).cell()).isEqualTo(NEW);

    assertThat(read.onWritten(N3).outcome()).contains(new Outcome.Success(NEW, 2));
    assertThat(read.digestMismatch()).isTrue();
  }

  @Test
  void start_tooFewLiveReplicas_unavailableAndNothingSent() {
    ReadCoordination read =
        new ReadCoordination(plan(ConsistencyLevel.QUORUM), KEY, Set.of(N3), false);

    Effects started = read.start();

    assertThat(started.sends()).isEmpty();
    assertThat(started.outcome()).get().isInstanceOf(Outcome.Unavailable.class);
  }

  @Test
  void onFailed_theNextLiveReplicaIsAskedInstead() {
    ReadCoordination read = new ReadCoordination(plan(ConsistencyLevel.QUORUM), KEY, all(), false);
    read.start();

    Effects replaced = read.onFailed(N1, "connection refused");

    assertThat(replaced.sends()).hasSize(1);
    assertThat(replaced.sends().get(0).to()).isEqualTo(N2);
    read.onRead(N3, data(NEW));
    assertThat(read.onRead(N2, digest(NEW)).outcome()).contains(new Outcome.Success(NEW, 2));
  }

  @Test
  void onSpeculate_oneBackupDataReadToAReplicaNotAskedYet() {
    ReadCoordination read = new ReadCoordination(plan(ConsistencyLevel.QUORUM), KEY, all(), false);
    read.start();

    Effects backup = read.onSpeculate();

    assertThat(backup.sends()).hasSize(1);
    assertThat(backup.sends().get(0).to()).isEqualTo(N2);
    assertThat(((ReplicaRequest.Read) backup.sends().get(0).request()).digestOnly()).isFalse();
    assertThat(read.onSpeculate().isEmpty()).as("at most one backup").isTrue();
  }

  @Test
  void onTimeout_undecided_timesOut() {
    ReadCoordination read = new ReadCoordination(plan(ConsistencyLevel.QUORUM), KEY, all(), false);
    read.start();
    read.onRead(N3, data(NEW));

    assertThat(read.onTimeout().outcome()).get().isInstanceOf(Outcome.TimedOut.class);
    assertThat(read.isFinished()).isTrue();
  }

  /**
   * Simulator seed 663. With background repair on, n2 gets a data read that the answer does not
   * wait for; n1 fails, so n2 is asked for a digest in its place. n2's data answer arrives first
   * and counts as its digest; the digests disagree, so n2 is asked for its full cell; then n2's
   * late digest answer arrives. Taken for the full cell it would read as "no cell", and the read
   * would answer (and repair with) n3's older cell: a QUORUM read older than an acknowledged write.
   */
  @Test
  void onRead_aLateDigestAnswerDuringFullReads_isNotTakenForTheFullCell() {
    ReadCoordination read = new ReadCoordination(plan(ConsistencyLevel.QUORUM), KEY, all(), true);
    Effects started = read.start();
    assertThat(started.sends()).extracting(Send::to).containsExactly(N3, N1, N2);
    read.onRead(N3, data(OLD));
    Effects replaced = read.onFailed(N1, "connection refused");
    assertThat(replaced.sends()).extracting(Send::to).containsExactly(N2);

    Effects fullRead = read.onRead(N2, data(NEW)); // the background data read's answer
    assertThat(fullRead.sends()).extracting(Send::to).containsExactly(N2);

    Effects lateDigest = read.onRead(N2, digest(NEW));
    assertThat(lateDigest.isEmpty()).as("the digest answer is not the full cell").isTrue();

    Effects repair = read.onRead(N2, data(NEW));
    assertThat(repair.sends()).extracting(Send::to).containsExactly(N3);
    assertThat(read.onWritten(N3).outcome()).contains(new Outcome.Success(NEW, 2));
  }

  private static ReplicaPlan plan(ConsistencyLevel level) {
    return new ReplicaPlan(
        1,
        "default",
        Token.of(0),
        ReplicaPlan.Operation.READ,
        level,
        3,
        List.of(
            new ReplicaPlan.Replica(N3, "dc1"),
            new ReplicaPlan.Replica(N1, "dc1"),
            new ReplicaPlan.Replica(N2, "dc1")),
        level == ConsistencyLevel.ALL ? 3 : 2,
        new TreeMap<>());
  }

  private static Set<NodeId> all() {
    return Set.of(N1, N2, N3);
  }

  private static ReplicaReply.ReadResult data(Cell cell) {
    return new ReplicaReply.ReadResult(cell, Lww.digest(cell));
  }

  private static ReplicaReply.ReadResult digest(Cell cell) {
    return new ReplicaReply.ReadResult(null, Lww.digest(cell));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
