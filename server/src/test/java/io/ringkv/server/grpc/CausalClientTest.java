package io.ringkv.server.grpc;

import static io.ringkv.server.grpc.CausalGrpcTest.CONTEXT;
import static io.ringkv.server.grpc.CausalGrpcTest.NEW_CONTEXT;
import static io.ringkv.server.grpc.CausalGrpcTest.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.client.ConflictMode;
import io.ringkv.client.DeleteOptions;
import io.ringkv.client.IncrementOptions;
import io.ringkv.client.IncrementResult;
import io.ringkv.client.Keyspace;
import io.ringkv.client.NodeSelection;
import io.ringkv.client.PutOptions;
import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.RingkvException;
import io.ringkv.client.ScanOptions;
import io.ringkv.client.SetMembers;
import io.ringkv.client.SetOptions;
import io.ringkv.client.Sibling;
import io.ringkv.client.Versions;
import io.ringkv.client.WriteResult;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.ManualClock;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.CausalWriteOutcome;
import io.ringkv.server.kv.KvException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client's causal and keyspace calls, sync and async, against real servers whose service
 * is a {@link RecordingCausalService}: what each call sends (keyspace, context, idempotency key),
 * how answers and refusals come back, and that a write with an idempotency key fails over even when
 * its outcome is unknown while one without does not.
 */
