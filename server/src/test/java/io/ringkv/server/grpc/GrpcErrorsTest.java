package io.ringkv.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.ringkv.server.kv.KvException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Each {@link KvException} kind becomes its gRPC status, reason and message. */
class GrpcErrorsTest {

  private static ErrorInfo info(StatusRuntimeException e) throws Exception {
    return StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
  }

  @Test
  void fromService_invalidRequestIsInvalidArgument() throws Exception {
    StatusRuntimeException e = GrpcErrors.fromService(KvException.invalid("key too long"), true);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).isEqualTo("key too long");
    assertThat(info(e).getReason()).isEqualTo("INVALID_REQUEST");
    assertThat(info(e).getMetadataMap()).doesNotContainKey("indeterminate");
  }

  @Test
  void fromService_unavailableIsUnavailableAndDeterminate() throws Exception {
    StatusRuntimeException e =
        GrpcErrors.fromService(
            new KvException(KvException.Kind.UNAVAILABLE, "1 of 2 replicas alive"), true);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(info(e).getReason()).isEqualTo("UNAVAILABLE");
    assertThat(info(e).getMetadataMap()).doesNotContainKey("indeterminate");
  }

  @Test
  void fromService_writeTimeoutIsDeadlineExceededAndIndeterminate() throws Exception {
    StatusRuntimeException e =
        GrpcErrors.fromService(
            new CompletionException(
                new KvException(KvException.Kind.TIMEOUT, "1 of 2 acknowledgements in time")),
            true);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("1 of 2 acknowledgements in time; the write may or may not have been applied");
    assertThat(info(e).getReason()).isEqualTo("TIMEOUT");
    assertThat(info(e).getMetadataMap()).containsEntry("indeterminate", "true");
  }

  @Test
  void fromService_readTimeoutSaysNothingAboutWrites() throws Exception {
    StatusRuntimeException e =
        GrpcErrors.fromService(new KvException(KvException.Kind.TIMEOUT, "slow"), false);
    assertThat(e.getStatus().getDescription()).isEqualTo("slow");
    assertThat(info(e).getMetadataMap()).doesNotContainKey("indeterminate");
  }

  @Test
  void fromService_failedIsInternal() throws Exception {
    StatusRuntimeException e =
        GrpcErrors.fromService(new KvException(KvException.Kind.FAILED, "disk full"), true);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).startsWith("disk full; the write may or may not");
    assertThat(info(e).getReason()).isEqualTo("FAILED");
  }

  @Test
  void fromService_unexpectedExceptionIsInternal() throws Exception {
    StatusRuntimeException e = GrpcErrors.fromService(new IllegalStateException("bug"), false);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).contains("bug");
    assertThat(info(e).getReason()).isEqualTo("FAILED");
  }

  @Test
  void fromService_statusPassesThroughUnchanged() {
    StatusRuntimeException invalid = GrpcErrors.invalid("bad");
    assertThat(GrpcErrors.fromService(invalid, true)).isSameAs(invalid);
  }
}
