package io.ringkv.server.replication;

import static io.ringkv.server.replication.ClusterReplicationTest.failure;
import static io.ringkv.server.replication.ClusterReplicationTest.get;
import static io.ringkv.server.replication.ClusterReplicationTest.put;
import static io.ringkv.server.replication.ClusterReplicationTest.writeAt;
import static io.ringkv.server.replication.TestCluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.version.Hlc;
import io.ringkv.common.Clock;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.SystemClock;
import io.ringkv.server.kv.KvException;
import io.ringkv.server.kv.Mutation;
import io.ringkv.server.kv.WriteOutcome;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session timestamps across coordinators (docs/design/replication.md, "Sessions"), on three
 * in-process nodes as in {@link ClusterReplicationTest}: node-2's wall clock is 300 ms behind the
 * others' (within the 500 ms skew bound, so it still coordinates writes), and node-1 holds node-2
 * Down, so node-2 hears nothing of node-1's writes and its clock is not pulled forward by them. The
 * wall clocks stand still, so the outcome does not depend on how fast the test runs.
 *
 * <p>A client writes a key through node-1, then again through node-2: without the session timestamp
 * its second write is stamped below its first and loses; with it, it wins.
 */
class SessionTimestampTest {
  private static final long BEHIND_MILLIS = 300;

  @TempDir Path directory;
  private TestCluster cluster;
  private long wallMillis;

  @BeforeEach
  void start() throws Exception {
    wallMillis = SystemClock.INSTANCE.epochMillis();
    NodeId slow = NodeId.of("node-2");
    cluster =
        new TestCluster(
            directory,
            3,
            7,
            ReplicationSettings.defaults(directory).withReadRepairChance(0),
            id -> wallClock(id.equals(slow) ? wallMillis - BEHIND_MILLIS : wallMillis));
    cluster.node(1).setUp(slow, false);
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  void writeThroughASlowerCoordinator_withoutTheSessionTimestamp_losesToTheClientsEarlierWrite() {
    WriteOutcome first = put(cluster.node(1), "k", "first", ConsistencyLevel.QUORUM);
    WriteOutcome second = put(cluster.node(2), "k", "second", ConsistencyLevel.QUORUM);

    assertThat(second.timestamp()).isLessThan(first.timestamp());
    assertThat(get(cluster.node(3), "k", ConsistencyLevel.ALL)).isEqualTo("first");
  }

  @Test
  void writeThroughASlowerCoordinator_withTheSessionTimestamp_winsOverTheClientsEarlierWrite() {
    WriteOutcome first = put(cluster.node(1), "k", "first", ConsistencyLevel.QUORUM);
    WriteOutcome second =
        cluster
            .node(2)
            .service
            .write(
                utf8("k"),
                Mutation.put(utf8("second")),
                writeAt(ConsistencyLevel.QUORUM).withSessionTimestamp(first.timestamp()))
            .join();

    assertThat(second.timestamp()).isGreaterThan(first.timestamp());
    assertThat(get(cluster.node(3), "k", ConsistencyLevel.ALL)).isEqualTo("second");
  }

  @Test
  void sessionTimestampBeyondTheSkewBound_isRefused_andDoesNotMoveTheClock() {
    long slowWall = wallMillis - BEHIND_MILLIS;
    long tooFar = Hlc.encode(slowWall + 501, 0);

    KvException refused =
        failure(
            () ->
                cluster
                    .node(2)
                    .service
                    .write(
                        utf8("k"),
                        Mutation.put(utf8("v")),
                        writeAt(ConsistencyLevel.QUORUM).withSessionTimestamp(tooFar))
                    .join());

    assertThat(refused.kind()).isEqualTo(KvException.Kind.INVALID_REQUEST);
    assertThat(refused.getMessage())
        .contains("501 ms ahead of this node's clock")
        .contains("replication.max_clock_skew_millis 500");
    assertThat(Hlc.physicalMillis(cluster.node(2).replication.stamp())).isEqualTo(slowWall);
    assertThat(get(cluster.node(3), "k", ConsistencyLevel.ALL)).isNull();
  }

  @Test
  void sessionTimestampAtTheSkewBound_isMerged() {
    long slowWall = wallMillis - BEHIND_MILLIS;
    long atBound = Hlc.encode(slowWall + 500, 9);

    WriteOutcome written =
        cluster
            .node(2)
            .service
            .write(
                utf8("k"),
                Mutation.put(utf8("v")),
                writeAt(ConsistencyLevel.QUORUM).withSessionTimestamp(atBound))
            .join();

    assertThat(written.timestamp()).isEqualTo(atBound + 1);
  }

  /** Monotonic time from the system, a wall clock that stands still at {@code epochMillis}. */
  private static Clock wallClock(long epochMillis) {
    return new Clock() {
      @Override
      public long nowNanos() {
        return SystemClock.INSTANCE.nowNanos();
      }

      @Override
      public long epochMillis() {
        return epochMillis;
      }
    };
  }
}
