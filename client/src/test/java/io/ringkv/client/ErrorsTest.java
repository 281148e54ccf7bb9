package io.ringkv.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** How gRPC failures become client exceptions, and which of them failover may retry. */
class ErrorsTest {
  private static final NodeAddress NODE = new NodeAddress("10.0.0.1", 9090);

  private static Throwable fromRingkvNode(Status.Code code, String reason, String message) {
    return StatusProto.toStatusRuntimeException(
        com.google.rpc.Status.newBuilder()
            .setCode(code.value())
            .setMessage(message)
            .addDetails(
                Any.pack(ErrorInfo.newBuilder().setDomain("ringkv.io").setReason(reason).build()))
            .build());
  }

  @Test
  void fromGrpc_refusedConnectionSentNothing() {
    Throwable refused =
        Status.UNAVAILABLE
            .withDescription("io exception")
            .withCause(new ConnectException("Connection refused"))
            .asRuntimeException();
    RingkvException e = Errors.fromGrpc(refused, NODE, true);
    assertThat(e.kind()).isEqualTo(RingkvException.Kind.UNAVAILABLE);
    assertThat(e.indeterminate()).isFalse();
    assertThat(e.getMessage())
        .isEqualTo("io exception: Connection refused (UNAVAILABLE from 10.0.0.1:9090)");
    assertThat(Errors.retryable(e, true)).isTrue();
  }

  @Test
  void fromGrpc_nodeSaidUnavailableSoNothingWasAttempted() {
    RingkvException e =
        Errors.fromGrpc(
            fromRingkvNode(Status.Code.UNAVAILABLE, "MAX_CONNECTIONS", "full"), NODE, true);
    assertThat(e.indeterminate()).isFalse();
    assertThat(e.reason()).isEqualTo("MAX_CONNECTIONS");
    assertThat(Errors.retryable(e, true)).isTrue();
  }

  @Test
  void fromGrpc_connectionLostMidCallLeavesAWriteIndeterminate() {
    Throwable lost =
        new CompletionException(
            Status.UNAVAILABLE.withDescription("Connection closed").asRuntimeException());
    RingkvException write = Errors.fromGrpc(lost, NODE, true);
    assertThat(write.indeterminate()).isTrue();
    assertThat(Errors.retryable(write, true)).isFalse();
    RingkvException read = Errors.fromGrpc(lost, NODE, false);
    assertThat(read.indeterminate()).isFalse();
    assertThat(Errors.retryable(read, false)).isTrue();
  }

  @Test
  void fromGrpc_deadlineIsATimeoutNeverRetried() {
    Throwable deadline = Status.DEADLINE_EXCEEDED.withDescription("deadline").asRuntimeException();
    RingkvException write = Errors.fromGrpc(deadline, NODE, true);
    assertThat(write.kind()).isEqualTo(RingkvException.Kind.TIMEOUT);
    assertThat(write.indeterminate()).isTrue();
    assertThat(write.getMessage()).contains("may or may not have been applied");
    assertThat(Errors.retryable(write, true)).isFalse();
    assertThat(Errors.retryable(Errors.fromGrpc(deadline, NODE, false), false)).isFalse();
  }

  @Test
  void fromGrpc_invalidArgumentAndOversizedMessagesAreInvalidRequests() {
    RingkvException invalid =
        Errors.fromGrpc(
            fromRingkvNode(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "key too long"),
            NODE,
            true);
    assertThat(invalid.kind()).isEqualTo(RingkvException.Kind.INVALID_REQUEST);
    assertThat(invalid.reason()).isEqualTo("INVALID_REQUEST");
    assertThat(invalid.indeterminate()).isFalse();
    assertThat(Errors.retryable(invalid, false)).isFalse();

    RingkvException tooLarge =
        Errors.fromGrpc(Status.RESOURCE_EXHAUSTED.asRuntimeException(), NODE, true);
    assertThat(tooLarge.kind()).isEqualTo(RingkvException.Kind.INVALID_REQUEST);
  }