class CausalClientTest {
  @TempDir Path directory;

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : closeables.reversed()) {
      closeable.close();
    }
  }

  private RecordingCausalService[] startNodes(int count, RingkvClient.Builder client)
      throws Exception {
    RecordingCausalService[] services = new RecordingCausalService[count];
    for (int i = 0; i < count; i++) {
      int index = i;
      GrpcTestNode node =
          GrpcTestNode.start(
              directory.resolve("node-" + i),
              new ManualClock(0, 1_700_000_000_000L),
              LimitsConfig.defaults(),
              local -> {
                services[index] =
                    new RecordingCausalService(local)
                        .withKeyspace("shop", io.ringkv.cluster.metadata.ConflictMode.CAUSAL);
                return services[index];
              });
      closeables.add(node);
      client.addNode(node.hostAndPort());
    }
    return services;
  }

  private RingkvClient build(RingkvClient.Builder builder) {
    RingkvClient client = builder.timeout(Duration.ofSeconds(10)).build();
    closeables.add(client);
    return client;
  }

  @Test
  void getVersionsAndPut_readSiblingsAndWriteBackTheirContext() throws Exception {
    RingkvClient.Builder builder = RingkvClient.builder();
    RecordingCausalService service = startNodes(1, builder)[0];
    RingkvClient client = build(builder);
    service.answerRead(
        new CausalValue.Register(
            CONTEXT,
            List.of(
                new CausalValue.Sibling(utf8("b"), 20), new CausalValue.Sibling(utf8("a"), 10))));
    service.answerWrite(
        new CausalWriteOutcome(
            new CausalValue.Register(NEW_CONTEXT, List.of(new CausalValue.Sibling(utf8("ab"), 30))),
            0,
            false));

    Versions versions = client.getVersions(utf8("k"), ReadOptions.defaults().withKeyspace("shop"));
    WriteResult written =
        client.put(
            utf8("k"),
            utf8("ab"),
            PutOptions.defaults()
                .withKeyspace("shop")
                .withCausalContext(versions.causalContext())
                .withIdempotencyKey("merge-1"));

    assertThat(versions.conflicted()).isTrue();
    assertThat(versions.value().orElseThrow().utf8()).isEqualTo("b");
    assertThat(versions.siblings())
        .containsExactly(new Sibling(utf8("b"), 20, false), new Sibling(utf8("a"), 10, false));
    assertThat(versions.causalContext()).isEqualTo(CONTEXT);
    assertThat(written.timestamp()).isEqualTo(30);
    assertThat(written.causalContext()).isEqualTo(NEW_CONTEXT);
    RecordingCausalService.Call put = service.lastCall();
    assertThat(((CausalWrite.Put) put.write()).context()).isEqualTo(CONTEXT);
    assertThat(put.writeOptions().idempotencyKey()).isEqualTo(utf8("merge-1"));
    assertThat(put.keyspace()).isEqualTo("shop");
  }

  @Test
  void defaultKeyspace_appliesToEveryCallThatNamesNone() throws Exception {
    RingkvClient.Builder builder = RingkvClient.builder().defaultKeyspace("shop");
    RecordingCausalService service = startNodes(1, builder)[0];
    RingkvClient client = build(builder);
    service.answerRead(new CausalValue.Absent(CONTEXT));
    service.answerWrite(
        new CausalWriteOutcome(
            new CausalValue.Register(CONTEXT, List.of(new CausalValue.Sibling(null, 5))),
            0,
            false));

    Versions absent = client.getVersions(utf8("k"));
    client.delete(utf8("k"), DeleteOptions.defaults().withCausalContext(absent.causalContext()));
    client.get(utf8("k"), ReadOptions.defaults().withKeyspace("other"));
    client.scanPage(ScanOptions.defaults());

    assertThat(absent.value()).isEmpty();
    assertThat(absent.siblings()).isEmpty();
    assertThat(service.calls())
        .extracting(RecordingCausalService.Call::keyspace)
        .containsExactly("shop", "shop", "other", "shop");
  }

  @Test
  void asyncCountersAndSets_sendTheirArgumentsAndAnswerTheService() throws Exception {
    RingkvClient.Builder builder = RingkvClient.builder();
    RecordingCausalService service = startNodes(1, builder)[0];
    RingkvClient client = build(builder);
    service.answerWrite(new CausalWriteOutcome(new CausalValue.Counter(CONTEXT, 7), 0, false));
    service.answerWrite(
        new CausalWriteOutcome(new CausalValue.Set(CONTEXT, List.of(utf8("a"))), 1, false));
    service.answerRead(new CausalValue.Set(CONTEXT, List.of(utf8("a"), utf8("b"))));
    service.answerWrite(
        new CausalWriteOutcome(new CausalValue.Set(NEW_CONTEXT, List.of()), 2, false));

    IncrementResult incremented =
        client
            .async()
            .increment(
                utf8("visits"),
                -3,
                IncrementOptions.defaults()
                    .withKeyspace("shop")
                    .withIdempotencyKey("req-9")
                    .withConsistency(ConsistencyLevel.ALL))
            .get();
    int added =
        client
            .async()
            .setAdd(utf8("tags"), List.of(utf8("a")), SetOptions.defaults().withKeyspace("shop"))
            .get();
    SetMembers members =
        client.async().setMembers(utf8("tags"), ReadOptions.defaults().withKeyspace("shop")).get();
    int removed =
        client.setRemove(
            utf8("tags"),
            List.of(utf8("a"), utf8("b")),
            SetOptions.defaults().withKeyspace("shop").withCausalContext(members.causalContext()));

    assertThat(incremented).isEqualTo(new IncrementResult(7, false));
    assertThat(added).isEqualTo(1);
    assertThat(members.utf8()).containsExactly("a", "b");
    assertThat(removed).isEqualTo(2);
    List<RecordingCausalService.Call> calls = service.calls();
    assertThat(((CausalWrite.Increment) calls.get(0).write()).delta()).isEqualTo(-3);
    assertThat(calls.get(0).writeOptions().idempotencyKey()).isEqualTo(utf8("req-9"));
    assertThat(calls.get(0).writeOptions().consistency()).isEqualTo(ConsistencyLevel.ALL);
    assertThat(((CausalWrite.SetRemove) calls.get(3).write()).context()).isEqualTo(CONTEXT);
  }

  @Test
  void refusals_arriveAsTheirKinds() throws Exception {
    RingkvClient.Builder builder = RingkvClient.builder();
    RecordingCausalService service = startNodes(1, builder)[0];
    RingkvClient client = build(builder);
    service.failNext(new KvException(KvException.Kind.WRONG_TYPE, "WRONGTYPE not a counter"));
    service.failNext(new KvException(KvException.Kind.CONFLICT, "sibling cap 32 reached"));
    service.failNext(new KvException(KvException.Kind.NO_SUCH_KEYSPACE, "no keyspace nope"));
    IncrementOptions options = IncrementOptions.defaults().withKeyspace("shop");

    assertThatThrownBy(() -> client.increment(utf8("k"), 1, options))
        .isInstanceOfSatisfying(
            RingkvException.class,
            e -> assertThat(e.kind()).isEqualTo(RingkvException.Kind.WRONG_TYPE));
    assertThatThrownBy(() -> client.increment(utf8("k"), 1, options))
        .isInstanceOfSatisfying(
            RingkvException.class,
            e -> assertThat(e.kind()).isEqualTo(RingkvException.Kind.CONFLICT));
    assertThatThrownBy(() -> client.increment(utf8("k"), 1, options))
        .isInstanceOfSatisfying(
            RingkvException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(RingkvException.Kind.NO_SUCH_KEYSPACE);
              assertThat(e.indeterminate()).isFalse();
            });
  }

  @Test
  void keyspaceAdmin_listsCreatesAndDrops() throws Exception {
    RingkvClient.Builder builder = RingkvClient.builder();
    RecordingCausalService service = startNodes(1, builder)[0];
    RingkvClient client = build(builder);

    Keyspace created =
        client.putKeyspace(
            Keyspace.named("geo")
                .withDatacenters(Map.of("eu", 3))
                .withWriteLevel(ConsistencyLevel.LOCAL_QUORUM)
                .withConflicts(ConflictMode.LWW));
    List<Keyspace> listed = client.async().keyspaces().get();
    client.dropKeyspace("geo");

    assertThat(created.datacenters()).containsExactlyEntriesOf(Map.of("eu", 3));
    assertThat(created.readLevel()).isEqualTo(ConsistencyLevel.QUORUM);
    assertThat(created.writeLevel()).isEqualTo(ConsistencyLevel.LOCAL_QUORUM);
    assertThat(created.conflicts()).isEqualTo(ConflictMode.LWW);
    assertThat(listed).extracting(Keyspace::name).containsExactly("default", "geo", "shop");
    assertThat(listed.get(2).conflicts()).isEqualTo(ConflictMode.CAUSAL);
    assertThat(client.keyspaces()).extracting(Keyspace::name).containsExactly("default", "shop");
    assertThatThrownBy(() -> client.dropKeyspace("geo"))
        .isInstanceOfSatisfying(
            RingkvException.class,
            e -> assertThat(e.kind()).isEqualTo(RingkvException.Kind.NO_SUCH_KEYSPACE));
    assertThat(service.calls())
        .extracting(RecordingCausalService.Call::operation)
        .containsExactly("put_keyspace", "drop_keyspace", "drop_keyspace");
  }

  @Test
  void failover_aWriteWithAnIdempotencyKeyMovesOnAfterAnUnknownOutcome() throws Exception {
    RingkvClient.Builder builder = RingkvClient.builder().nodeSelection(NodeSelection.STICKY);
    RecordingCausalService[] services = startNodes(2, builder);
    RingkvClient client = build(builder);
    services[0].failNext(new KvException(KvException.Kind.TIMEOUT, "1 of 2 answered in time"));
    services[1].answerWrite(new CausalWriteOutcome(new CausalValue.Counter(CONTEXT, 1), 0, false));

    IncrementResult result =
        client.increment(
            utf8("k"), 1, IncrementOptions.defaults().withKeyspace("shop").withIdempotencyKey("a"));

    assertThat(result.value()).isEqualTo(1);
    assertThat(services[0].calls()).hasSize(1);
    assertThat(services[1].calls()).hasSize(1);
    assertThat(services[1].lastCall().writeOptions().idempotencyKey()).isEqualTo(utf8("a"));
  }

  @Test
  void failover_aWriteWithoutAKeyStopsAtAnUnknownOutcome() throws Exception {
    RingkvClient.Builder builder = RingkvClient.builder().nodeSelection(NodeSelection.STICKY);
    RecordingCausalService[] services = startNodes(2, builder);
    RingkvClient client = build(builder);
    services[0].failNext(new KvException(KvException.Kind.TIMEOUT, "1 of 2 answered in time"));

    assertThatThrownBy(
            () -> client.increment(utf8("k"), 1, IncrementOptions.defaults().withKeyspace("shop")))
        .isInstanceOfSatisfying(
            RingkvException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(RingkvException.Kind.TIMEOUT);
              assertThat(e.indeterminate()).isTrue();
            });
    assertThat(services[1].calls()).isEmpty();
  }
}
