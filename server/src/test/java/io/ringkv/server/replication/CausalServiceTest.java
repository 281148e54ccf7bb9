package io.ringkv.server.replication;

import static io.ringkv.server.replication.TestCluster.CAUSAL;
import static io.ringkv.server.replication.TestCluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.micrometer.core.instrument.Counter;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.CausalWriteOutcome;
import io.ringkv.server.kv.ClusterKeyValueService;
import io.ringkv.server.kv.Expiry;
import io.ringkv.server.kv.KvException;
import io.ringkv.server.kv.Mutation;
import io.ringkv.server.kv.ReadOptions;
import io.ringkv.server.kv.Versioned;
import io.ringkv.server.kv.WriteOptions;
import io.ringkv.server.kv.WriteOutcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Causal keyspaces end to end in the service layer (docs/design/causal.md, "End to end"): three
 * in-process nodes, replication factor 3, each a causal actor with a sibling cap of {@link
 * TestCluster#CAUSAL_SIBLINGS_MAX}, over real internode transports. Writes go at ALL where a test
 * needs every replica to have seen them before the next step (so what a dot replica holds is
 * certain); reads at ALL join every replica's state.
 */
class CausalServiceTest {
  private static final long WAIT_SECONDS = 30;

  @TempDir Path directory;
  private TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster =
        new TestCluster(
            directory,
            3,
            11,
            ReplicationSettings.defaults(directory)
                .withReadRepairChance(0)
                .withTimeouts(2_000, 2_000));
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  void putsWithAStaleContextThroughTwoCoordinators_leaveSiblings_aPutWithTheReadContextCollapses() {
    write(1, "k", new CausalWrite.Put(utf8("a"), null));
    byte[] stale = read(2, "k").context();

    write(1, "k", new CausalWrite.Put(utf8("b"), stale));
    write(2, "k", new CausalWrite.Put(utf8("c"), stale));

    CausalValue both = read(3, "k");
    assertThat(both).isInstanceOf(CausalValue.Register.class);
    List<CausalValue.Sibling> siblings = ((CausalValue.Register) both).siblings();
    assertThat(siblings).extracting(s -> text(s.value())).containsExactlyInAnyOrder("b", "c");
    assertThat(siblings.get(0).timestamp())
        .as("newest first")
        .isGreaterThanOrEqualTo(siblings.get(1).timestamp());
    // A plain read answers the winner: the newest.
    assertThat(text(get(1, "k").value())).isEqualTo(text(siblings.get(0).value()));

    CausalWriteOutcome resolved = write(3, "k", new CausalWrite.Put(utf8("d"), both.context()));
    assertThat(((CausalValue.Register) resolved.state()).siblings())
        .extracting(s -> text(s.value()))
        .containsExactly("d");
    assertThat(((CausalValue.Register) read(1, "k")).siblings())
        .extracting(s -> text(s.value()))
        .containsExactly("d");
  }

  @Test
  void blindPuts_supersedeWhatTheDotReplicaHolds_noSiblingsGrow() {
    for (int i = 0; i < 10; i++) {
      write(1, "blind", new CausalWrite.Put(utf8("v" + i), null));
    }
    assertThat(((CausalValue.Register) read(2, "blind")).siblings())
        .extracting(s -> text(s.value()))
        .containsExactly("v9");
  }

  @Test
  void delete_withTheReadContext_readsAsAbsent_aConcurrentPutSurvivesIt() {
    write(1, "d", new CausalWrite.Put(utf8("x"), null));
    byte[] context = read(1, "d").context();
    write(2, "d", new CausalWrite.Delete(context));
    assertThat(read(3, "d")).isInstanceOf(CausalValue.Absent.class);
    assertThat(get(3, "d").isPresent()).isFalse();

    write(1, "e", new CausalWrite.Put(utf8("x"), null));
    byte[] seen = read(1, "e").context();
    write(1, "e", new CausalWrite.Delete(seen));
    write(2, "e", new CausalWrite.Put(utf8("y"), seen));
    CausalValue.Register register = (CausalValue.Register) read(3, "e");
    assertThat(register.siblings()).hasSize(2);
    assertThat(register.siblings()).anySatisfy(s -> assertThat(s.isDeleted()).isTrue());
    assertThat(register.siblings()).anySatisfy(s -> assertThat(s.value()).isEqualTo(utf8("y")));
  }

  @Test
  void counters_incrementExactlyThroughEveryCoordinator_aRetryWithItsIdempotencyKeyCountsOnce() {
    List<CompletableFuture<CausalWriteOutcome>> increments = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      increments.add(
          service(1 + i % 3)
              .writeCausal(
                  utf8("hits"),
                  new CausalWrite.Increment(i % 2 == 0 ? 5 : -2),
                  WriteOptions.defaults().withKeyspace(CAUSAL)));
    }
    for (CompletableFuture<CausalWriteOutcome> increment : increments) {
      await(increment);
    }
    assertThat(counter(read(2, "hits"))).isEqualTo(15 * 5 - 15 * 2);
    assertThat(text(get(3, "hits").value())).as("as Redis reads an INCR key").isEqualTo("45");

    byte[] key = utf8("request-7");
    CausalWriteOutcome first = increment(1, "paid", 100, key);
    CausalWriteOutcome retry = increment(2, "paid", 100, key);
    assertThat(first.duplicate()).isFalse();
    assertThat(counter(first.state())).isEqualTo(100);
    assertThat(retry.duplicate()).isTrue();
    assertThat(counter(retry.state())).isEqualTo(100);
    assertThat(counter(increment(3, "paid", 1, utf8("request-8")).state())).isEqualTo(101);
    assertThat(counter(read(1, "paid"))).isEqualTo(101);
  }

  @Test
  void sets_addAndRemove_countWhatChanged_listMembersInByteOrder() {
    CausalWriteOutcome added = write(1, "s", new CausalWrite.SetAdd(List.of(utf8("b"), utf8("a"))));
    assertThat(added.changedMembers()).isEqualTo(2);
    CausalWriteOutcome again =
        write(2, "s", new CausalWrite.SetAdd(List.of(utf8("b"), utf8("c"), utf8("c"))));
    assertThat(again.changedMembers()).as("b was there; c once").isEqualTo(1);
    CausalWriteOutcome removed =
        write(3, "s", new CausalWrite.SetRemove(List.of(utf8("a"), utf8("zz")), null));
    assertThat(removed.changedMembers()).as("zz was never there").isEqualTo(1);

    CausalValue.Set set = (CausalValue.Set) read(1, "s");
    assertThat(set.members()).extracting(CausalServiceTest::text).containsExactly("b", "c");
    assertThat(set.context()).isNotEmpty();

    // A remove with an old context removes only the adds it saw: a later add of b survives.
    byte[] before = set.context();
    write(1, "s", new CausalWrite.SetAdd(List.of(utf8("b"))));
    write(2, "s", new CausalWrite.SetRemove(List.of(utf8("b"), utf8("c")), before));
    assertThat(((CausalValue.Set) read(3, "s")).members())
        .extracting(CausalServiceTest::text)
        .containsExactly("b");
  }

  @Test
  void wrongType_refusedWithRedisWording_andPlainGetOfASetToo() {
    write(1, "set", new CausalWrite.SetAdd(List.of(utf8("m"))));
    KvException increment =
        failure(
            service(2)
                .writeCausal(
                    utf8("set"),
                    new CausalWrite.Increment(1),
                    WriteOptions.defaults().withKeyspace(CAUSAL)));
    assertThat(increment.kind()).isEqualTo(KvException.Kind.WRONG_TYPE);
    assertThat(increment.getMessage()).startsWith("WRONGTYPE");

    KvException plainGet =
        failure(service(3).get(utf8("set"), ReadOptions.defaults().withKeyspace(CAUSAL)));
    assertThat(plainGet.kind()).isEqualTo(KvException.Kind.WRONG_TYPE);

    KvException plainSet =
        failure(
            service(1)
                .write(
                    utf8("set"),
                    Mutation.put(utf8("v")),
                    WriteOptions.defaults().withKeyspace(CAUSAL)));
    assertThat(plainSet.kind()).isEqualTo(KvException.Kind.WRONG_TYPE);
    assertThat(refusals(1, "wrongtype") + refusals(2, "wrongtype") + refusals(3, "wrongtype"))
        .isEqualTo(2);
  }

  @Test
  void siblingCap_refusesTheWriteThatWouldPassIt_withConflict_andAResolvingWriteIsTaken() {
    write(1, "capped", new CausalWrite.Put(utf8("first"), null));
    byte[] stale = read(1, "capped").context();
    for (int i = 0; i < TestCluster.CAUSAL_SIBLINGS_MAX; i++) {
      write(1, "capped", new CausalWrite.Put(utf8("s" + i), stale));
    }
    assertThat(((CausalValue.Register) read(2, "capped")).siblings())
        .hasSize(TestCluster.CAUSAL_SIBLINGS_MAX);

    KvException refused =
        failure(
            service(1)
                .writeCausal(
                    utf8("capped"),
                    new CausalWrite.Put(utf8("one too many"), stale),
                    WriteOptions.defaults().withKeyspace(CAUSAL)));
    assertThat(refused.kind()).isEqualTo(KvException.Kind.CONFLICT);
    assertThat(refused.getMessage()).contains(String.valueOf(TestCluster.CAUSAL_SIBLINGS_MAX));
    assertThat(refusals(1, "too_many_siblings")).isEqualTo(1);

    CausalValue all = read(3, "capped");
    write(1, "capped", new CausalWrite.Put(utf8("merged"), all.context()));
    assertThat(((CausalValue.Register) read(2, "capped")).siblings())
        .extracting(s -> text(s.value()))
        .containsExactly("merged");
  }

  @Test
  void plainWrites_inACausalKeyspace_areCausal_conditionalOnesWriteWithTheReadContext() {
    ClusterKeyValueService one = service(1);
    WriteOptions causal =
        WriteOptions.defaults().withKeyspace(CAUSAL).withConsistency(ConsistencyLevel.ALL);
    assertThat(await(one.write(utf8("p"), Mutation.put(utf8("1")), causal)).applied()).isTrue();
    WriteOutcome notAbsent =
        await(
            service(2)
                .write(
                    utf8("p"),
                    Mutation.put(utf8("2")),
                    causal.withCondition(WriteOptions.Condition.IF_ABSENT)));
    assertThat(notAbsent.applied()).isFalse();
    WriteOutcome replaced =
        await(
            service(2)
                .write(
                    utf8("p"),
                    Mutation.put(utf8("3")),
                    causal.withCondition(WriteOptions.Condition.IF_PRESENT).returningPrevious()));
    assertThat(replaced.applied()).isTrue();
    assertThat(text(replaced.previous().value())).isEqualTo("1");
    assertThat(((CausalValue.Register) read(3, "p")).siblings())
        .extracting(s -> text(s.value()))
        .containsExactly("3");
    Versioned plain = get(1, "p");
    assertThat(text(plain.value())).isEqualTo("3");
    assertThat(plain.context()).as("the register's context").isNotEmpty();

    await(one.write(utf8("p"), Mutation.delete(), causal));
    assertThat(get(2, "p").isPresent()).isFalse();

    KvException expiry =
        failure(
            one.write(
                utf8("p"),
                new Mutation.Put(utf8("x"), Expiry.at(System.currentTimeMillis() + 60_000)),
                causal));
    assertThat(expiry.kind()).isEqualTo(KvException.Kind.INVALID_REQUEST);
    assertThat(expiry.getMessage()).contains("expiry").contains("causal");
  }

  @Test
  void keyspaces_unknownIsNoSuchKeyspace_causalWriteToLwwIsInvalid_damagedContextNamesTheField() {
    KvException unknown =
        failure(service(1).get(utf8("k"), ReadOptions.defaults().withKeyspace("nowhere")));
    assertThat(unknown.kind()).isEqualTo(KvException.Kind.NO_SUCH_KEYSPACE);
    assertThat(unknown.getMessage()).contains("'nowhere'");

    KvException lww =
        failure(
            service(1)
                .writeCausal(utf8("k"), new CausalWrite.Increment(1), WriteOptions.defaults()));
    assertThat(lww.kind()).isEqualTo(KvException.Kind.INVALID_REQUEST);
    assertThat(lww.getMessage()).contains("'default'").contains("lww");

    KvException damaged =
        failure(
            service(1)
                .writeCausal(
                    utf8("k"),
                    new CausalWrite.Put(utf8("v"), utf8("not a context")),
                    WriteOptions.defaults().withKeyspace(CAUSAL)));
    assertThat(damaged.kind()).isEqualTo(KvException.Kind.INVALID_REQUEST);
    assertThat(damaged.getMessage()).startsWith("context");

    assertThat(service(1).keyspaces().keyspaces())
        .extracting(k -> k.name())
        .containsExactly("causal", "default");
  }

  @Test
  void loneNode_appliesCausalWritesThroughItsOwnReplica() throws Exception {
    cluster.close();
    cluster =
        new TestCluster(directory.resolve("lone"), 1, 5, ReplicationSettings.defaults(directory));
    write(1, "r", new CausalWrite.Put(utf8("v1"), null));
    byte[] stale = read(1, "r").context();
    write(1, "r", new CausalWrite.Put(utf8("v2"), stale));
    write(1, "r", new CausalWrite.Put(utf8("v3"), stale));
    assertThat(((CausalValue.Register) read(1, "r")).siblings())
        .extracting(s -> text(s.value()))
        .containsExactlyInAnyOrder("v2", "v3");
    assertThat(counter(increment(1, "n", 7, utf8("once")).state())).isEqualTo(7);
    assertThat(increment(1, "n", 7, utf8("once")).duplicate()).isTrue();
    assertThat(write(1, "set", new CausalWrite.SetAdd(List.of(utf8("x")))).changedMembers())
        .isEqualTo(1);
    assertThat(
            failure(service(1).get(utf8("set"), ReadOptions.defaults().withKeyspace(CAUSAL)))
                .kind())
        .isEqualTo(KvException.Kind.WRONG_TYPE);
  }

  // ---------------------------------------------------------------- helpers

  private ClusterKeyValueService service(int node) {
    return cluster.node(node).service;
  }

  /** A causal write at ALL: every replica holds it when this returns. */
  private CausalWriteOutcome write(int node, String key, CausalWrite write) {
    return await(
        service(node)
            .writeCausal(
                utf8(key),
                write,
                WriteOptions.defaults()
                    .withKeyspace(CAUSAL)
                    .withConsistency(ConsistencyLevel.ALL)));
  }

  private CausalWriteOutcome increment(int node, String key, long delta, byte[] idempotencyKey) {
    return await(
        service(node)
            .writeCausal(
                utf8(key),
                new CausalWrite.Increment(delta),
                WriteOptions.defaults()
                    .withKeyspace(CAUSAL)
                    .withConsistency(ConsistencyLevel.ALL)
                    .withIdempotencyKey(idempotencyKey)));
  }

  /** A causal read at ALL: the join of every replica's state. */
  private CausalValue read(int node, String key) {
    return await(
        service(node)
            .readCausal(utf8(key), new ReadOptions(ConsistencyLevel.ALL).withKeyspace(CAUSAL)));
  }

  private Versioned get(int node, String key) {
    return await(
        service(node).get(utf8(key), new ReadOptions(ConsistencyLevel.ALL).withKeyspace(CAUSAL)));
  }

  private double refusals(int node, String reason) {
    Counter counter =
        cluster
            .node(node)
            .metrics
            .registry()
            .find("ringkv.causal.refusals")
            .tag("reason", reason)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private static long counter(CausalValue value) {
    assertThat(value).isInstanceOf(CausalValue.Counter.class);
    return ((CausalValue.Counter) value).value();
  }

  private static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the request failed: " + e, e);
    }
  }

  private static KvException failure(CompletableFuture<?> future) {
    Throwable thrown =
        catchThrowable(() -> future.orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).join());
    Throwable cause = thrown instanceof CompletionException ? thrown.getCause() : thrown;
    assertThat(cause).as("the request fails with a KvException").isInstanceOf(KvException.class);
    return (KvException) cause;
  }
}
