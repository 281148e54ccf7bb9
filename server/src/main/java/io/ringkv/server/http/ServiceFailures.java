package io.ringkv.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.ringkv.server.kv.KvException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Maps a failed {@link io.ringkv.server.kv.KeyValueService} call to a problem, by {@link
 * KvException.Kind}: INVALID_REQUEST is 400 (413 when a value is too large), UNAVAILABLE 503 with
 * Retry-After, TIMEOUT 504 and FAILED 500. For a write that timed out or failed, the detail says
 * what the client may conclude: the write may or may not have been applied.
 */
final class ServiceFailures {
  /** Seconds a client is told to wait after a 503 before retrying. */
  static final int RETRY_AFTER_SECONDS = 1;

  private ServiceFailures() {}

  /** The problem for {@code failure}; {@code write} says whether the request was a write. */
  static Problem problem(Throwable failure, boolean write) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ProblemException problem) {
      return problem.problem();
    }
    if (!(cause instanceof KvException kv)) {
      return Problem.of(
          HttpResponseStatus.INTERNAL_SERVER_ERROR,
          ProblemType.INTERNAL,
          "internal error: " + cause + indeterminate(write));
    }
    String message = kv.getMessage();
    return switch (kv.kind()) {
      case INVALID_REQUEST -> invalid(message == null ? "invalid request" : message);
      case UNAVAILABLE ->
          Problem.of(
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              ProblemType.UNAVAILABLE,
              message + "; nothing was attempted, retrying later may succeed");
      case TIMEOUT ->
          Problem.of(
              HttpResponseStatus.GATEWAY_TIMEOUT,
              ProblemType.TIMEOUT,
              message + indeterminate(write));
      case FAILED ->
          Problem.of(
              HttpResponseStatus.INTERNAL_SERVER_ERROR,
              ProblemType.INTERNAL,
              message + indeterminate(write));
      case WRONG_TYPE -> Problem.of(HttpResponseStatus.CONFLICT, ProblemType.WRONG_TYPE, message);
      case CONFLICT -> Problem.of(HttpResponseStatus.CONFLICT, ProblemType.CONFLICT, message);
      case NO_SUCH_KEYSPACE ->
          Problem.of(HttpResponseStatus.NOT_FOUND, ProblemType.KEYSPACE_NOT_FOUND, message);
    };
  }

  /**
   * An invalid request the service caught: its limits may be tighter than the front end's (the
   * engine's own key_bytes_max and value_bytes_max), so a message naming one is a limit problem.
   */
  private static Problem invalid(String message) {
    if (message.contains("value_bytes_max")) {
      return Problem.of(
              HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, ProblemType.LIMIT_EXCEEDED, message)
          .with("limit", "value_bytes_max");
    }
    if (message.contains("key_bytes_max")) {
      return Problem.of(HttpResponseStatus.BAD_REQUEST, ProblemType.LIMIT_EXCEEDED, message)
          .with("limit", "key_bytes_max");
    }
    return Problem.of(HttpResponseStatus.BAD_REQUEST, ProblemType.INVALID_REQUEST, message);
  }

  /** The reply for {@code problem}, with Retry-After when retrying later is the advice. */
  static HttpReply reply(Problem problem, String instance) {
    HttpReply reply = HttpReply.problem(problem, instance);
    return problem.status().code() == HttpResponseStatus.SERVICE_UNAVAILABLE.code()
        ? reply.withHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS))
        : reply;
  }

  private static String indeterminate(boolean write) {
    return write
        ? "; the write may or may not have been applied: read the key to find out, or repeat the"
            + " write (puts and deletes are idempotent)"
        : "";
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
