package io.ringkv.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.RingkvException;
import io.ringkv.common.ManualClock;
import io.ringkv.proto.v1.DeleteRequest;
import io.ringkv.proto.v1.GetRequest;
import io.ringkv.proto.v1.KVGrpc;
import io.ringkv.proto.v1.MultiGetRequest;
import io.ringkv.proto.v1.PutRequest;
import io.ringkv.proto.v1.ScanRequest;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.kv.KvException;
import io.ringkv.server.testing.ScriptedService;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the coordinator's failures reach gRPC callers, on every RPC: UNAVAILABLE (too few live
 * replicas, nothing attempted) is status UNAVAILABLE, TIMEOUT (too few answers in time) is
 * DEADLINE_EXCEEDED, both with the coordinator's message and an ErrorInfo reason; a write's timeout
 * is marked indeterminate. The Java client turns them into its own kinds.
 */
class GrpcCoordinatorFailuresTest {
  private static final String UNAVAILABLE_MESSAGE = "QUORUM needs 2 live replicas of 3, 1 is";
  private static final String TIMEOUT_MESSAGE = "1 of 2 replicas answered in 2000 ms";

  @TempDir Path directory;

  private GrpcTestNode node;
  private ScriptedService service;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    node =
        GrpcTestNode.start(
            directory,
            new ManualClock(0, 1_700_000_000_000L),
            LimitsConfig.defaults(),
            real -> {
              service = new ScriptedService(real);
              return service;
            });
    channel = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    node.close();
  }

  private KVGrpc.KVBlockingStub kv() {
    return KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static final ByteString KEY = ByteString.copyFromUtf8("k");

  /** Each RPC once; {@code write} says whether it writes. */
  private record Rpc(String name, boolean write, Runnable call) {}

  private Rpc[] rpcs() {
    return new Rpc[] {
      new Rpc("get", false, () -> kv().get(GetRequest.newBuilder().setKey(KEY).build())),
      new Rpc(
          "multi_get",
          false,
          () -> kv().multiGet(MultiGetRequest.newBuilder().addKeys(KEY).build())),
      new Rpc(
          "put", true, () -> kv().put(PutRequest.newBuilder().setKey(KEY).setValue(KEY).build())),
      new Rpc("delete", true, () -> kv().delete(DeleteRequest.newBuilder().setKey(KEY).build())),
      new Rpc(
          "scan",
          false,
          () -> kv().scan(ScanRequest.getDefaultInstance()).forEachRemaining(r -> {}))
    };
  }

  private static StatusRuntimeException failure(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("the call succeeded; expected a gRPC error");
  }

  private static ErrorInfo errorInfo(StatusRuntimeException e) {
    try {
      return StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
    } catch (InvalidProtocolBufferException ex) {
      throw new AssertionError(ex);
    }
  }

  @Test
  void unavailable_isStatusUnavailableOnEveryRpc() {
    service.failWith(KvException.Kind.UNAVAILABLE, UNAVAILABLE_MESSAGE);

    for (Rpc rpc : rpcs()) {
      StatusRuntimeException e = failure(rpc.call());

      assertThat(e.getStatus().getCode()).as(rpc.name()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription()).as(rpc.name()).isEqualTo(UNAVAILABLE_MESSAGE);
      assertThat(errorInfo(e).getReason()).isEqualTo(GrpcErrors.REASON_UNAVAILABLE);
      assertThat(errorInfo(e).getMetadataMap()).doesNotContainKey("indeterminate");
    }
  }

  @Test
  void timeout_isDeadlineExceededOnEveryRpc_andAWriteIsIndeterminate() {
    service.failWith(KvException.Kind.TIMEOUT, TIMEOUT_MESSAGE);

    for (Rpc rpc : rpcs()) {
      StatusRuntimeException e = failure(rpc.call());

      assertThat(e.getStatus().getCode()).as(rpc.name()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(errorInfo(e).getReason()).isEqualTo(GrpcErrors.REASON_TIMEOUT);
      if (rpc.write()) {
        assertThat(e.getStatus().getDescription())
            .as(rpc.name())
            .isEqualTo(TIMEOUT_MESSAGE + "; the write may or may not have been applied");
        assertThat(errorInfo(e).getMetadataMap()).containsEntry("indeterminate", "true");
      } else {
        assertThat(e.getStatus().getDescription()).as(rpc.name()).isEqualTo(TIMEOUT_MESSAGE);
        assertThat(errorInfo(e).getMetadataMap()).doesNotContainKey("indeterminate");
      }
    }
  }

  @Test
  void javaClient_seesTheCoordinatorsKinds() {
    try (RingkvClient client = RingkvClient.builder().addNode("127.0.0.1", node.port()).build()) {
      service.failWith(KvException.Kind.UNAVAILABLE, UNAVAILABLE_MESSAGE);
      assertThatThrownBy(() -> client.get("k"))
          .isInstanceOfSatisfying(
              RingkvException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(RingkvException.Kind.UNAVAILABLE);
                assertThat(e.indeterminate()).isFalse();
                assertThat(e.getMessage()).contains(UNAVAILABLE_MESSAGE);
              });

      service.failWith(KvException.Kind.TIMEOUT, TIMEOUT_MESSAGE);
      assertThatThrownBy(() -> client.put("k", "v"))
          .isInstanceOfSatisfying(
              RingkvException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(RingkvException.Kind.TIMEOUT);
                assertThat(e.indeterminate()).isTrue();
                assertThat(e.getMessage())
                    .contains(TIMEOUT_MESSAGE)
                    .contains("may or may not have been applied");
              });
    }
  }
}
