package io.ringkv.server.replication;

import static io.ringkv.server.replication.TestCluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.kv.Expiry;
import io.ringkv.server.kv.KvException;
import io.ringkv.server.kv.Mutation;
import io.ringkv.server.kv.ReadOptions;
import io.ringkv.server.kv.ScanCursor;
import io.ringkv.server.kv.ScanPage;
import io.ringkv.server.kv.Versioned;
import io.ringkv.server.kv.WriteOptions;
import io.ringkv.server.kv.WriteOutcome;
import io.ringkv.server.replication.TestCluster.TestNode;
import io.ringkv.storage.Cell;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three in-process nodes, replication factor 3, over real internode transports on 127.0.0.1: the
 * replication service and the cluster key-value service end to end. Who is Up is set by the test
 * (see {@link TestCluster}); a stopped node's transport is closed, so messages to it fail.
 */
class ClusterReplicationTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir Path directory;
  private TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster =
        new TestCluster(
            directory,
            3,
            7,
            ReplicationSettings.defaults(directory)
                .withReadRepairChance(0)
                .withTimeouts(2_000, 2_000));
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  void quorumWrite_thenQuorumReadThroughAnotherCoordinator_seesIt() {
    put(cluster.node(1), "k", "v", ConsistencyLevel.QUORUM);
    assertThat(get(cluster.node(2), "k", ConsistencyLevel.QUORUM)).isEqualTo("v");
    assertThat(get(cluster.node(3), "k", ConsistencyLevel.QUORUM)).isEqualTo("v");
    assertThat(get(cluster.node(1), "absent", ConsistencyLevel.QUORUM)).isNull();
  }

  @Test
  void write_isStoredOnEveryReplicaWithTheSameCell() throws Exception {
    WriteOutcome outcome = put(cluster.node(2), "same", "cell", ConsistencyLevel.ALL);
    Cell first = cluster.node(1).stored(utf8("same"));
    assertThat(first).isNotNull();
    assertThat(first.timestamp()).isEqualTo(outcome.timestamp());
    for (TestNode node : cluster.nodes.values()) {
      assertThat(node.stored(utf8("same"))).isEqualTo(first);
    }
  }

  @Test
  void oneNodeStopped_quorumStillWorks_allIsUnavailable_hintsDeliveredAfterItReturns()
      throws Exception {
    TestNode down = cluster.node(3);
    down.stop();
    cluster.markUp(down, false);

    for (int i = 0; i < 50; i++) {
      put(cluster.node(1 + i % 2), "key-" + i, "value-" + i, ConsistencyLevel.QUORUM);
    }
    for (int i = 0; i < 50; i++) {
      assertThat(get(cluster.node(2 - i % 2), "key-" + i, ConsistencyLevel.QUORUM))
          .isEqualTo("value-" + i);
    }
    KvException unavailable =
        failure(
            () ->
                cluster
                    .node(1)
                    .service
                    .write(utf8("x"), Mutation.put(utf8("y")), writeAt(ConsistencyLevel.ALL))
                    .join());
    assertThat(unavailable.kind()).isEqualTo(KvException.Kind.UNAVAILABLE);
    assertThat(unavailable.getMessage())
        .contains("cannot achieve consistency level ALL")
        .contains("2 are up")
        .contains("nothing was written");
    assertThat(failure(() -> get(cluster.node(1), "key-1", ConsistencyLevel.ALL)).kind())
        .isEqualTo(KvException.Kind.UNAVAILABLE);
    long hintsStored =
        cluster.node(1).hints.stats().stored() + cluster.node(2).hints.stats().stored();
    assertThat(hintsStored).as("one hint per write for the down replica").isEqualTo(50);

    // Back: its hints arrive, and it answers every write alone (ONE, coordinated by itself).
    down.restart();
    cluster.markUp(down, true);
    await(
        "50 hints delivered to node-3",
        () ->
            cluster.node(1).metrics.replication().counts().hintsDelivered()
                    + cluster.node(2).metrics.replication().counts().hintsDelivered()
                == 50);
    assertThat(cluster.node(1).hints.stats().pendingBytes()).isZero();
    assertThat(cluster.node(2).hints.stats().pendingBytes()).isZero();
    for (int i = 0; i < 50; i++) {
      assertThat(down.stored(utf8("key-" + i))).as("key-" + i + " on node-3").isNotNull();
    }
    // With the others Down in its view, a read at ONE is answered by node-3 alone.
    down.setUp(NodeId.of("node-1"), false);
    down.setUp(NodeId.of("node-2"), false);
    for (int i = 0; i < 50; i++) {
      assertThat(get(down, "key-" + i, ConsistencyLevel.ONE)).isEqualTo("value-" + i);
    }
  }

  @Test
  void stoppedNodeStillHeldUp_quorumWritesSucceedAndItGetsHints() throws Exception {
    TestNode down = cluster.node(3);
    down.stop(); // the others' failure detectors have not noticed yet
    put(cluster.node(1), "late", "noticed", ConsistencyLevel.QUORUM);
    await("a hint for node-3", () -> cluster.node(1).hints.stats().stored() == 1);
    KvException timedOut =
        failure(() -> put(cluster.node(1), "all", "fails", ConsistencyLevel.ALL));
    assertThat(timedOut.kind()).isEqualTo(KvException.Kind.TIMEOUT);
    assertThat(timedOut.getMessage()).contains("may or may not have applied");
  }

  @Test
  void readRepair_bringsAStaleReplicaUpToDateBeforeAnswering() throws Exception {
    TestNode stale = cluster.node(3);
    cluster.markUp(stale, false); // down as far as the others know: it misses the write
    put(cluster.node(1), "repair-me", "new", ConsistencyLevel.QUORUM);
    assertThat(stale.stored(utf8("repair-me"))).isNull();
    // Node-1 keeps holding node-3 Down, so its hint stays put: only read repair can fix node-3.
    cluster.node(2).setUp(stale.id, true);

    assertThat(get(cluster.node(2), "repair-me", ConsistencyLevel.ALL)).isEqualTo("new");
    assertThat(stale.stored(utf8("repair-me"))).isNotNull();
    assertThat(stale.stored(utf8("repair-me")))
        .isEqualTo(cluster.node(1).stored(utf8("repair-me")));
    var counts = cluster.node(2).metrics.replication().counts();
    assertThat(counts.digestMismatches()).isEqualTo(1);
    assertThat(counts.readRepairs()).isEqualTo(1);
  }

  @Test
  void delete_isATombstoneWithOneDeletionTimeOnEveryReplica() throws Exception {
    put(cluster.node(1), "gone", "soon", ConsistencyLevel.ALL);
    cluster
        .node(2)
        .service
        .write(utf8("gone"), Mutation.delete(), writeAt(ConsistencyLevel.ALL))
        .join();
    assertThat(get(cluster.node(3), "gone", ConsistencyLevel.QUORUM)).isNull();
    Cell tombstone = cluster.node(1).stored(utf8("gone"));
    assertThat(tombstone.isTombstone()).isTrue();
    assertThat(tombstone.expiresAtMillis()).isPositive();
    for (TestNode node : cluster.nodes.values()) {
      assertThat(node.stored(utf8("gone"))).isEqualTo(tombstone);
    }
  }

  @Test
  void ttl_sameExpiryOnEveryReplica_andAnExpiryInThePastDeletes() throws Exception {
    long expiresAt = System.currentTimeMillis() + 3_600_000;
    cluster
        .node(1)
        .service
        .write(
            utf8("ttl"),
            new Mutation.Put(utf8("v"), Expiry.at(expiresAt)),
            writeAt(ConsistencyLevel.ALL))
        .join();
    Versioned read =
        cluster.node(2).service.get(utf8("ttl"), readAt(ConsistencyLevel.QUORUM)).join();
    assertThat(read.expiresAtMillis()).isEqualTo(expiresAt);
    for (TestNode node : cluster.nodes.values()) {
      assertThat(node.stored(utf8("ttl")).expiresAtMillis()).isEqualTo(expiresAt);
    }
    cluster
        .node(3)
        .service
        .write(
            utf8("ttl"),
            new Mutation.Put(utf8("v2"), Expiry.at(System.currentTimeMillis() - 1)),
            writeAt(ConsistencyLevel.ALL))
        .join();
    assertThat(get(cluster.node(1), "ttl", ConsistencyLevel.QUORUM)).isNull();
    assertThat(cluster.node(2).stored(utf8("ttl")).isTombstone()).isTrue();
  }

  @Test
  void expiredCell_readsAsAbsent() throws Exception {
    long soon = System.currentTimeMillis() + 300;
    cluster
        .node(1)
        .service
        .write(
            utf8("short"),
            new Mutation.Put(utf8("v"), Expiry.at(soon)),
            writeAt(ConsistencyLevel.ALL))
        .join();
    await(
        "the cell to expire", () -> get(cluster.node(2), "short", ConsistencyLevel.QUORUM) == null);
    assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(soon);
  }

  @Test
  void setIfAbsent_throughTwoCoordinators_secondSeesTheFirst() {
    WriteOptions nx =
        writeAt(ConsistencyLevel.QUORUM).withCondition(WriteOptions.Condition.IF_ABSENT);
    assertThat(
            cluster
                .node(1)
                .service
                .write(utf8("lock"), Mutation.put(utf8("a")), nx)
                .join()
                .applied())
        .isTrue();
    assertThat(
            cluster
                .node(2)
                .service
                .write(utf8("lock"), Mutation.put(utf8("b")), nx)
                .join()
                .applied())
        .isFalse();
    WriteOutcome getSet =
        cluster
            .node(3)
            .service
            .write(
                utf8("lock"),
                Mutation.put(utf8("c")),
                writeAt(ConsistencyLevel.QUORUM).returningPrevious())
            .join();
    assertThat(new String(getSet.previous().value(), StandardCharsets.UTF_8)).isEqualTo("a");
    assertThat(get(cluster.node(1), "lock", ConsistencyLevel.QUORUM)).isEqualTo("c");
  }

  @Test
  void scan_walksEveryRangeInTokenOrder_eachLiveKeyOnce() {
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      put(cluster.node(1 + i % 3), "scan-" + i, "v" + i, ConsistencyLevel.QUORUM);
      expected.add("scan-" + i);
    }
    for (int i = 0; i < 300; i += 7) {
      cluster
          .node(2)
          .service
          .write(utf8("scan-" + i), Mutation.delete(), writeAt(ConsistencyLevel.QUORUM))
          .join();
      expected.remove("scan-" + i);
    }
    List<String> seen = new ArrayList<>();
    ScanCursor cursor = ScanCursor.START;
    int pages = 0;
    do {
      ScanPage page =
          cluster.node(3).service.scan(cursor, 17, readAt(ConsistencyLevel.QUORUM)).join();
      assertThat(page.entries().size()).isLessThanOrEqualTo(17);
      for (ScanPage.Entry entry : page.entries()) {
        seen.add(new String(entry.key(), StandardCharsets.UTF_8));
      }
      cursor = page.next();
      pages++;
    } while (!cursor.end() && pages < 1_000);
    assertThat(seen).doesNotHaveDuplicates();
    assertThat(new HashSet<>(seen)).isEqualTo(expected);
    List<Long> tokens = new ArrayList<>();
    for (String key : seen) {
      tokens.add(io.ringkv.cluster.ring.Token.forKey(utf8(key)).value());
    }
    assertThat(tokens).isSorted();
  }

  @Test
  void clockSkewedCoordinator_refusesWrites_butStillReads() {
    put(cluster.node(1), "k", "v", ConsistencyLevel.QUORUM);
    TestNode skewed = cluster.node(2);
    skewed.view.updateAndGet(
        current ->
            new io.ringkv.server.cluster.ClusterView(
                current.self(),
                current.metadata(),
                current.up(),
                Optional.of("this node's clock is 900 ms ahead of its peers'"),
                900,
                true));
    KvException refused = failure(() -> put(skewed, "k", "w", ConsistencyLevel.QUORUM));
    assertThat(refused.kind()).isEqualTo(KvException.Kind.UNAVAILABLE);
    assertThat(refused.getMessage()).contains("900 ms ahead");
    assertThat(get(skewed, "k", ConsistencyLevel.QUORUM)).isEqualTo("v");
  }

  @Test
  void impossibleLevel_isAnInvalidRequest() {
    KvException invalid = failure(() -> get(cluster.node(1), "k", ConsistencyLevel.ANY));
    assertThat(invalid.kind()).isEqualTo(KvException.Kind.INVALID_REQUEST);
    assertThat(invalid.getMessage()).contains("ANY is for writes only");
  }

  // ---------------------------------------------------------------- helpers

  static WriteOutcome put(TestNode node, String key, String value, ConsistencyLevel level) {
    return node.service.write(utf8(key), Mutation.put(utf8(value)), writeAt(level)).join();
  }

  static String get(TestNode node, String key, ConsistencyLevel level) {
    Versioned value = node.service.get(utf8(key), readAt(level)).join();
    return value.isPresent() ? new String(value.value(), StandardCharsets.UTF_8) : null;
  }

  static WriteOptions writeAt(ConsistencyLevel level) {
    return WriteOptions.defaults().withConsistency(level);
  }

  static ReadOptions readAt(ConsistencyLevel level) {
    return new ReadOptions(level);
  }

  static KvException failure(Runnable call) {
    try {
      call.run();
    } catch (CompletionException e) {
      if (e.getCause() instanceof KvException kv) {
        return kv;
      }
      throw e;
    }
    throw new AssertionError("expected a KvException");
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + DEADLINE + " waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }
}
