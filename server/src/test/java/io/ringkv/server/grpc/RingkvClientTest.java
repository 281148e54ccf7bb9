package io.ringkv.server.grpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.client.DeleteOptions;
import io.ringkv.client.KeyValue;
import io.ringkv.client.NodeSelection;
import io.ringkv.client.PutOptions;
import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.RingkvException;
import io.ringkv.client.ScanIterator;
import io.ringkv.client.ScanOptions;
import io.ringkv.client.ScanPage;
import io.ringkv.client.Value;
import io.ringkv.client.WriteResult;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.ManualClock;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.kv.Mutation;
import io.ringkv.server.kv.WriteOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client against real nodes (engine, service, gRPC server): the sync and async APIs,
 * options, consistency reaching the service, scans, failover between nodes and deadlines. These
 * live in the server module because the client module cannot see server classes.
 */
class RingkvClientTest {
  private static final long START_MILLIS = 1_700_000_000_000L;

  @TempDir Path directory;

  private final ManualClock clock = new ManualClock(0, START_MILLIS);
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private GrpcTestNode node(String name) throws Exception {
    return node(name, UnaryOperator.identity());
  }

  private GrpcTestNode node(String name, UnaryOperator<io.ringkv.server.kv.KeyValueService> wrap)
      throws Exception {
    GrpcTestNode node =
        GrpcTestNode.start(directory.resolve(name), clock, LimitsConfig.defaults(), wrap);
    closeables.add(node);
    return node;
  }

  private RingkvClient client(RingkvClient.Builder builder) {
    RingkvClient client = builder.build();
    closeables.add(client);
    return client;
  }

  private RingkvClient clientOf(GrpcTestNode... nodes) {
    RingkvClient.Builder builder = RingkvClient.builder().nodeSelection(NodeSelection.STICKY);
    for (GrpcTestNode node : nodes) {
      builder.addNode("127.0.0.1", node.port());
    }
    return client(builder);
  }

  private static void store(GrpcTestNode node, String key, String value) {
    node.service()
        .write(key.getBytes(UTF_8), Mutation.put(value.getBytes(UTF_8)), WriteOptions.defaults())
        .join();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  @Test
  void sync_putGetDeleteRoundTrip() throws Exception {
    RingkvClient client = clientOf(node("a"));
    assertThat(client.get("k")).isEmpty();

    WriteResult put = client.put("k", "v");
    assertThat(put.applied()).isTrue();
    assertThat(put.timestamp()).isEqualTo(START_MILLIS * 1_000);

    Value value = client.get("k").orElseThrow();
    assertThat(value.utf8()).isEqualTo("v");
    assertThat(value.timestamp()).isEqualTo(put.timestamp());
    assertThat(value.expires()).isFalse();

    WriteResult deleted = client.delete(bytes("k"), DeleteOptions.defaults().returningPrevious());
    assertThat(deleted.applied()).isTrue();
    assertThat(deleted.previous()).map(Value::utf8).contains("v");
    assertThat(client.get("k")).isEmpty();
  }

  @Test
  void sync_binaryKeysAndValues() throws Exception {
    RingkvClient client = clientOf(node("a"));
    byte[] key = {0, (byte) 0xff, 10, 13};
    byte[] value = {(byte) 0xc3, 0x28, 0};
    client.put(key, value);
    assertThat(client.get(key).orElseThrow().bytes()).containsExactly(value);
    client.put(new byte[0], new byte[0]);
    assertThat(client.get(new byte[0]).orElseThrow().bytes()).isEmpty();
  }

  @Test
  void put_optionsReachTheServer() throws Exception {
    RingkvClient client = clientOf(node("a"));
    WriteResult first =
        client.put(bytes("k"), bytes("v1"), PutOptions.defaults().withTtl(Duration.ofSeconds(10)));
    assertThat(first.expiresAtMillis()).isEqualTo(START_MILLIS + 10_000);

    WriteResult notApplied = client.put(bytes("k"), bytes("v2"), PutOptions.defaults().ifAbsent());
    assertThat(notApplied.applied()).isFalse();

    WriteResult replaced =
        client.put(
            bytes("k"),
            bytes("v3"),
            PutOptions.defaults().ifPresent().keepingTtl().returningPrevious());
    assertThat(replaced.applied()).isTrue();
    assertThat(replaced.expiresAtMillis()).isEqualTo(START_MILLIS + 10_000);
    assertThat(replaced.previous()).map(Value::utf8).contains("v1");

    clock.advanceNanos(TimeUnit.SECONDS.toNanos(10));
    assertThat(client.get("k")).isEmpty();

    client.put(
        bytes("at"), bytes("x"), PutOptions.defaults().withExpiresAtMillis(START_MILLIS + 60_000));
    assertThat(client.get("at").orElseThrow().expiresAtMillis()).isEqualTo(START_MILLIS + 60_000);
  }

  @Test
  void multiGet_answersInOrder() throws Exception {
    RingkvClient client = clientOf(node("a"));
    client.put("a", "1");
    client.put("c", "3");
    List<Optional<Value>> values = client.multiGet(List.of(bytes("c"), bytes("b"), bytes("a")));
    assertThat(values)
        .extracting(v -> v.map(Value::utf8).orElse(null))
        .containsExactly("3", null, "1");
  }

  @Test
  void scan_iteratesEveryKeyExactlyOncePageByPage() throws Exception {
    GrpcTestNode node = node("a");
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      String key = String.format("key-%05d", i);
      store(node, key, "v" + i);
      expected.add(key);
    }
    RingkvClient client = clientOf(node);

    assertThat(
            client.scan(ScanOptions.defaults().withPageSize(128)).stream().map(KeyValue::keyUtf8))
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(client.scan()).hasSize(3_000);
  }

