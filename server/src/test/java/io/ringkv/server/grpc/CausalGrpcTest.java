package io.ringkv.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.cluster.version.Actor;
import io.ringkv.cluster.version.CausalCodec;
import io.ringkv.cluster.version.VersionVector;
import io.ringkv.common.ManualClock;
import io.ringkv.proto.v1.ConsistencyLevel;
import io.ringkv.proto.v1.DeleteRequest;
import io.ringkv.proto.v1.DeleteResponse;
import io.ringkv.proto.v1.GetRequest;
import io.ringkv.proto.v1.GetResponse;
import io.ringkv.proto.v1.IncrementRequest;
import io.ringkv.proto.v1.IncrementResponse;
import io.ringkv.proto.v1.KVGrpc;
import io.ringkv.proto.v1.MultiGetRequest;
import io.ringkv.proto.v1.PutRequest;
import io.ringkv.proto.v1.PutResponse;
import io.ringkv.proto.v1.ScanRequest;
import io.ringkv.proto.v1.SetAddRequest;
import io.ringkv.proto.v1.SetChangeResponse;
import io.ringkv.proto.v1.SetMembersRequest;
import io.ringkv.proto.v1.SetMembersResponse;
import io.ringkv.proto.v1.SetRemoveRequest;
import io.ringkv.proto.v1.WriteCondition;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.CausalWriteOutcome;
import io.ringkv.server.kv.KvException;
import io.ringkv.server.kv.Mutation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC front end's causal keyspaces through generated stubs, as a client in any language sees
 * them: a real server on a free port over a {@link RecordingCausalService}, whose scripted answers
 * stand for the service and whose recorded calls show what the front end asked of it.
 */
class CausalGrpcTest {
  static final byte[] CONTEXT =
      CausalCodec.encodeContext(VersionVector.of(Map.of(Actor.of("n1", 1), 3L)));
  static final byte[] NEW_CONTEXT =
      CausalCodec.encodeContext(VersionVector.of(Map.of(Actor.of("n1", 1), 4L)));

  @TempDir Path directory;

  private final ManualClock clock = new ManualClock(0, 1_700_000_000_000L);
  private RecordingCausalService service;
  private GrpcTestNode node;
  private ManagedChannel channel;

  @BeforeEach
  void startNode() throws Exception {
    node =
        GrpcTestNode.start(
            directory,
            clock,
            LimitsConfig.defaults(),
            local -> {
              service =
                  new RecordingCausalService(local)
                      .withKeyspace("shop", ConflictMode.CAUSAL)
                      .withKeyspace("cache", ConflictMode.LWW);
              return service;
            });
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", node.port())
            .usePlaintext()
            .maxInboundMessageSize(16 << 20)
            .build();
  }

