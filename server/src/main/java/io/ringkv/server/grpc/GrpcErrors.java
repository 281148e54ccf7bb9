package io.ringkv.server.grpc;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.ringkv.server.kv.KvException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * How failures become gRPC statuses. Every status this front end sends carries a {@code
 * google.rpc.ErrorInfo} detail in the {@code ringkv.io} domain, so that clients branch on a reason
 * rather than on message text:
 *
 * <ul>
 *   <li>{@link KvException.Kind#INVALID_REQUEST} and bad input found at the edge: {@code
 *       INVALID_ARGUMENT}, reason {@code INVALID_REQUEST}; metadata {@code limit} names the limit
 *       when one was exceeded.
 *   <li>{@link KvException.Kind#UNAVAILABLE}: {@code UNAVAILABLE}, reason {@code UNAVAILABLE}.
 *       Nothing was attempted.
 *   <li>{@link KvException.Kind#TIMEOUT}: {@code DEADLINE_EXCEEDED}, reason {@code TIMEOUT}.
 *   <li>{@link KvException.Kind#FAILED} and anything unexpected: {@code INTERNAL}, reason {@code
 *       FAILED}.
 * </ul>
 *
 * <p>For a write that timed out or failed the message says that it may or may not have been
 * applied, and the metadata holds {@code indeterminate=true}: the client must not retry it blindly.
 *
 * <p>Static helpers only; thread-safe.
 */
final class GrpcErrors {
  /** The {@code ErrorInfo.domain} of every ringkv error. */
  static final String DOMAIN = "ringkv.io";

  /** {@code ErrorInfo} metadata key: the configuration name of the limit a request exceeded. */
  static final String METADATA_LIMIT = "limit";

  /** {@code ErrorInfo} metadata key: "true" when a write may or may not have been applied. */
  static final String METADATA_INDETERMINATE = "indeterminate";

  static final String REASON_INVALID_REQUEST = "INVALID_REQUEST";
  static final String REASON_UNAVAILABLE = "UNAVAILABLE";
  static final String REASON_TIMEOUT = "TIMEOUT";
  static final String REASON_FAILED = "FAILED";
  static final String REASON_WRONG_TYPE = "WRONG_TYPE";
  static final String REASON_CONFLICT = "CONFLICT";
  static final String REASON_NO_SUCH_KEYSPACE = "NO_SUCH_KEYSPACE";
  static final String REASON_MAX_CONNECTIONS = "MAX_CONNECTIONS";

  private static final String INDETERMINATE_SUFFIX = "; the write may or may not have been applied";

  private GrpcErrors() {}

  /** Bad input found at the edge: nothing was attempted. */
  static StatusRuntimeException invalid(String message) {
    return status(Status.Code.INVALID_ARGUMENT, REASON_INVALID_REQUEST, message, null, false);
  }

  /** Input over a configured limit; {@code limitName} is the limit's configuration name. */
  static StatusRuntimeException overLimit(String message, String limitName) {
    return status(Status.Code.INVALID_ARGUMENT, REASON_INVALID_REQUEST, message, limitName, false);
  }

  /** A call on a connection over max_connections: nothing was attempted. */
  static StatusRuntimeException maxConnections(int maxConnections) {
    return status(
        Status.Code.UNAVAILABLE,
        REASON_MAX_CONNECTIONS,
        "the node is at its connection limit (max_connections "
            + maxConnections
            + "); nothing was attempted, try another node or later",
        "max_connections",
        false);
  }

  /**
   * The status for a failed {@code KeyValueService} call.
   *
   * @param write whether the call was a write (a timeout or failure is then indeterminate)
   */
  static StatusRuntimeException fromService(Throwable failure, boolean write) {
    Throwable cause = unwrap(failure);
    if (cause instanceof StatusRuntimeException status) {
      return status;
    }
    if (!(cause instanceof KvException kv)) {
      return status(
          Status.Code.INTERNAL,
          REASON_FAILED,
          "unexpected failure: " + cause + (write ? INDETERMINATE_SUFFIX : ""),
          null,
          write);
    }
    String message = kv.getMessage() == null ? kv.kind().toString() : kv.getMessage();
    return switch (kv.kind()) {
      case INVALID_REQUEST ->
          status(Status.Code.INVALID_ARGUMENT, REASON_INVALID_REQUEST, message, null, false);
      case UNAVAILABLE -> status(Status.Code.UNAVAILABLE, REASON_UNAVAILABLE, message, null, false);
      case TIMEOUT ->
          status(
              Status.Code.DEADLINE_EXCEEDED,
              REASON_TIMEOUT,
              write ? message + INDETERMINATE_SUFFIX : message,
              null,
              write);
      case FAILED ->
          status(
              Status.Code.INTERNAL,
              REASON_FAILED,
              write ? message + INDETERMINATE_SUFFIX : message,
              null,
              write);
      case WRONG_TYPE ->
          status(Status.Code.FAILED_PRECONDITION, REASON_WRONG_TYPE, message, null, false);
      case CONFLICT ->
          status(Status.Code.FAILED_PRECONDITION, REASON_CONFLICT, message, null, false);
      case NO_SUCH_KEYSPACE ->
          status(Status.Code.NOT_FOUND, REASON_NO_SUCH_KEYSPACE, message, null, false);
    };
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static StatusRuntimeException status(
      Status.Code code, String reason, String message, String limitName, boolean indeterminate) {
    ErrorInfo.Builder info = ErrorInfo.newBuilder().setDomain(DOMAIN).setReason(reason);
    if (limitName != null) {
      info.putMetadata(METADATA_LIMIT, limitName);
    }
    if (indeterminate) {
      info.putMetadata(METADATA_INDETERMINATE, "true");
    }
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(code.value())
            .setMessage(message)
            .addDetails(Any.pack(info.build()))
            .build();
    return StatusProto.toStatusRuntimeException(status);
  }
}