  @Test
  void scan_limitEndsOnACursorThatResumes() throws Exception {
    GrpcTestNode node = node("a");
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      store(node, String.format("key-%03d", i), "v");
      expected.add(String.format("key-%03d", i));
    }
    RingkvClient client = clientOf(node);

    List<String> seen = new ArrayList<>();
    String cursor = ScanOptions.START;
    int rounds = 0;
    boolean complete = false;
    while (!complete) {
      ScanIterator it =
          client
              .scan(ScanOptions.defaults().withCursor(cursor).withLimit(100).withPageSize(30))
              .iterator();
      it.forEachRemaining(kv -> seen.add(kv.keyUtf8()));
      cursor = it.cursor();
      complete = cursor.equals(ScanOptions.START);
      rounds++;
    }
    assertThat(rounds).isEqualTo(3);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void scanPage_returnsAPageAndItsCursor() throws Exception {
    GrpcTestNode node = node("a");
    for (int i = 0; i < 5; i++) {
      store(node, "k" + i, "v");
    }
    RingkvClient client = clientOf(node);
    ScanPage first = client.scanPage(ScanOptions.defaults().withPageSize(3));
    assertThat(first.entries()).hasSize(3);
    assertThat(first.complete()).isFalse();
    ScanPage second =
        client.scanPage(ScanOptions.defaults().withPageSize(3).withCursor(first.cursor()));
    assertThat(second.entries()).hasSize(2);
    assertThat(second.complete()).isTrue();
    List<String> seen = new ArrayList<>();
    first.entries().forEach(entry -> seen.add(entry.keyUtf8()));
    second.entries().forEach(entry -> seen.add(entry.keyUtf8()));
    assertThat(seen).containsExactlyInAnyOrder("k0", "k1", "k2", "k3", "k4");
  }

