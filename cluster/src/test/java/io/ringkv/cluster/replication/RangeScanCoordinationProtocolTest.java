package io.ringkv.cluster.replication;

import static io.ringkv.cluster.replication.Plans.N1;
import static io.ringkv.cluster.replication.Plans.N2;
import static io.ringkv.cluster.replication.Plans.N3;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.storage.Cell;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RangeScanCoordinationProtocolTest {
  private static final byte[] FROM = {0};
  private static final Set<NodeId> ALL_UP = Set.of(N1, N2, N3);

  private static KeyedCell cell(int key, long timestamp) {
    return new KeyedCell(new byte[] {(byte) key}, Cell.value(new byte[] {(byte) key}, timestamp));
  }

  private static KeyedCell tombstone(int key, long timestamp) {
    return new KeyedCell(new byte[] {(byte) key}, Cell.tombstone(timestamp).stampDeletionTime(1));
  }

  private static List<Integer> keys(RangeScanCoordination.Page page) {
    return page.cells().stream().map(c -> (int) c.key()[0]).toList();
  }

  @Test
  void mergesUpToTheShortestUnfinishedAnswer() {
    RangeScanCoordination scan =
        new RangeScanCoordination(Plans.read(ConsistencyLevel.QUORUM), FROM, null, 3, ALL_UP);
    assertThat(scan.start().sends()).extracting(Send::to).containsExactly(N1, N2);
    // n1 has 1, 2, 4 (and more); n2 has 1, 3, 5 (and more): keys past 4 are unknown on n1.
    scan.onScanned(
        N1, new ReplicaReply.ScanResult(List.of(cell(1, 1), cell(2, 1), cell(4, 1)), false));
    Effects done =
        scan.onScanned(
            N2, new ReplicaReply.ScanResult(List.of(cell(1, 2), cell(3, 1), cell(5, 1)), false));
    assertThat(done.outcome()).containsInstanceOf(Outcome.Success.class);
    RangeScanCoordination.Page page = scan.page();
    assertThat(keys(page)).containsExactly(1, 2, 3);
    assertThat(page.cells().get(0).cell().timestamp())
        .as("the newer version of key 1")
        .isEqualTo(2);
    assertThat(page.next()).containsExactly(3, 0);
  }

  @Test
  void aTombstoneOnOneReplicaWinsOverAnOlderValueOnAnother() {
    RangeScanCoordination scan =
        new RangeScanCoordination(Plans.read(ConsistencyLevel.QUORUM), FROM, null, 10, ALL_UP);
    scan.start();
    scan.onScanned(N1, new ReplicaReply.ScanResult(List.of(cell(1, 1), cell(2, 1)), true));
    scan.onScanned(N2, new ReplicaReply.ScanResult(List.of(tombstone(1, 5)), true));
    RangeScanCoordination.Page page = scan.page();
    assertThat(keys(page)).containsExactly(1, 2);
    assertThat(page.cells().get(0).cell().isTombstone()).isTrue();
    assertThat(page.next()).as("both replicas are exhausted").isNull();
  }

  @Test
  void aFailedReplicaIsReplacedAndTooFewUpIsUnavailable() {
    RangeScanCoordination scan =
        new RangeScanCoordination(Plans.read(ConsistencyLevel.QUORUM), FROM, null, 10, ALL_UP);
    scan.start();
    assertThat(scan.onFailed(N1, "down").sends()).extracting(Send::to).containsExactly(N3);
    RangeScanCoordination lonely =
        new RangeScanCoordination(Plans.read(ConsistencyLevel.QUORUM), FROM, null, 10, Set.of(N1));
    assertThat(lonely.start().outcome().orElseThrow()).isInstanceOf(Outcome.Unavailable.class);
  }
}