  @Test
  void fromGrpc_internalFailureRetriesReadsOnly() {
    RingkvException write =
        Errors.fromGrpc(fromRingkvNode(Status.Code.INTERNAL, "FAILED", "disk"), NODE, true);
    assertThat(write.kind()).isEqualTo(RingkvException.Kind.FAILED);
    assertThat(write.indeterminate()).isTrue();
    assertThat(Errors.retryable(write, true)).isFalse();
    RingkvException read =
        Errors.fromGrpc(fromRingkvNode(Status.Code.INTERNAL, "FAILED", "disk"), NODE, false);
    assertThat(Errors.retryable(read, false)).isTrue();
  }

  @Test
  void fromGrpc_errorInfoOfAnotherDomainIsNotTrusted() {
    Throwable foreign =
        StatusProto.toStatusRuntimeException(
            com.google.rpc.Status.newBuilder()
                .setCode(Status.Code.UNAVAILABLE.value())
                .setMessage("proxy says no")
                .addDetails(
                    Any.pack(
                        ErrorInfo.newBuilder().setDomain("proxy.example").setReason("X").build()))
                .build());
    RingkvException e = Errors.fromGrpc(foreign, NODE, true);
    assertThat(e.reason()).isNull();
    assertThat(e.indeterminate()).isTrue();
  }

  @Test
  void fromGrpc_causalRefusalsHaveTheirOwnKindsAndAreNeverRetried() {
    RingkvException wrongType =
        Errors.fromGrpc(
            fromRingkvNode(Status.Code.FAILED_PRECONDITION, "WRONG_TYPE", "WRONGTYPE ..."),
            NODE,
            true);
    RingkvException conflict =
        Errors.fromGrpc(
            fromRingkvNode(Status.Code.FAILED_PRECONDITION, "CONFLICT", "sibling cap"), NODE, true);
    RingkvException missing =
        Errors.fromGrpc(
            fromRingkvNode(Status.Code.NOT_FOUND, "NO_SUCH_KEYSPACE", "no keyspace x"),
            NODE,
            false);

    assertThat(wrongType.kind()).isEqualTo(RingkvException.Kind.WRONG_TYPE);
    assertThat(conflict.kind()).isEqualTo(RingkvException.Kind.CONFLICT);
    assertThat(missing.kind()).isEqualTo(RingkvException.Kind.NO_SUCH_KEYSPACE);
    for (RingkvException e : List.of(wrongType, conflict, missing)) {
      assertThat(e.indeterminate()).isFalse();
      assertThat(Errors.retryable(e, true, true)).isFalse();
      assertThat(Errors.retryable(e, false)).isFalse();
    }
  }

  @Test
  void retryable_aWriteWithAnIdempotencyKeyMovesOnEvenWhenIndeterminate() {
    RingkvException timeout =
        Errors.fromGrpc(
            fromRingkvNode(Status.Code.DEADLINE_EXCEEDED, "TIMEOUT", "2 of 3 answered"),
            NODE,
            true);
    RingkvException failed =
        Errors.fromGrpc(fromRingkvNode(Status.Code.INTERNAL, "FAILED", "disk"), NODE, true);
    RingkvException lost =
        Errors.fromGrpc(
            Status.UNAVAILABLE.withDescription("Connection closed").asRuntimeException(),
            NODE,
            true);

    for (RingkvException e : List.of(timeout, failed, lost)) {
      assertThat(e.indeterminate()).as(e.getMessage()).isTrue();
      assertThat(Errors.retryable(e, true, false)).as(e.getMessage()).isFalse();
      assertThat(Errors.retryable(e, true, true)).as(e.getMessage()).isTrue();
    }
    assertThat(Errors.retryable(timeout, false)).as("a read's timeout").isFalse();
  }
}