  @Test
  void async_everyCallCompletesItsFuture() throws Exception {
    RingkvClient client = clientOf(node("a"));
    var async = client.async();
    WriteResult put = async.put(bytes("k"), bytes("v")).get(10, TimeUnit.SECONDS);
    assertThat(put.applied()).isTrue();
    assertThat(async.get(bytes("k")).get(10, TimeUnit.SECONDS)).map(Value::utf8).contains("v");
    assertThat(async.multiGet(List.of(bytes("k"), bytes("x"))).get(10, TimeUnit.SECONDS))
        .containsExactly(Optional.of(client.get("k").orElseThrow()), Optional.empty());
    assertThat(async.scanPage(ScanOptions.defaults()).get(10, TimeUnit.SECONDS).entries())
        .hasSize(1);
    assertThat(async.delete(bytes("k")).get(10, TimeUnit.SECONDS).applied()).isTrue();
    assertThat(async.get(bytes("k")).get(10, TimeUnit.SECONDS)).isEmpty();

    CompletableFuture<Optional<Value>> invalid = async.get(new byte[2_000]);
    assertThatThrownBy(() -> invalid.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            RingkvException.class,
            e -> assertThat(e.kind()).isEqualTo(RingkvException.Kind.INVALID_REQUEST));
  }

  @Test
  void consistency_perCallAndDefaultReachTheService() throws Exception {
    List<ServiceWrappers.Recording> recorders = new ArrayList<>();
    GrpcTestNode node =
        node(
            "a",
            service -> {
              ServiceWrappers.Recording recording = new ServiceWrappers.Recording(service);
              recorders.add(recording);
              return recording;
            });
    RingkvClient client =
        client(
            RingkvClient.builder()
                .addNode("127.0.0.1", node.port())
                .defaultConsistency(ConsistencyLevel.QUORUM)
                .defaultWriteConsistency(ConsistencyLevel.ANY));

    client.put("k", "v");
    client.put(bytes("k"), bytes("v"), PutOptions.defaults().withConsistency(ConsistencyLevel.ALL));
    client.get("k");
    client.get(bytes("k"), ReadOptions.defaults().withConsistency(ConsistencyLevel.LOCAL_ONE));
    client.multiGet(
        List.of(bytes("k")), ReadOptions.defaults().withConsistency(ConsistencyLevel.TWO));
    client.delete(
        bytes("k"), DeleteOptions.defaults().withConsistency(ConsistencyLevel.EACH_QUORUM));
    client.scanPage(ScanOptions.defaults().withConsistency(ConsistencyLevel.THREE));

    assertThat(recorders.get(0).calls())
        .containsExactly(
            new ServiceWrappers.Call("put", ConsistencyLevel.ANY),
            new ServiceWrappers.Call("put", ConsistencyLevel.ALL),
            new ServiceWrappers.Call("get", ConsistencyLevel.QUORUM),
            new ServiceWrappers.Call("get", ConsistencyLevel.LOCAL_ONE),
            new ServiceWrappers.Call("multi_get", ConsistencyLevel.TWO),
            new ServiceWrappers.Call("delete", ConsistencyLevel.EACH_QUORUM),
            new ServiceWrappers.Call("scan", ConsistencyLevel.THREE));
  }

  @Test
  void consistency_unsetLeavesItToTheServer() throws Exception {
    List<ServiceWrappers.Recording> recorders = new ArrayList<>();
    GrpcTestNode node =
        node(
            "a",
            service -> {
              ServiceWrappers.Recording recording = new ServiceWrappers.Recording(service);
              recorders.add(recording);
              return recording;
            });
    RingkvClient client = clientOf(node);
    client.put("k", "v");
    client.get("k");
    assertThat(recorders.get(0).calls())
        .containsExactly(
            new ServiceWrappers.Call("put", null), new ServiceWrappers.Call("get", null));
  }

