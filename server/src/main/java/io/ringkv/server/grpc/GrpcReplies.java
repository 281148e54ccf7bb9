package io.ringkv.server.grpc;

import io.grpc.stub.StreamObserver;
import io.ringkv.server.metrics.NodeMetrics;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * How the gRPC services answer a call from the service's future: the response or the mapped error
 * ({@link GrpcErrors#fromService}), the request counted and timed first, so that a caller who saw
 * the answer sees it counted. Shared by {@link KvGrpcService} and {@link KeyspaceAdminGrpcService}.
 *
 * <p>Thread-safe: completions run on whatever thread completes the future.
 */
final class GrpcReplies {
  private final NodeMetrics metrics;

  GrpcReplies(NodeMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * Answers {@code observer} with {@code toResponse} of the result, or fails it.
   *
   * @param write whether the call writes (a timeout or failure is then indeterminate)
   */
  <T, R> void reply(
      String operation,
      boolean write,
      long startNanos,
      StreamObserver<R> observer,
      CompletableFuture<T> result,
      Function<T, R> toResponse) {
    result.whenComplete(
        (value, failure) -> {
          if (failure != null) {
            fail(operation, write, startNanos, observer, failure);
            return;
          }
          R response;
          try {
            response = toResponse.apply(value);
          } catch (RuntimeException e) {
            fail(operation, write, startNanos, observer, e);
            return;
          }
          metrics.recordRequest(
              KvGrpcService.FRONT_END, operation, System.nanoTime() - startNanos, false);
          observer.onNext(response);
          observer.onCompleted();
        });
  }

  /** Fails {@code observer} with {@code failure} mapped to a status, counted as an error. */
  void fail(
      String operation,
      boolean write,
      long startNanos,
      StreamObserver<?> observer,
      Throwable failure) {
    metrics.recordRequest(KvGrpcService.FRONT_END, operation, System.nanoTime() - startNanos, true);
    observer.onError(GrpcErrors.fromService(failure, write));
  }
}
