package io.ringkv.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.ringkv.common.ManualClock;
import io.ringkv.proto.v1.ConsistencyLevel;
import io.ringkv.proto.v1.DeleteRequest;
import io.ringkv.proto.v1.DeleteResponse;
import io.ringkv.proto.v1.GetRequest;
import io.ringkv.proto.v1.GetResponse;
import io.ringkv.proto.v1.KVGrpc;
import io.ringkv.proto.v1.MultiGetRequest;
import io.ringkv.proto.v1.MultiGetResponse;
import io.ringkv.proto.v1.PutRequest;
import io.ringkv.proto.v1.PutResponse;
import io.ringkv.proto.v1.ScanEntry;
import io.ringkv.proto.v1.ScanRequest;
import io.ringkv.proto.v1.ScanResponse;
import io.ringkv.proto.v1.WriteCondition;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.config.ListenerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC front end through generated stubs, as any third-party client sees it, over a real node
 * (engine, service, server on a free port). Time is a {@link ManualClock} shared by the engine, the
 * service and the server, so TTLs expire when the test says.
 */
class GrpcServerTest {
  private static final long START_MILLIS = 1_700_000_000_000L;

  @TempDir Path directory;

  private final ManualClock clock = new ManualClock(0, START_MILLIS);
  private GrpcTestNode node;
  private ManagedChannel channel;

  @BeforeEach
  void startNode() throws Exception {
    node = GrpcTestNode.start(directory, clock);
    channel = channelTo(node.port());
  }