  @Test
  void sessionTimestamp_everyWriteCarriesTheHighestTimestampTheClientWasToldOf() throws Exception {
    List<ServiceWrappers.Recording> recorders = new ArrayList<>();
    GrpcTestNode node =
        node(
            "a",
            service -> {
              ServiceWrappers.Recording recording = new ServiceWrappers.Recording(service);
              recorders.add(recording);
              return recording;
            });
    RingkvClient client = clientOf(node);

    WriteResult first = client.put("first", "1"); // nothing seen yet: sends 0
    clock.setEpochMillis(START_MILLIS + 1_000);
    store(node, "read", "r"); // written by someone else, later
    long read = client.get("read").orElseThrow().timestamp();
    client.get("first"); // an older timestamp does not lower the session's
    WriteResult second = client.put("second", "2"); // sends the read's
    clock.setEpochMillis(START_MILLIS + 2_000);
    store(node, "scanned", "s");
    long scanned =
        client.scanPage(ScanOptions.defaults()).entries().stream()
            .mapToLong(entry -> entry.value().timestamp())
            .max()
            .orElseThrow();
    WriteResult deleted = client.delete("first"); // sends the scanned value's

    assertThat(read).isGreaterThan(first.timestamp());
    assertThat(second.timestamp()).isGreaterThan(read);
    assertThat(scanned).isGreaterThan(second.timestamp());
    assertThat(recorders.get(0).sessionTimestamps).containsExactly(0L, read, scanned);
    assertThat(client.async().sessionTimestamp()).isEqualTo(deleted.timestamp());
  }

  @Test
  void sessionTimestamp_turnedOff_writesCarryNone() throws Exception {
    List<ServiceWrappers.Recording> recorders = new ArrayList<>();
    GrpcTestNode node =
        node(
            "a",
            service -> {
              ServiceWrappers.Recording recording = new ServiceWrappers.Recording(service);
              recorders.add(recording);
              return recording;
            });
    RingkvClient client =
        client(RingkvClient.builder().addNode("127.0.0.1", node.port()).sessionTimestamps(false));

    client.put("k", "1");
    client.get("k");
    client.put("k", "2");
    client.delete("k");

    assertThat(recorders.get(0).sessionTimestamps).containsExactly(0L, 0L, 0L);
    assertThat(client.async().sessionTimestamp()).isZero();
  }

  @Test
  void failover_readsContinueOnTheSecondNodeWhenTheFirstStops() throws Exception {
    GrpcTestNode first = node("first");
    GrpcTestNode second = node("second");
    store(first, "k", "from-first");
    store(second, "k", "from-second");
    RingkvClient client = clientOf(first, second);

    assertThat(client.get("k")).map(Value::utf8).contains("from-first");
    first.stopServer();
    for (int i = 0; i < 5; i++) {
      assertThat(client.get("k")).map(Value::utf8).contains("from-second");
    }
    assertThat(client.multiGet(List.of(bytes("k")))).hasSize(1);
    assertThat(client.scan()).hasSize(1);
  }

  @Test
  void failover_writeMovesOnWhenTheFirstNodeRefusesConnections() throws Exception {
    GrpcTestNode first = node("first");
    GrpcTestNode second = node("second");
    RingkvClient client = clientOf(first, second);
    first.stopServer();

    assertThat(client.put("k", "v").applied()).isTrue();
    assertThat(
            second
                .service()
                .get(bytes("k"), io.ringkv.server.kv.ReadOptions.defaults())
                .join()
                .isPresent())
        .isTrue();
  }

  @Test
  void failover_roundRobinSpreadsRequestsOverTheNodes() throws Exception {
    List<ServiceWrappers.Recording> recorders = new ArrayList<>();
    UnaryOperator<io.ringkv.server.kv.KeyValueService> record =
        service -> {
          ServiceWrappers.Recording recording = new ServiceWrappers.Recording(service);
          recorders.add(recording);
          return recording;
        };
    GrpcTestNode first = node("first", record);
    GrpcTestNode second = node("second", record);
    RingkvClient client =
        client(
            RingkvClient.builder()
                .addNode("127.0.0.1", first.port())
                .addNode("127.0.0.1", second.port())
                .nodeSelection(NodeSelection.ROUND_ROBIN));
    for (int i = 0; i < 10; i++) {
      client.get("k");
    }
    assertThat(recorders.get(0).count("get")).isEqualTo(5);
    assertThat(recorders.get(1).count("get")).isEqualTo(5);
  }

