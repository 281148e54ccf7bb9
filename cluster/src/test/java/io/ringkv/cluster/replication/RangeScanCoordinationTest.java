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

/** A page of a scan at QUORUM over replicas n1, n2, n3, merged key by key. */
class RangeScanCoordinationTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  @Test
  void page_endsAtTheSmallestLastKeyOfAReplicaThatIsNotExhausted() {
    RangeScanCoordination scan = scan(10);
    assertThat(scan.start().sends()).extracting(Send::to).containsExactly(N1, N2);

    scan.onScanned(N1, result(false, cell("a", "1", 10), cell("c", "1", 10)));
    Effects done = scan.onScanned(N2, result(true, cell("b", "2", 10), cell("d", "2", 10)));

    assertThat(done.outcome()).get().isInstanceOf(Outcome.Success.class);
    RangeScanCoordination.Page page = scan.page();
    assertThat(page.cells()).extracting(c -> text(c.key())).containsExactly("a", "b", "c");
    assertThat(text(page.next())).as("resumes just after c").isEqualTo("c\0");
  }

  @Test
  void page_aNewerTombstoneOnOneReplicaWinsOverAValueOnAnother() {
    RangeScanCoordination scan = scan(10);
    scan.start();
    scan.onScanned(N1, result(true, cell("a", "1", 10)));
    scan.onScanned(N2, result(true, new KeyedCell(bytes("a"), Cell.tombstone(20).withExpiry(5))));

    RangeScanCoordination.Page page = scan.page();

    assertThat(page.cells())
        .singleElement()
        .satisfies(c -> assertThat(c.cell().isTombstone()).isTrue());
    assertThat(page.next()).as("every replica asked is exhausted").isNull();
  }

  @Test
  void onFailed_anotherLiveReplicaOfTheRangeIsAsked() {
    RangeScanCoordination scan = scan(10);
    scan.start();

    assertThat(scan.onFailed(N2, "refused").sends()).extracting(Send::to).containsExactly(N3);
  }

  private static RangeScanCoordination scan(int limit) {
    ReplicaPlan plan =
        new ReplicaPlan(
            1,
            "default",
            Token.of(0),
            ReplicaPlan.Operation.READ,
            ConsistencyLevel.QUORUM,
            3,
            List.of(
                new ReplicaPlan.Replica(N1, "dc1"),
                new ReplicaPlan.Replica(N2, "dc1"),
                new ReplicaPlan.Replica(N3, "dc1")),
            2,
            new TreeMap<>());
    return new RangeScanCoordination(plan, bytes("a"), null, limit, Set.of(N1, N2, N3));
  }

  private static ReplicaReply.ScanResult result(boolean exhausted, KeyedCell... cells) {
    return new ReplicaReply.ScanResult(List.of(cells), exhausted);
  }

  private static KeyedCell cell(String key, String value, long timestamp) {
    return new KeyedCell(bytes(key), Cell.value(bytes(value), timestamp));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
