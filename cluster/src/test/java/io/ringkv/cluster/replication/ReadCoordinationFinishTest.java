package io.ringkv.cluster.replication;

import static io.ringkv.cluster.metadata.MetadataFixtures.member;
import static io.ringkv.cluster.metadata.MetadataFixtures.metadata;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.ReplicaPlan;
import io.ringkv.cluster.ring.Token;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.storage.Cell;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Cases of {@link ReadCoordination} that a driver relies on to forget a read. */
class ReadCoordinationFinishTest {
  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");
  private static final NodeId C = NodeId.of("c");
  private static final byte[] KEY = {1, 2, 3};

  @Test
  void isFinished_afterARepairThatFailedAndTheTimeout() {
    ReadCoordination read = quorumRead();
    read.start();
    read.onRead(A, new ReplicaReply.ReadResult(Cell.value(new byte[] {1}, 2), 0));
    Cell stale = Cell.value(new byte[] {1}, 1);
    Effects mismatch = read.onRead(B, new ReplicaReply.ReadResult(null, 7));
    assertThat(mismatch.sends()).hasSize(1); // a full read of b
    read.onRead(B, new ReplicaReply.ReadResult(stale, io.ringkv.cluster.version.Lww.digest(stale)));
    // Repair write to b in flight; it fails: the read fails, and b's acknowledgement never comes.
    Effects failed = read.onFailed(B, "refused");
    assertThat(failed.outcome()).get().isInstanceOf(Outcome.TimedOut.class);
    assertThat(read.isFinished()).isFalse();
    read.onTimeout();
    assertThat(read.isFinished()).isTrue();
  }

  @Test
  void isFinished_afterTheRepairPhaseTimedOut() {
    ReadCoordination read = quorumRead();
    read.start();
    read.onRead(A, new ReplicaReply.ReadResult(Cell.value(new byte[] {1}, 2), 0));
    read.onRead(B, new ReplicaReply.ReadResult(null, 7));
    read.onRead(B, new ReplicaReply.ReadResult(null, 0));
    Effects timedOut = read.onTimeout();
    assertThat(timedOut.outcome()).get().isInstanceOf(Outcome.TimedOut.class);
    assertThat(read.isFinished()).isTrue();
  }

  private static ReadCoordination quorumRead() {
    ClusterMetadata metadata =
        metadata(
            List.of(member("a", -100), member("b", 0), member("c", 100)),
            List.of(Keyspace.defaultKeyspace(3)));
    ReplicaPlan plan =
        ReplicaPlan.forRead(metadata, "default", Token.of(-200), ConsistencyLevel.QUORUM, A)
            .orElseThrow();
    return new ReadCoordination(plan, KEY, Set.of(A, B, C), false);
  }
}