  @Test
  void failover_everyNodeDownIsUnavailableNamingEachNode() throws Exception {
    GrpcTestNode first = node("first");
    GrpcTestNode second = node("second");
    RingkvClient client = clientOf(first, second);
    first.stopServer();
    second.stopServer();

    assertThatThrownBy(() -> client.put("k", "v"))
        .isInstanceOfSatisfying(
            RingkvException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(RingkvException.Kind.UNAVAILABLE);
              assertThat(e.indeterminate()).as("a refused connection sent nothing").isFalse();
              assertThat(e.getMessage())
                  .contains("every node tried failed")
                  .contains(":" + first.port())
                  .contains(":" + second.port());
            });
  }

  @Test
  void timeout_aSilentNodeFailsTheReadWithTimeout() throws Exception {
    GrpcTestNode silent = node("silent", ServiceWrappers.NeverAnswering::new);
    RingkvClient client =
        client(
            RingkvClient.builder()
                .addNode("127.0.0.1", silent.port())
                .timeout(Duration.ofMillis(300)));
    assertThatThrownBy(() -> client.get("k"))
        .isInstanceOfSatisfying(
            RingkvException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(RingkvException.Kind.TIMEOUT);
              assertThat(e.indeterminate()).isFalse();
            });

    CompletableFuture<Optional<Value>> async =
        client.async().get(bytes("k"), ReadOptions.defaults().withTimeout(Duration.ofMillis(200)));
    assertThatThrownBy(() -> async.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            RingkvException.class,
            e -> assertThat(e.kind()).isEqualTo(RingkvException.Kind.TIMEOUT));
  }

  @Test
  void timeout_anIndeterminateWriteIsNotRetriedOnAnotherNode() throws Exception {
    List<ServiceWrappers.NeverAnswering> silent = new ArrayList<>();
    GrpcTestNode first =
        node(
            "first",
            service -> {
              ServiceWrappers.NeverAnswering never = new ServiceWrappers.NeverAnswering(service);
              silent.add(never);
              return never;
            });
    GrpcTestNode second = node("second");
    RingkvClient client = clientOf(first, second);

    assertThatThrownBy(
            () ->
                client.put(
                    bytes("k"),
                    bytes("v"),
                    PutOptions.defaults().withTimeout(Duration.ofMillis(300))))
        .isInstanceOfSatisfying(
            RingkvException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(RingkvException.Kind.TIMEOUT);
              assertThat(e.indeterminate()).isTrue();
              assertThat(e.getMessage()).contains("may or may not have been applied");
            });
    assertThat(silent.get(0).received).containsExactly("write");
    assertThat(
            second
                .service()
                .get(bytes("k"), io.ringkv.server.kv.ReadOptions.defaults())
                .join()
                .isPresent())
        .as("the write was not sent to the second node")
        .isFalse();
  }

  @Test
  void close_laterCallsFailWithoutSending() throws Exception {
    RingkvClient client = clientOf(node("a"));
    client.put("k", "v");
    client.close();
    assertThatThrownBy(() -> client.get("k"))
        .isInstanceOfSatisfying(
            RingkvException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(RingkvException.Kind.FAILED);
              assertThat(e.getMessage()).contains("the client is closed");
            });
  }

  @Test
  void invalidRequest_isNotRetriedAndNamesTheLimit() throws Exception {
    List<ServiceWrappers.Recording> recorders = new ArrayList<>();
    UnaryOperator<io.ringkv.server.kv.KeyValueService> record =
        service -> {
          ServiceWrappers.Recording recording = new ServiceWrappers.Recording(service);
          recorders.add(recording);
          return recording;
        };
    GrpcTestNode first = node("first", record);
    GrpcTestNode second = node("second", record);
    RingkvClient client = clientOf(first, second);

    assertThatThrownBy(() -> client.put(new byte[1025], bytes("v")))
        .isInstanceOfSatisfying(
            RingkvException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(RingkvException.Kind.INVALID_REQUEST);
              assertThat(e.reason()).isEqualTo("INVALID_REQUEST");
              assertThat(e.getMessage()).contains("limits.key_bytes_max (1024)");
              assertThat(e.indeterminate()).isFalse();
            });
    assertThat(recorders.get(0).calls()).isEmpty();
    assertThat(recorders.get(1).calls()).isEmpty();
  }
}