  @AfterEach
  void stopNode() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    node.close();
  }

  private static ManagedChannel channelTo(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port)
        .usePlaintext()
        .maxInboundMessageSize(16 << 20)
        .build();
  }

  private KVGrpc.KVBlockingStub kv() {
    return KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static ByteString bytes(String text) {
    return ByteString.copyFromUtf8(text);
  }

  private PutResponse put(String key, String value) {
    return kv().put(PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(value)).build());
  }

  private GetResponse get(String key) {
    return kv().get(GetRequest.newBuilder().setKey(bytes(key)).build());
  }

  private static ErrorInfo errorInfo(StatusRuntimeException e) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertThat(status).as("google.rpc.Status in the trailers").isNotNull();
    try {
      return status.getDetails(0).unpack(ErrorInfo.class);
    } catch (InvalidProtocolBufferException ex) {
      throw new AssertionError(ex);
    }
  }

  private static StatusRuntimeException failure(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("the call succeeded; expected a gRPC error");
  }

  @Test
  void get_absentKeyHasNoValue() {
    assertThat(get("missing").hasValue()).isFalse();
  }

  @Test
  void put_thenGetReturnsValueAndTimestamp() {
    PutResponse put = put("greeting", "hello");
    assertThat(put.getApplied()).isTrue();
    assertThat(put.getTimestamp()).isEqualTo(START_MILLIS * 1_000);
    assertThat(put.getExpiresAtMs()).isZero();
    assertThat(put.getCausalContext()).isEmpty();
    assertThat(put.hasPrevious()).isFalse();

    GetResponse got = get("greeting");
    assertThat(got.hasValue()).isTrue();
    assertThat(got.getValue().getData().toStringUtf8()).isEqualTo("hello");
    assertThat(got.getValue().getTimestamp()).isEqualTo(put.getTimestamp());
    assertThat(got.getValue().getExpiresAtMs()).isZero();
  }

  @Test
  void put_binaryKeysAndValuesRoundTrip() {
    byte[] every = new byte[256];
    for (int i = 0; i < every.length; i++) {
      every[i] = (byte) i;
    }
    ByteString key = ByteString.copyFrom(every);
    ByteString value = ByteString.copyFrom(new byte[] {0, (byte) 0xff, '\r', '\n', 0});
    kv().put(PutRequest.newBuilder().setKey(key).setValue(value).build());
    kv().put(PutRequest.newBuilder().setKey(ByteString.EMPTY).setValue(bytes("empty key")).build());
    kv().put(PutRequest.newBuilder().setKey(bytes("empty value")).build());

    assertThat(kv().get(GetRequest.newBuilder().setKey(key).build()).getValue().getData())
        .isEqualTo(value);
    assertThat(get("").getValue().getData().toStringUtf8()).isEqualTo("empty key");
    GetResponse emptyValue = get("empty value");
    assertThat(emptyValue.hasValue()).isTrue();
    assertThat(emptyValue.getValue().getData()).isEmpty();
  }

  @Test
  void put_ifAbsentAppliesOnlyWhenTheKeyIsAbsent() {
    PutRequest ifAbsent =
        PutRequest.newBuilder()
            .setKey(bytes("k"))
            .setValue(bytes("first"))
            .setCondition(WriteCondition.WRITE_CONDITION_IF_ABSENT)
            .build();
    assertThat(kv().put(ifAbsent).getApplied()).isTrue();
    PutResponse second = kv().put(ifAbsent.toBuilder().setValue(bytes("second")).build());
    assertThat(second.getApplied()).isFalse();
    assertThat(second.getTimestamp()).isZero();
    assertThat(get("k").getValue().getData().toStringUtf8()).isEqualTo("first");
  }

  @Test
  void put_ifPresentAppliesOnlyWhenTheKeyIsPresent() {
    PutRequest ifPresent =
        PutRequest.newBuilder()
            .setKey(bytes("k"))
            .setValue(bytes("v"))
            .setCondition(WriteCondition.WRITE_CONDITION_IF_PRESENT)
            .build();
    assertThat(kv().put(ifPresent).getApplied()).isFalse();
    assertThat(get("k").hasValue()).isFalse();
    put("k", "old");
    assertThat(kv().put(ifPresent).getApplied()).isTrue();
    assertThat(get("k").getValue().getData().toStringUtf8()).isEqualTo("v");
  }

  @Test
  void put_returnPreviousCarriesTheReplacedValue() {
    PutRequest.Builder request = PutRequest.newBuilder().setKey(bytes("k")).setReturnPrevious(true);
    assertThat(kv().put(request.setValue(bytes("one")).build()).hasPrevious()).isFalse();
    PutResponse second = kv().put(request.setValue(bytes("two")).build());
    assertThat(second.hasPrevious()).isTrue();
    assertThat(second.getPrevious().getData().toStringUtf8()).isEqualTo("one");
    assertThat(second.getPrevious().getTimestamp()).isPositive();
  }

  @Test
  void put_ttlExpiresWithTheClock() {
    PutResponse put =
        kv().put(
                PutRequest.newBuilder()
                    .setKey(bytes("session"))
                    .setValue(bytes("token"))
                    .setTtlMs(10_000)
                    .build());
    assertThat(put.getExpiresAtMs()).isEqualTo(START_MILLIS + 10_000);
    assertThat(get("session").getValue().getExpiresAtMs()).isEqualTo(START_MILLIS + 10_000);

    clock.advanceNanos(TimeUnit.MILLISECONDS.toNanos(9_999));
    assertThat(get("session").hasValue()).isTrue();
    clock.advanceNanos(TimeUnit.MILLISECONDS.toNanos(1));
    assertThat(get("session").hasValue()).isFalse();
  }

  @Test
  void put_expiresAtInThePastDeletesTheKey() {
    put("k", "v");
    PutResponse put =
        kv().put(
                PutRequest.newBuilder()
                    .setKey(bytes("k"))
                    .setValue(bytes("w"))
                    .setExpiresAtMs(START_MILLIS - 1)
                    .build());
    assertThat(put.getApplied()).isTrue();
    assertThat(get("k").hasValue()).isFalse();
  }

  @Test
  void put_keepTtlKeepsTheReplacedValuesExpiry() {
    kv().put(
            PutRequest.newBuilder()
                .setKey(bytes("k"))
                .setValue(bytes("v1"))
                .setExpiresAtMs(START_MILLIS + 5_000)
                .build());
    PutResponse kept =
        kv().put(
                PutRequest.newBuilder()
                    .setKey(bytes("k"))
                    .setValue(bytes("v2"))
                    .setKeepTtl(true)
                    .build());
    assertThat(kept.getExpiresAtMs()).isEqualTo(START_MILLIS + 5_000);
    assertThat(kept.hasPrevious()).as("previous only when asked").isFalse();
    assertThat(get("k").getValue().getExpiresAtMs()).isEqualTo(START_MILLIS + 5_000);
    assertThat(get("k").getValue().getData().toStringUtf8()).isEqualTo("v2");
  }

  @Test
  void putAndDelete_negativeSessionTimestampIsInvalidAndWritesNothing() {
    StatusRuntimeException put =
        failure(
            () ->
                kv().put(
                        PutRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setValue(bytes("v"))
                            .setSessionTimestamp(-1)
                            .build()));
    StatusRuntimeException delete =
        failure(
            () ->
                kv().delete(
                        DeleteRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setSessionTimestamp(-1)
                            .build()));

    for (StatusRuntimeException e : List.of(put, delete)) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription())
          .contains("session_timestamp must be 0 (none) or a timestamp from a response, was -1");
    }
    assertThat(get("k").hasValue()).isFalse();
  }

  @Test
  void put_nonPositiveTtlIsInvalidAndStoresNothing() {
    StatusRuntimeException e =
        failure(
            () ->
                kv().put(
                        PutRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setValue(bytes("v"))
                            .setTtlMs(0)
                            .build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("ttl_ms must be positive");
    assertThat(get("k").hasValue()).isFalse();
  }

  @Test
  void delete_removesTheKeyAndReturnsThePreviousValue() {
    put("k", "v");
    DeleteResponse deleted =
        kv().delete(DeleteRequest.newBuilder().setKey(bytes("k")).setReturnPrevious(true).build());
    assertThat(deleted.getApplied()).isTrue();
    assertThat(deleted.getTimestamp()).isPositive();
    assertThat(deleted.getPrevious().getData().toStringUtf8()).isEqualTo("v");
    assertThat(get("k").hasValue()).isFalse();

    DeleteResponse again =
        kv().delete(DeleteRequest.newBuilder().setKey(bytes("k")).setReturnPrevious(true).build());
    assertThat(again.hasPrevious()).isFalse();
  }

  @Test
  void multiGet_answersInTheOrderOfTheKeys() {
    put("a", "1");
    put("c", "3");
    MultiGetResponse response =
        kv().multiGet(
                MultiGetRequest.newBuilder()
                    .addKeys(bytes("c"))
                    .addKeys(bytes("b"))
                    .addKeys(bytes("a"))
                    .addKeys(bytes("c"))
                    .build());
    assertThat(response.getResultsList())
        .extracting(r -> r.hasValue() ? r.getValue().getData().toStringUtf8() : null)
        .containsExactly("3", null, "1", "3");
  }

  @Test
  void multiGet_tooManyOrNoKeysIsInvalid() {
    MultiGetRequest.Builder tooMany = MultiGetRequest.newBuilder();
    for (int i = 0; i <= RequestChecks.MULTI_GET_KEYS_MAX; i++) {
      tooMany.addKeys(bytes("k" + i));
    }
    StatusRuntimeException many = failure(() -> kv().multiGet(tooMany.build()));
    assertThat(many.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(many.getStatus().getDescription()).contains("1 to 1024 keys");

    StatusRuntimeException none =
        failure(() -> kv().multiGet(MultiGetRequest.getDefaultInstance()));
    assertThat(none.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void multiGet_oversizedKeyNamesItsIndexAndTheLimit() {
    StatusRuntimeException e =
        failure(
            () ->
                kv().multiGet(
                        MultiGetRequest.newBuilder()
                            .addKeys(bytes("fine"))
                            .addKeys(ByteString.copyFrom(new byte[1025]))
                            .build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("keys[1] of 1025 bytes exceeds limits.key_bytes_max (1024)");
  }

  private List<String> putNumberedKeys(int count) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String key = String.format("key-%05d", i);
      put(key, "value-" + i);
      keys.add(key);
    }
    return keys;
  }

  @Test
  void scan_streamsEveryKeyExactlyOnce() {
    List<String> expected = putNumberedKeys(3_000);

    Iterator<ScanResponse> stream = kv().scan(ScanRequest.newBuilder().setPageSize(250).build());
    List<String> seen = new ArrayList<>();
    List<ScanResponse> messages = new ArrayList<>();
    stream.forEachRemaining(messages::add);
    for (ScanResponse message : messages) {
      assertThat(message.getEntriesCount()).isBetween(1, 250);
      for (ScanEntry entry : message.getEntriesList()) {
        seen.add(entry.getKey().toStringUtf8());
        assertThat(entry.getValue().getData().toStringUtf8())
            .isEqualTo("value-" + Integer.parseInt(entry.getKey().toStringUtf8().substring(4)));
      }
    }
    // Token order, not key order: the contract is every key exactly once.
    assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(messages).hasSize(12);
    assertThat(messages.get(messages.size() - 1).getCursor()).isEqualTo("0");
    assertThat(messages.get(0).getCursor()).isNotEqualTo("0");
  }

  @Test
  void scan_limitStopsTheCallAndTheCursorResumesIt() {
    List<String> expected = putNumberedKeys(3_000);

    List<String> seen = new ArrayList<>();
    String cursor = "0";
    int calls = 0;
    do {
      Iterator<ScanResponse> stream =
          kv().scan(ScanRequest.newBuilder().setCursor(cursor).setLimit(700).build());
      int entriesThisCall = 0;
      while (stream.hasNext()) {
        ScanResponse message = stream.next();
        message.getEntriesList().forEach(e -> seen.add(e.getKey().toStringUtf8()));
        entriesThisCall += message.getEntriesCount();
        cursor = message.getCursor();
      }
      assertThat(entriesThisCall).isLessThanOrEqualTo(700);
      calls++;
    } while (!cursor.equals("0"));

    assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(calls).isEqualTo(5);
  }

  @Test
  void scan_largeValuesAreCutIntoMessagesOfAtMostOneMebibyte() {
    ByteString big = ByteString.copyFrom(new byte[300 << 10]);
    for (int i = 0; i < 10; i++) {
      kv().put(PutRequest.newBuilder().setKey(bytes("big-" + i)).setValue(big).build());
    }
    List<ScanResponse> messages = new ArrayList<>();
    kv().scan(ScanRequest.newBuilder().setPageSize(1000).build()).forEachRemaining(messages::add);
    assertThat(messages).allSatisfy(m -> assertThat(m.getSerializedSize()).isLessThan(1 << 20));
    assertThat(messages.stream().mapToInt(ScanResponse::getEntriesCount).sum()).isEqualTo(10);
    assertThat(messages).hasSizeGreaterThan(3);
  }

  @Test
  void scan_emptyDatabaseSendsOneFinalMessage() {
    List<ScanResponse> messages = new ArrayList<>();
    kv().scan(ScanRequest.getDefaultInstance()).forEachRemaining(messages::add);
    assertThat(messages).hasSize(1);
    assertThat(messages.get(0).getEntriesCount()).isZero();
    assertThat(messages.get(0).getCursor()).isEqualTo("0");
  }

  @Test
  void scan_badCursorAndPageSizeAreInvalid() {
    StatusRuntimeException cursor =
        failure(() -> kv().scan(ScanRequest.newBuilder().setCursor("zz").build()).hasNext());
    assertThat(cursor.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(cursor.getStatus().getDescription()).contains("invalid cursor 'zz'");

    StatusRuntimeException pageSize =
        failure(() -> kv().scan(ScanRequest.newBuilder().setPageSize(1001).build()).hasNext());
    assertThat(pageSize.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(pageSize.getStatus().getDescription()).contains("page_size 1001");
  }

  @Test
  void put_oversizedKeyIsInvalidArgumentNamingTheLimitAndStoresNothing() {
    StatusRuntimeException e =
        failure(
            () ->
                kv().put(
                        PutRequest.newBuilder()
                            .setKey(ByteString.copyFrom(new byte[1025]))
                            .setValue(bytes("v"))
                            .build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("key of 1025 bytes exceeds limits.key_bytes_max (1024)");
    ErrorInfo info = errorInfo(e);
    assertThat(info.getDomain()).isEqualTo("ringkv.io");
    assertThat(info.getReason()).isEqualTo("INVALID_REQUEST");
    assertThat(info.getMetadataMap()).containsEntry("limit", "limits.key_bytes_max");
    assertThat(kv().scan(ScanRequest.getDefaultInstance()).next().getEntriesCount()).isZero();
  }

  @Test
  void put_oversizedValueIsInvalidArgumentNamingTheLimitAndStoresNothing() {
    put("k", "original");
    StatusRuntimeException e =
        failure(
            () ->
                kv().put(
                        PutRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setValue(ByteString.copyFrom(new byte[(1 << 20) + 1]))
                            .build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("value of 1048577 bytes exceeds limits.value_bytes_max (1048576)");
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("limit", "limits.value_bytes_max");
    assertThat(get("k").getValue().getData().toStringUtf8()).isEqualTo("original");
  }

  @Test
  void put_valueOfExactlyTheLimitIsStored() {
    ByteString largest = ByteString.copyFrom(new byte[1 << 20]);
    kv().put(
            PutRequest.newBuilder()
                .setKey(ByteString.copyFrom(new byte[1024]))
                .setValue(largest)
                .build());
    assertThat(
            kv().get(GetRequest.newBuilder().setKey(ByteString.copyFrom(new byte[1024])).build())
                .getValue()
                .getData())
        .isEqualTo(largest);
  }

  @Test
  void get_oversizedKeyIsInvalidArgument() {
    StatusRuntimeException e =
        failure(
            () ->
                kv().get(
                        GetRequest.newBuilder()
                            .setKey(ByteString.copyFrom(new byte[2000]))
                            .build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("limits.key_bytes_max (1024)");
  }

  @Test
  void messageOverTheGrpcLimit_isRefusedAndStoresNothing() {
    StatusRuntimeException e =
        failure(
            () ->
                kv().put(
                        PutRequest.newBuilder()
                            .setKey(bytes("huge"))
                            .setValue(ByteString.copyFrom(new byte[5 << 20]))
                            .build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getStatus().getDescription()).contains(String.valueOf(4 << 20));
    assertThat(get("huge").hasValue()).isFalse();
    assertThat(put("after", "ok").getApplied()).as("the connection still serves").isTrue();
  }

  @Test
  void consistency_unknownNumberIsInvalidArgument() {
    StatusRuntimeException read =
        failure(
            () ->
                kv().get(
                        GetRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setConsistencyValue(42)
                            .build()));
    assertThat(read.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(read.getStatus().getDescription())
        .startsWith("consistency 42 is not a known level; allowed: UNSPECIFIED (0), ONE (1)");

    StatusRuntimeException write =
        failure(
            () ->
                kv().put(
                        PutRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setValue(bytes("v"))
                            .setConsistencyValue(-1)
                            .build()));
    assertThat(write.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(get("k").hasValue()).isFalse();
  }

  @Test
  void consistency_anyIsForWritesOnly() {
    PutResponse put =
        kv().put(
                PutRequest.newBuilder()
                    .setKey(bytes("k"))
                    .setValue(bytes("v"))
                    .setConsistency(ConsistencyLevel.CONSISTENCY_LEVEL_ANY)
                    .build());
    assertThat(put.getApplied()).isTrue();
    StatusRuntimeException read =
        failure(
            () ->
                kv().get(
                        GetRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setConsistency(ConsistencyLevel.CONSISTENCY_LEVEL_ANY)
                            .build()));
    assertThat(read.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(read.getStatus().getDescription()).contains("ANY is for writes only");
    assertThat(
            kv().get(
                    GetRequest.newBuilder()
                        .setKey(bytes("k"))
                        .setConsistency(ConsistencyLevel.CONSISTENCY_LEVEL_QUORUM)
                        .build())
                .hasValue())
        .isTrue();
  }

  @Test
  void put_unknownConditionNumberIsInvalid() {
    StatusRuntimeException e =
        failure(
            () ->
                kv().put(
                        PutRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setValue(bytes("v"))
                            .setConditionValue(7)
                            .build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("condition 7");
  }

  @Test
  void causalFieldsInTheDefaultKeyspace_areAcceptedAndBounded() {
    PutResponse put =
        kv().put(
                PutRequest.newBuilder()
                    .setKey(bytes("k"))
                    .setValue(bytes("v"))
                    .setCausalContext(bytes("opaque"))
                    .setIdempotencyKey("retry-1")
                    .build());
    assertThat(put.getApplied()).isTrue();
    StatusRuntimeException e =
        failure(
            () ->
                kv().put(
                        PutRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setValue(bytes("v"))
                            .setIdempotencyKey("x".repeat(65))
                            .build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .contains("idempotency_key of 65 bytes exceeds its maximum (64)");
  }

  @Test
  void health_reportsServingForTheServerAndTheKvService() {
    HealthGrpc.HealthBlockingStub health =
        HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(
            health
                .check(HealthCheckRequest.newBuilder().setService("ringkv.v1.KV").build())
                .getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void reflection_listsTheKvService() throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse response) {
                    answer.complete(response);
                  }

                  @Override
                  public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();
    assertThat(answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList())
        .extracting(ServiceResponse::getName)
        .contains("ringkv.v1.KV", "grpc.health.v1.Health");
  }

  @Test
  void metrics_recordEachMethodAsTheGrpcFrontEnd() {
    put("k", "v");
    get("k");
    failure(
        () -> kv().get(GetRequest.newBuilder().setKey(bytes("k")).setConsistencyValue(99).build()));
    String scrape = node.metrics().scrape();
    assertThat(scrape)
        .contains("frontend=\"grpc\",operation=\"put\",outcome=\"ok\"")
        .contains("frontend=\"grpc\",operation=\"get\",outcome=\"ok\"")
        .contains("frontend=\"grpc\",operation=\"get\",outcome=\"error\"");
  }

  @Test
  void maxConnections_callsOverTheLimitAreRefusedWithUnavailable() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    node.close();
    node =
        GrpcTestNode.start(
            directory.resolve("limited"), clock, new ListenerConfig("127.0.0.1", 0, 1, 0));
    channel = channelTo(node.port());
    assertThat(put("k", "v").getApplied()).isTrue();

    ManagedChannel second = channelTo(node.port());
    try {
      StatusRuntimeException e =
          failure(
              () ->
                  KVGrpc.newBlockingStub(second)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .get(GetRequest.newBuilder().setKey(bytes("k")).build()));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription()).contains("max_connections 1");
      assertThat(errorInfo(e).getReason()).isEqualTo("MAX_CONNECTIONS");
      assertThat(get("k").hasValue()).as("the first connection still serves").isTrue();
    } finally {
      second.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void idleTimeout_closesAConnectionWithoutCallsAndTheClientReconnects() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    node.close();
    node =
        GrpcTestNode.start(
            directory.resolve("idle"), clock, new ListenerConfig("127.0.0.1", 0, 100, 200));
    channel = channelTo(node.port());
    assertThat(put("k", "v").getApplied()).isTrue();
    assertThat(channel.getState(false)).isEqualTo(ConnectivityState.READY);

    // The server's GOAWAY after 200 ms without calls turns the channel IDLE; wait for that
    // state change, bounded.
    long deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (channel.getState(false) == ConnectivityState.READY) {
      CountDownLatch changed = new CountDownLatch(1);
      channel.notifyWhenStateChanged(ConnectivityState.READY, changed::countDown);
      assertThat(
              changed.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS))
          .as("the idle connection is closed within 30 s")
          .isTrue();
    }
    assertThat(node.server().openConnections()).isLessThanOrEqualTo(1);
    assertThat(get("k").getValue().getData().toStringUtf8()).isEqualTo("v");
  }

  @Test
  void limits_grpcMessageMustHoldTheLargestKeyAndValue() {
    LimitsConfig tooSmall =
        new LimitsConfig(1024, 1 << 20, (1 << 20) + 1024, 1 << 16, 64 << 10, 4 << 20, 1 << 20);
    assertThatThrownBy(
            () ->
                new GrpcServer(
                    ListenerConfig.of("127.0.0.1", 0), tooSmall, node.service(), node.metrics()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limits.grpc_message_bytes_max (1048576) must hold");
  }

  @Test
  void keys_areUtf8AgnosticBytes() {
    kv().put(
            PutRequest.newBuilder()
                .setKey(ByteString.copyFrom("ключ", StandardCharsets.UTF_8))
                .setValue(ByteString.copyFrom(new byte[] {(byte) 0xc3, 0x28}))
                .build());
    assertThat(get("ключ").getValue().getData().toByteArray()).containsExactly((byte) 0xc3, 0x28);
  }
}
