package io.ringkv.cluster.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.storage.Cell;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scan's answer stays within its byte budget, so that it fits one internode message. */
class LocalReplicaTest {
  @TempDir Path directory;
  private StorageEngine engine;

  @BeforeEach
  void open() throws Exception {
    engine = StorageEngines.open(EngineOptions.defaults(directory));
    for (int i = 0; i < 10; i++) {
      engine.put(key(i), Cell.value(new byte[1_000], i + 1), Durability.NONE);
    }
  }

  @AfterEach
  void close() throws Exception {
    engine.close();
  }

  @Test
  void scan_pastTheByteBudget_endsNotExhaustedAfterTheCellThatCrossedIt() throws Exception {
    LocalReplica replica = replica(2_500);
    ReplicaReply.ScanResult result =
        (ReplicaReply.ScanResult) replica.handle(new ReplicaRequest.Scan(key(0), null, 100));
    // 1,000 value bytes and about 40 more per cell: the third cell crosses 2,500.
    assertThat(result.cells()).hasSize(3);
    assertThat(result.exhausted()).isFalse();
  }

  @Test
  void scan_withABudgetOfZero_stillAnswersOneCell() throws Exception {
    ReplicaReply.ScanResult result =
        (ReplicaReply.ScanResult) replica(0).handle(new ReplicaRequest.Scan(key(0), null, 100));
    assertThat(result.cells()).hasSize(1);
    assertThat(result.exhausted()).isFalse();
  }

  @Test
  void scan_withinTheBudget_isExhaustedAtTheEnd() throws Exception {
    ReplicaReply.ScanResult result =
        (ReplicaReply.ScanResult)
            replica(LocalReplica.DEFAULT_SCAN_REPLY_BYTES_MAX)
                .handle(new ReplicaRequest.Scan(key(0), null, 100));
    assertThat(result.cells()).hasSize(10);
    assertThat(result.exhausted()).isTrue();
  }

  private LocalReplica replica(long scanReplyBytesMax) {
    return new LocalReplica(
        engine, Durability.NONE, (target, key, cell, now) -> false, () -> 0L, scanReplyBytesMax);
  }

  private static byte[] key(int i) {
    return ("key-" + i).getBytes(StandardCharsets.UTF_8);
  }
}
