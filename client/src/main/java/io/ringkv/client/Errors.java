package io.ringkv.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns a gRPC failure into a {@link RingkvException}, deciding the two things failover needs: the
 * kind, and whether a write may have been applied.
 *
 * <p>An {@code UNAVAILABLE} status means "nothing was attempted" only when the client can be sure
 * of it: the node said so (its {@code ErrorInfo}, domain {@code ringkv.io}), or the connection was
 * never made (a refused or unroutable connect, an unknown host) so the request never left this
 * process. Any other {@code UNAVAILABLE} — a connection lost mid-call — leaves a write
 * indeterminate.
 *
 * <p>Static helpers only; thread-safe.
 */
final class Errors {
  static final String DOMAIN = "ringkv.io";
  static final String REASON_WRONG_TYPE = "WRONG_TYPE";
  static final String REASON_CONFLICT = "CONFLICT";
  static final String REASON_NO_SUCH_KEYSPACE = "NO_SUCH_KEYSPACE";

  private Errors() {}

  static RingkvException fromGrpc(Throwable failure, NodeAddress node, boolean write) {
    Throwable cause = unwrap(failure);
    if (cause instanceof RingkvException ringkv) {
      return ringkv;
    }
    Status status = Status.fromThrowable(cause);
    ErrorInfo info = errorInfo(cause);
    String reason = info == null ? null : info.getReason();
    String description = describe(status);
    String where = node == null ? "" : " (" + status.getCode() + " from " + node + ")";
    if (status.getCode() == Status.Code.FAILED_PRECONDITION
        && (REASON_WRONG_TYPE.equals(reason) || REASON_CONFLICT.equals(reason))) {
      return new RingkvException(
          REASON_WRONG_TYPE.equals(reason)
              ? RingkvException.Kind.WRONG_TYPE
              : RingkvException.Kind.CONFLICT,
          description + where,
          false,
          reason,
          node,
          cause);
    }
    if (status.getCode() == Status.Code.NOT_FOUND && REASON_NO_SUCH_KEYSPACE.equals(reason)) {
      return new RingkvException(
          RingkvException.Kind.NO_SUCH_KEYSPACE, description + where, false, reason, node, cause);
    }
    return switch (status.getCode()) {
      case INVALID_ARGUMENT, OUT_OF_RANGE, FAILED_PRECONDITION, RESOURCE_EXHAUSTED ->
          new RingkvException(
              RingkvException.Kind.INVALID_REQUEST,
              description + where,
              false,
              reason,
              node,
              cause);
      case UNAVAILABLE -> {
        boolean nothingSent = info != null || connectionNeverMade(status.getCause());
        yield new RingkvException(
            RingkvException.Kind.UNAVAILABLE,
            description + where,
            write && !nothingSent,
            reason,
            node,
            cause);
      }
      case DEADLINE_EXCEEDED ->
          new RingkvException(
              RingkvException.Kind.TIMEOUT,
              description + where + indeterminateNote(write),
              write,
              reason,
              node,
              cause);
      default ->
          new RingkvException(
              RingkvException.Kind.FAILED,
              description + where + indeterminateNote(write),
              write,
              reason,
              node,
              cause);
    };
  }

  /** True if the client may send the failed request to another node. */
  static boolean retryable(RingkvException failure, boolean write) {
    return retryable(failure, write, false);
  }

  /**
   * True if the client may send the failed request to another node. A write with an idempotency key
   * ({@code idempotent}) is retried like a read, and also after a node's own TIMEOUT: applying it
   * twice is what the key prevents. The call's deadline still bounds every attempt.
   */
  static boolean retryable(RingkvException failure, boolean write, boolean idempotent) {
    boolean asRead = !write || idempotent;
    return switch (failure.kind()) {
      case UNAVAILABLE -> asRead || !failure.indeterminate();
      case FAILED -> asRead;
      case TIMEOUT -> write && idempotent;
      case INVALID_REQUEST, WRONG_TYPE, CONFLICT, NO_SUCH_KEYSPACE -> false;
    };
  }

  private static String indeterminateNote(boolean write) {
    return write ? "; the write may or may not have been applied" : "";
  }

  private static String describe(Status status) {
    String description =
        status.getDescription() == null ? status.getCode().toString() : status.getDescription();
    Throwable cause = status.getCause();
    if (cause != null && cause.getMessage() != null && !description.contains(cause.getMessage())) {
      description = description + ": " + cause.getMessage();
    }
    return description;
  }

  private static boolean connectionNeverMade(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof NoRouteToHostException
          || t instanceof UnknownHostException
          || t instanceof UnresolvedAddressException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static ErrorInfo errorInfo(Throwable failure) {
    com.google.rpc.Status status = StatusProto.fromThrowable(failure);
    if (status == null) {
      return null;
    }
    for (Any detail : status.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        try {
          ErrorInfo info = detail.unpack(ErrorInfo.class);
          if (DOMAIN.equals(info.getDomain())) {
            return info;
          }
        } catch (InvalidProtocolBufferException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
