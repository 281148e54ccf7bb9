package io.ringkv.server.replication;

import static io.ringkv.server.replication.TestCluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.kv.ClusterKeyValueService;
import io.ringkv.server.kv.Expiry;
import io.ringkv.server.kv.KvException;
import io.ringkv.server.kv.Mutation;
import io.ringkv.server.kv.ReadOptions;
import io.ringkv.server.kv.ScanCursor;
import io.ringkv.server.kv.ScanPage;
import io.ringkv.server.kv.WriteOptions;
import io.ringkv.server.replication.TestCluster.TestNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node alone in its cluster (replication factor 1, the default keyspace's at one node) serves
 * every request itself, without a message, at every level it can meet, and keeps the per-key
 * atomicity of a single node for conditional writes.
 */
class LoneNodeTest {
  @TempDir Path directory;
  private TestCluster cluster;
  private TestNode node;

  @BeforeEach
  void start() throws Exception {
    cluster = new TestCluster(directory, 1, 3, ReplicationSettings.defaults(directory));
    node = cluster.node(1);
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  void everyLevelItCanMeet_isServedWithoutAMessage() {
    ClusterKeyValueService service = node.service;
    for (ConsistencyLevel level :
        List.of(ConsistencyLevel.ONE, ConsistencyLevel.QUORUM, ConsistencyLevel.ALL)) {
      service.write(utf8("k"), Mutation.put(utf8(level.name())), write(level)).join();
      assertThat(service.get(utf8("k"), new ReadOptions(level)).join().value())
          .isEqualTo(utf8(level.name()));
    }
    service.write(utf8("any"), Mutation.put(utf8("v")), write(ConsistencyLevel.ANY)).join();
    assertThat(node.transport.stats().total().messagesSent()).isZero();
    assertThat(node.replication.isAlone("default")).isTrue();
    try {
      service.get(utf8("k"), new ReadOptions(ConsistencyLevel.TWO)).join();
      throw new AssertionError("TWO with one replica must be refused");
    } catch (CompletionException e) {
      assertThat(((KvException) e.getCause()).kind()).isEqualTo(KvException.Kind.INVALID_REQUEST);
      assertThat(e.getCause().getMessage()).contains("replication factor 1");
    }
  }

  @Test
  void setIfAbsent_raceOfManyWriters_exactlyOneWins() throws Exception {
    WriteOptions nx = WriteOptions.defaults().withCondition(WriteOptions.Condition.IF_ABSENT);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 50; round++) {
        byte[] key = utf8("lock-" + round);
        List<CompletableFuture<Boolean>> attempts = new ArrayList<>();
        for (int writer = 0; writer < 8; writer++) {
          byte[] value = utf8("writer-" + writer);
          attempts.add(
              CompletableFuture.supplyAsync(
                      () -> node.service.write(key, Mutation.put(value), nx), threads)
                  .thenCompose(write -> write)
                  .thenApply(outcome -> outcome.applied()));
        }
        long winners = attempts.stream().filter(CompletableFuture::join).count();
        assertThat(winners).as("round %d", round).isEqualTo(1);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void deleteExpireAndScan_onOneNode() {
    for (int i = 0; i < 100; i++) {
      node.service.write(utf8("s" + i), Mutation.put(utf8("v")), WriteOptions.defaults()).join();
    }
    node.service.write(utf8("s1"), Mutation.delete(), WriteOptions.defaults()).join();
    node.service
        .write(
            utf8("s2"),
            new Mutation.Touch(Expiry.at(System.currentTimeMillis() - 1)),
            WriteOptions.defaults())
        .join();
    List<byte[]> keys = new ArrayList<>();
    ScanCursor cursor = ScanCursor.START;
    do {
      ScanPage page = node.service.scan(cursor, 30, ReadOptions.defaults()).join();
      page.entries().forEach(entry -> keys.add(entry.key()));
      cursor = page.next();
    } while (!cursor.end());
    assertThat(keys).hasSize(98);
  }

  private static WriteOptions write(ConsistencyLevel level) {
    return WriteOptions.defaults().withConsistency(level);
  }
}