  @AfterEach
  void stopNode() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    node.close();
  }

  @Test
  void get_concurrentWritesAnswerTheNewestWithContextAndEverySibling() {
    service.answerRead(
        new CausalValue.Register(
            CONTEXT,
            List.of(new CausalValue.Sibling(utf8("blue"), 20), new CausalValue.Sibling(null, 10))));

    GetResponse response =
        kv().get(
                GetRequest.newBuilder()
                    .setKey(bytes("colour"))
                    .setKeyspace("shop")
                    .setConsistency(ConsistencyLevel.CONSISTENCY_LEVEL_ALL)
                    .build());

    assertThat(response.getValue().getData().toStringUtf8()).isEqualTo("blue");
    assertThat(response.getValue().getTimestamp()).isEqualTo(20);
    assertThat(response.getCausalContext().toByteArray()).isEqualTo(CONTEXT);
    assertThat(response.getValue().getCausalContext().toByteArray()).isEqualTo(CONTEXT);
    assertThat(response.getSiblingsList()).hasSize(2);
    assertThat(response.getSiblings(0).getValue().toStringUtf8()).isEqualTo("blue");
    assertThat(response.getSiblings(0).getDeleted()).isFalse();
    assertThat(response.getSiblings(1).getDeleted()).isTrue();
    assertThat(response.getSiblings(1).getTimestamp()).isEqualTo(10);
    RecordingCausalService.Call call = service.lastCall();
    assertThat(call.operation()).isEqualTo("read_causal");
    assertThat(call.keyspace()).isEqualTo("shop");
    assertThat(call.readOptions().consistency()).isEqualTo(io.ringkv.common.ConsistencyLevel.ALL);
  }

  @Test
  void get_oneSiblingHasNoSiblingList() {
    service.answerRead(
        new CausalValue.Register(CONTEXT, List.of(new CausalValue.Sibling(utf8("v"), 5))));

    GetResponse response = getIn("shop", "k");

    assertThat(response.getValue().getData().toStringUtf8()).isEqualTo("v");
    assertThat(response.getSiblingsList()).isEmpty();
    assertThat(response.getCausalContext().toByteArray()).isEqualTo(CONTEXT);
  }

  @Test
  void get_deletedNewestSiblingHasNoValueButTheContext() {
    service.answerRead(
        new CausalValue.Register(CONTEXT, List.of(new CausalValue.Sibling(null, 7))));

    GetResponse response = getIn("shop", "k");

    assertThat(response.hasValue()).isFalse();
    assertThat(response.getCausalContext().toByteArray()).isEqualTo(CONTEXT);
  }

  @Test
  void get_absentKeyCarriesItsContext() {
    service.answerRead(new CausalValue.Absent(CONTEXT));

    GetResponse response = getIn("shop", "k");

    assertThat(response.hasValue()).isFalse();
    assertThat(response.getCausalContext().toByteArray()).isEqualTo(CONTEXT);
  }

  @Test
  void get_counterReadsAsDecimalText() {
    service.answerRead(new CausalValue.Counter(CONTEXT, -12));

    assertThat(getIn("shop", "visits").getValue().getData().toStringUtf8()).isEqualTo("-12");
  }

  @Test
  void get_setIsWrongType() {
    service.answerRead(new CausalValue.Set(CONTEXT, List.of(utf8("a"))));

    StatusRuntimeException e = failure(() -> getIn("shop", "tags"));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(e).getReason()).isEqualTo("WRONG_TYPE");
    assertThat(e.getStatus().getDescription()).contains("WRONGTYPE").contains("SetMembers");
  }

  @Test
  void get_lastWriteWinsKeyspaceTakesThePlainRead() {
    GetResponse response = getIn("cache", "k");

    assertThat(response.hasValue()).isFalse();
    assertThat(service.lastCall().operation()).isEqualTo("get");
    assertThat(service.lastCall().keyspace()).isEqualTo("cache");
  }

  @Test
  void defaultKeyspace_behavesAsBeforeThroughThePlainCalls() {
    PutResponse put =
        kv().put(
                PutRequest.newBuilder()
                    .setKey(bytes("k"))
                    .setValue(bytes("v"))
                    .setCausalContext(bytes("ignored in lww"))
                    .build());
    GetResponse get = kv().get(GetRequest.newBuilder().setKey(bytes("k")).build());

    assertThat(put.getApplied()).isTrue();
    assertThat(put.getCausalContext().isEmpty()).isTrue();
    assertThat(get.getValue().getData().toStringUtf8()).isEqualTo("v");
    assertThat(get.getCausalContext().isEmpty()).isTrue();
    assertThat(get.getSiblingsList()).isEmpty();
    assertThat(service.calls())
        .extracting(RecordingCausalService.Call::operation)
        .containsExactly("write", "get");
    assertThat(service.calls()).allSatisfy(call -> assertThat(call.keyspace()).isNull());
  }

  @Test
  void put_withContextWritesCausallyAndAnswersTheNewContext() {
    service.answerWrite(
        new CausalWriteOutcome(
            new CausalValue.Register(
                NEW_CONTEXT,
                List.of(
                    new CausalValue.Sibling(utf8("other"), 40),
                    new CausalValue.Sibling(utf8("mine"), 30))),
            0,
            false));

    PutResponse response =
        kv().put(
                PutRequest.newBuilder()
                    .setKey(bytes("k"))
                    .setValue(bytes("mine"))
                    .setKeyspace("shop")
                    .setCausalContext(ByteString.copyFrom(CONTEXT))
                    .setIdempotencyKey("retry-7")
                    .setConsistency(ConsistencyLevel.CONSISTENCY_LEVEL_QUORUM)
                    .build());

    assertThat(response.getApplied()).isTrue();
    assertThat(response.getTimestamp()).isEqualTo(30);
    assertThat(response.getCausalContext().toByteArray()).isEqualTo(NEW_CONTEXT);
    RecordingCausalService.Call call = service.lastCall();
    assertThat(call.operation()).isEqualTo("write_causal");
    assertThat(call.keyspace()).isEqualTo("shop");
    assertThat(call.writeOptions().idempotencyKey()).isEqualTo(utf8("retry-7"));
    assertThat(call.writeOptions().consistency())
        .isEqualTo(io.ringkv.common.ConsistencyLevel.QUORUM);
    CausalWrite.Put write = (CausalWrite.Put) call.write();
    assertThat(write.value()).isEqualTo(utf8("mine"));
    assertThat(write.context()).isEqualTo(CONTEXT);
  }

  @Test
  void put_withoutContextIsABlindCausalWrite() {
    service.answerWrite(
        new CausalWriteOutcome(
            new CausalValue.Register(CONTEXT, List.of(new CausalValue.Sibling(utf8("v"), 9))),
            0,
            false));

    kv().put(
            PutRequest.newBuilder()
                .setKey(bytes("k"))
                .setValue(bytes("v"))
                .setKeyspace("shop")
                .build());

    CausalWrite.Put write = (CausalWrite.Put) service.lastCall().write();
    assertThat(write.context()).isEmpty();
    assertThat(service.lastCall().writeOptions().idempotencyKey()).isNull();
  }

  @Test
  void put_damagedContextIsRefusedNamingTheField() {
    byte[] damaged = CONTEXT.clone();
    damaged[damaged.length - 1] ^= 1;

    StatusRuntimeException e =
        failure(
            () ->
                kv().put(
                        PutRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setValue(bytes("v"))
                            .setKeyspace("shop")
                            .setCausalContext(ByteString.copyFrom(damaged))
                            .build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("causal_context");
    assertThat(service.calls()).isEmpty();
  }

  @Test
  void put_contextWithAConditionIsRefused() {
    StatusRuntimeException e =
        failure(
            () ->
                kv().put(
                        PutRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setValue(bytes("v"))
                            .setKeyspace("shop")
                            .setCondition(WriteCondition.WRITE_CONDITION_IF_ABSENT)
                            .setCausalContext(ByteString.copyFrom(CONTEXT))
                            .build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("causal_context cannot be combined with");
    assertThat(service.calls()).isEmpty();
  }

  @Test
  void put_conditionWithoutContextTakesThePlainWriteOfTheKeyspace() {
    PutResponse response =
        kv().put(
                PutRequest.newBuilder()
                    .setKey(bytes("k"))
                    .setValue(bytes("v"))
                    .setKeyspace("shop")
                    .setCondition(WriteCondition.WRITE_CONDITION_IF_ABSENT)
                    .build());

    assertThat(response.getTimestamp()).isEqualTo(RecordingCausalService.PLAIN_WRITE_TIMESTAMP);
    RecordingCausalService.Call call = service.lastCall();
    assertThat(call.operation()).isEqualTo("write");
    assertThat(call.keyspace()).isEqualTo("shop");
    assertThat(call.writeOptions().condition())
        .isEqualTo(io.ringkv.server.kv.WriteOptions.Condition.IF_ABSENT);
  }

  @Test
  void put_lastWriteWinsKeyspacePassesKeyspaceAndIdempotencyKeyToThePlainWrite() {
    kv().put(
            PutRequest.newBuilder()
                .setKey(bytes("k"))
                .setValue(bytes("v"))
                .setKeyspace("cache")
                .setIdempotencyKey("once")
                .build());

    RecordingCausalService.Call call = service.lastCall();
    assertThat(call.operation()).isEqualTo("write");
    assertThat(call.keyspace()).isEqualTo("cache");
    assertThat(call.writeOptions().idempotencyKey()).isEqualTo(utf8("once"));
    assertThat(call.write()).isInstanceOf(Mutation.Put.class);
  }

  @Test
  void put_idempotencyKeyOver64BytesIsRefused() {
    StatusRuntimeException e =
        failure(
            () ->
                kv().put(
                        PutRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setValue(bytes("v"))
                            .setKeyspace("shop")
                            .setIdempotencyKey("k".repeat(65))
                            .build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .contains("idempotency_key of 65 bytes exceeds its maximum (64)");
  }

  @Test
  void everyRequest_badKeyspaceNameIsRefusedNamingIt() {
    List<Runnable> calls =
        List.of(
            () -> getIn("Shop!", "k"),
            () ->
                kv().put(
                        PutRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setValue(bytes("v"))
                            .setKeyspace("Shop!")
                            .build()),
            () ->
                kv().delete(
                        DeleteRequest.newBuilder().setKey(bytes("k")).setKeyspace("Shop!").build()),
            () ->
                kv().multiGet(
                        MultiGetRequest.newBuilder()
                            .addKeys(bytes("k"))
                            .setKeyspace("Shop!")
                            .build()),
            () -> kv().scan(ScanRequest.newBuilder().setKeyspace("Shop!").build()).hasNext(),
            () ->
                kv().increment(
                        IncrementRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setKeyspace("Shop!")
                            .build()),
            () ->
                kv().setMembers(
                        SetMembersRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setKeyspace("Shop!")
                            .build()));
    for (Runnable call : calls) {
      StatusRuntimeException e = failure(call);
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).contains("keyspace 'Shop!'");
    }
    assertThat(service.calls()).isEmpty();
  }

  @Test
  void multiGetAndScan_passTheKeyspace() {
    kv().multiGet(MultiGetRequest.newBuilder().addKeys(bytes("k")).setKeyspace("cache").build());
    kv().scan(ScanRequest.newBuilder().setKeyspace("cache").build()).forEachRemaining(page -> {});

    assertThat(service.calls())
        .extracting(RecordingCausalService.Call::operation, RecordingCausalService.Call::keyspace)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("multi_get", "cache"),
            org.assertj.core.groups.Tuple.tuple("scan", "cache"));
  }

  @Test
  void delete_withContextWritesATombstoneCausally() {
    service.answerWrite(
        new CausalWriteOutcome(
            new CausalValue.Register(NEW_CONTEXT, List.of(new CausalValue.Sibling(null, 55))),
            0,
            false));

    DeleteResponse response =
        kv().delete(
                DeleteRequest.newBuilder()
                    .setKey(bytes("k"))
                    .setKeyspace("shop")
                    .setCausalContext(ByteString.copyFrom(CONTEXT))
                    .build());

    assertThat(response.getApplied()).isTrue();
    assertThat(response.getTimestamp()).isEqualTo(55);
    assertThat(response.getCausalContext().toByteArray()).isEqualTo(NEW_CONTEXT);
    CausalWrite.Delete write = (CausalWrite.Delete) service.lastCall().write();
    assertThat(write.context()).isEqualTo(CONTEXT);
  }

  @Test
  void delete_contextWithReturnPreviousIsRefused() {
    StatusRuntimeException e =
        failure(
            () ->
                kv().delete(
                        DeleteRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setKeyspace("shop")
                            .setReturnPrevious(true)
                            .setCausalContext(ByteString.copyFrom(CONTEXT))
                            .build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("return_previous");
  }

  @Test
  void increment_passesDeltaAndIdempotencyKeyAndAnswersTheValue() {
    service.answerWrite(new CausalWriteOutcome(new CausalValue.Counter(CONTEXT, 15), 0, true));

    IncrementResponse response =
        kv().increment(
                IncrementRequest.newBuilder()
                    .setKey(bytes("visits"))
                    .setDelta(5)
                    .setKeyspace("shop")
                    .setIdempotencyKey("click-1")
                    .build());

    assertThat(response.getValue()).isEqualTo(15);
    assertThat(response.getDuplicate()).isTrue();
    assertThat(response.getCausalContext().toByteArray()).isEqualTo(CONTEXT);
    RecordingCausalService.Call call = service.lastCall();
    assertThat(((CausalWrite.Increment) call.write()).delta()).isEqualTo(5);
    assertThat(call.writeOptions().idempotencyKey()).isEqualTo(utf8("click-1"));
    assertThat(call.keyspace()).isEqualTo("shop");
  }

  @Test
  void increment_decimalDeltaIsAnExactFloatIncrement_andTheExactValueIsAnswered() {
    service.answerWrite(
        new CausalWriteOutcome(
            new CausalValue.Counter(CONTEXT, 10, new java.math.BigDecimal("10.50")), 0, false));

    IncrementResponse response =
        kv().increment(
                IncrementRequest.newBuilder()
                    .setKey(bytes("price"))
                    .setDecimalDelta("-5.0e-1")
                    .setKeyspace("shop")
                    .build());

    assertThat(response.getExactValue()).isEqualTo("10.5");
    assertThat(response.getValue()).as("rounded toward zero").isEqualTo(10);
    assertThat(((CausalWrite.IncrementFloat) service.lastCall().write()).delta())
        .isEqualByComparingTo(new java.math.BigDecimal("-0.5"));
  }

  @Test
  void increment_badDecimalDeltaOrBothDeltasAreRefusedNamingTheField() {
    for (IncrementRequest request :
        List.of(
            IncrementRequest.newBuilder()
                .setKey(bytes("k"))
                .setKeyspace("shop")
                .setDecimalDelta("1.5x")
                .build(),
            IncrementRequest.newBuilder()
                .setKey(bytes("k"))
                .setKeyspace("shop")
                .setDecimalDelta("inf")
                .build(),
            IncrementRequest.newBuilder()
                .setKey(bytes("k"))
                .setKeyspace("shop")
                .setDelta(1)
                .setDecimalDelta("1.5")
                .build())) {
      StatusRuntimeException e = failure(() -> kv().increment(request));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).contains("decimal_delta");
    }
  }

  @Test
  void increment_integerCounterAnswersItsValueAsExactTextToo() {
    service.answerWrite(new CausalWriteOutcome(new CausalValue.Counter(CONTEXT, 42), 0, false));
    IncrementResponse response =
        kv().increment(
                IncrementRequest.newBuilder()
                    .setKey(bytes("k"))
                    .setDelta(1)
                    .setKeyspace("shop")
                    .build());
    assertThat(response.getValue()).isEqualTo(42);
    assertThat(response.getExactValue()).isEqualTo("42");
  }

  @Test
  void increment_serviceRefusalsKeepTheirKinds() {
    service.failNext(
        new KvException(KvException.Kind.CONFLICT, "increment would overflow a 64-bit counter"));
    service.failNext(
        new KvException(
            KvException.Kind.WRONG_TYPE,
            "WRONGTYPE Operation against a key holding the wrong kind of value"));
    service.failNext(new KvException(KvException.Kind.NO_SUCH_KEYSPACE, "no keyspace nope"));
    service.failNext(
        new KvException(
            KvException.Kind.INVALID_REQUEST, "keyspace default is conflicts: lww; counters..."));
    IncrementRequest request =
        IncrementRequest.newBuilder().setKey(bytes("k")).setDelta(1).setKeyspace("nope").build();

    StatusRuntimeException overflow = failure(() -> kv().increment(request));
    StatusRuntimeException wrongType = failure(() -> kv().increment(request));
    StatusRuntimeException missing = failure(() -> kv().increment(request));
    StatusRuntimeException lww = failure(() -> kv().increment(request));

    assertThat(overflow.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(overflow).getReason()).isEqualTo("CONFLICT");
    assertThat(wrongType.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(wrongType).getReason()).isEqualTo("WRONG_TYPE");
    assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(errorInfo(missing).getReason()).isEqualTo("NO_SUCH_KEYSPACE");
    assertThat(lww.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void setAddAndRemove_passMembersAndContextAndAnswerTheChangeCount() {
    service.answerWrite(
        new CausalWriteOutcome(new CausalValue.Set(CONTEXT, List.of(utf8("a"))), 2, false));
    service.answerWrite(
        new CausalWriteOutcome(new CausalValue.Set(NEW_CONTEXT, List.of()), 1, false));

    SetChangeResponse added =
        kv().setAdd(
                SetAddRequest.newBuilder()
                    .setKey(bytes("tags"))
                    .setKeyspace("shop")
                    .addMembers(bytes("a"))
                    .addMembers(bytes("b"))
                    .build());
    SetChangeResponse removed =
        kv().setRemove(
                SetRemoveRequest.newBuilder()
                    .setKey(bytes("tags"))
                    .setKeyspace("shop")
                    .addMembers(bytes("a"))
                    .setCausalContext(ByteString.copyFrom(CONTEXT))
                    .build());

    assertThat(added.getChanged()).isEqualTo(2);
    assertThat(added.getCausalContext().toByteArray()).isEqualTo(CONTEXT);
    assertThat(removed.getChanged()).isEqualTo(1);
    List<RecordingCausalService.Call> calls = service.calls();
    CausalWrite.SetAdd add = (CausalWrite.SetAdd) calls.get(0).write();
    assertThat(add.members()).containsExactly(utf8("a"), utf8("b"));
    CausalWrite.SetRemove remove = (CausalWrite.SetRemove) calls.get(1).write();
    assertThat(remove.members()).containsExactly(utf8("a"));
    assertThat(remove.context()).isEqualTo(CONTEXT);
  }

  @Test
  void setAdd_noMembersOrAnOversizedMemberIsRefused() {
    StatusRuntimeException none =
        failure(
            () ->
                kv().setAdd(
                        SetAddRequest.newBuilder().setKey(bytes("k")).setKeyspace("shop").build()));
    StatusRuntimeException oversized =
        failure(
            () ->
                kv().setAdd(
                        SetAddRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setKeyspace("shop")
                            .addMembers(bytes("ok"))
                            .addMembers(
                                ByteString.copyFrom(
                                    new byte[LimitsConfig.defaults().valueBytesMax() + 1]))
                            .build()));

    assertThat(none.getStatus().getDescription()).contains("members has 0 entries");
    assertThat(oversized.getStatus().getDescription())
        .contains("members[1] of")
        .contains("limits.value_bytes_max");
    assertThat(service.calls()).isEmpty();
  }

  @Test
  void setMembers_answersMembersAndContext_andRefusesOtherTypes() {
    service.answerRead(new CausalValue.Set(CONTEXT, List.of(utf8("a"), utf8("b"))));
    service.answerRead(new CausalValue.Absent(new byte[0]));
    service.answerRead(
        new CausalValue.Register(CONTEXT, List.of(new CausalValue.Sibling(utf8("v"), 1))));
    SetMembersRequest request =
        SetMembersRequest.newBuilder().setKey(bytes("tags")).setKeyspace("shop").build();

    SetMembersResponse members = kv().setMembers(request);
    SetMembersResponse absent = kv().setMembers(request);
    StatusRuntimeException register = failure(() -> kv().setMembers(request));

    assertThat(members.getMembersList())
        .extracting(ByteString::toStringUtf8)
        .containsExactly("a", "b");
    assertThat(members.getCausalContext().toByteArray()).isEqualTo(CONTEXT);
    assertThat(absent.getMembersList()).isEmpty();
    assertThat(errorInfo(register).getReason()).isEqualTo("WRONG_TYPE");
  }

  @Test
  void causalWrites_timingOutAreIndeterminate() {
    service.failNext(new KvException(KvException.Kind.TIMEOUT, "2 of 3 answered"));

    StatusRuntimeException e =
        failure(
            () ->
                kv().increment(
                        IncrementRequest.newBuilder()
                            .setKey(bytes("k"))
                            .setKeyspace("shop")
                            .setIdempotencyKey("x")
                            .build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("indeterminate", "true");
  }

  private KVGrpc.KVBlockingStub kv() {
    return KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private GetResponse getIn(String keyspace, String key) {
    return kv().get(GetRequest.newBuilder().setKey(bytes(key)).setKeyspace(keyspace).build());
  }

  static ByteString bytes(String text) {
    return ByteString.copyFromUtf8(text);
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static ErrorInfo errorInfo(StatusRuntimeException e) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertThat(status).as("google.rpc.Status in the trailers").isNotNull();
    try {
      return status.getDetails(0).unpack(ErrorInfo.class);
    } catch (InvalidProtocolBufferException ex) {
      throw new AssertionError(ex);
    }
  }

  static StatusRuntimeException failure(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("the call succeeded; expected a gRPC error");
  }
}
