package io.ringkv.client;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.ringkv.proto.v1.KVGrpc;
import io.ringkv.proto.v1.ScanRequest;
import io.ringkv.proto.v1.ScanResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one client request against the nodes of a {@link NodePool}, moving to the next node when a
 * failure allows it ({@link Errors#retryable}): a read goes on after UNAVAILABLE or FAILED; a write
 * only after an UNAVAILABLE that proves nothing was attempted, unless it carries an idempotency key
 * (then as a read, and after a node's TIMEOUT too). Each node is tried at most once, and one
 * deadline covers every attempt, so a request never outlives its timeout.
 *
 * <p>Nothing blocks: each attempt's completion starts the next one. Cancelling the returned future
 * cancels the attempt in flight.
 *
 * <p>Thread-safe: all state of a request lives in its own {@link Request}.
 */
final class Failover {
  private final NodePool pool;

  Failover(NodePool pool) {
    this.pool = pool;
  }

  /** One attempt on one node, with the request's call options (deadline). */
  @FunctionalInterface
  interface Attempt<T> {
    CompletableFuture<T> run(NodePool.Node node, CallOptions options, Request<T> request);
  }

  /** The state of one request across its attempts. */
  static final class Request<T> {
    final CompletableFuture<T> result = new CompletableFuture<>();
    final AtomicReference<ClientCall<?, ?>> current = new AtomicReference<>();
    final List<RingkvException> failures = new ArrayList<>(1);

    /** Records the call of the attempt in flight, so that cancelling the result cancels it. */
    void inFlight(ClientCall<?, ?> call) {
      current.set(call);
      if (result.isCancelled()) {
        call.cancel("cancelled by the caller", null);
      }
    }
  }

  <T> CompletableFuture<T> run(boolean write, Duration timeout, Attempt<T> attempt) {
    return run(write, false, timeout, attempt);
  }

  /**
   * {@link #run(boolean, Duration, Attempt)} for a write that carries an idempotency key when
   * {@code idempotent}: it moves on to the next node after any failure but a refusal ({@link
   * Errors#retryable(RingkvException, boolean, boolean)}), even one that leaves it indeterminate,
   * since the key makes a second application a no-op.
   */
  <T> CompletableFuture<T> run(
      boolean write, boolean idempotent, Duration timeout, Attempt<T> attempt) {
    if (pool.closed()) {
      return CompletableFuture.failedFuture(
          new RingkvException(
              RingkvException.Kind.FAILED,
              "the client is closed; nothing was sent",
              false,
              null,
              null,
              null));
    }
    Deadline deadline = Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
    CallOptions options = CallOptions.DEFAULT.withDeadline(deadline);
    Request<T> request = new Request<>();
    request.result.whenComplete(
        (value, failure) -> {
          ClientCall<?, ?> call = request.current.get();
          if (request.result.isCancelled() && call != null) {
            call.cancel("cancelled by the caller", null);
          }
        });
    tryNode(request, pool.attemptOrder(), 0, write, idempotent, deadline, options, attempt);
    return request.result;
  }

  private <T> void tryNode(
      Request<T> request,
      List<NodePool.Node> order,
      int index,
      boolean write,
      boolean idempotent,
      Deadline deadline,
      CallOptions options,
      Attempt<T> attempt) {
    NodePool.Node node = order.get(index);
    CompletableFuture<T> outcome;
    try {
      outcome = attempt.run(node, options, request);
    } catch (RuntimeException e) {
      outcome = CompletableFuture.failedFuture(e);
    }
    outcome.whenComplete(
        (value, failure) -> {
          if (failure == null) {
            pool.succeeded(node);
            request.result.complete(value);
            return;
          }
          RingkvException error = Errors.fromGrpc(failure, node.address(), write);
          request.failures.add(error);
          boolean more = index + 1 < order.size();
          if (more
              && Errors.retryable(error, write, idempotent)
              && !deadline.isExpired()
              && !request.result.isDone()) {
            tryNode(request, order, index + 1, write, idempotent, deadline, options, attempt);
            return;
          }
          request.result.completeExceptionally(summarize(request.failures));
        });
  }

  /** The last failure, its message listing every node tried, the earlier ones suppressed. */
  private static RingkvException summarize(List<RingkvException> failures) {
    RingkvException last = failures.get(failures.size() - 1);
    if (failures.size() == 1) {
      return last;
    }
    StringBuilder message = new StringBuilder("every node tried failed: ");
    for (int i = 0; i < failures.size(); i++) {
      message.append(i == 0 ? "" : "; ").append(failures.get(i).getMessage());
    }
    RingkvException summary =
        new RingkvException(
            last.kind(),
            message.toString(),
            last.indeterminate(),
            last.reason(),
            last.node(),
            last.getCause());
    for (int i = 0; i < failures.size() - 1; i++) {
      summary.addSuppressed(failures.get(i));
    }
    return summary;
  }

  /** A unary call of {@code method} on one node. */
  static <RequestT, ResponseT> CompletableFuture<ResponseT> unary(
      NodePool.Node node,
      CallOptions options,
      Request<?> request,
      MethodDescriptor<RequestT, ResponseT> method,
      RequestT message) {
    ClientCall<RequestT, ResponseT> call = node.channel().newCall(method, options);
    request.inFlight(call);
    CompletableFuture<ResponseT> response = new CompletableFuture<>();
    ClientCalls.asyncUnaryCall(
        call,
        message,
        new StreamObserver<>() {
          private ResponseT value;

          @Override
          public void onNext(ResponseT next) {
            value = next;
          }

          @Override
          public void onError(Throwable t) {
            response.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            response.complete(value);
          }
        });
    return response;
  }

  /**
   * One Scan call on one node, collected into a page. The server sends at most {@code
   * message.getLimit()} entries; a server sending more is cut off, so a page never grows past what
   * was asked for.
   */
  static CompletableFuture<ScanPage> scan(
      NodePool.Node node, CallOptions options, Request<?> request, ScanRequest message) {
    ClientCall<ScanRequest, ScanResponse> call =
        node.channel().newCall(KVGrpc.getScanMethod(), options);
    request.inFlight(call);
    CompletableFuture<ScanPage> page = new CompletableFuture<>();
    long limit = Integer.toUnsignedLong(message.getLimit());
    ClientCalls.asyncServerStreamingCall(
        call,
        message,
        new StreamObserver<>() {
          private final List<KeyValue> entries = new ArrayList<>();
          private String cursor;

          @Override
          public void onNext(ScanResponse response) {
            if (limit > 0 && entries.size() + response.getEntriesCount() > limit) {
              call.cancel("the node sent more entries than the page size", null);
              return;
            }
            response.getEntriesList().forEach(entry -> entries.add(ProtoMapping.keyValue(entry)));
            cursor = response.getCursor();
          }

          @Override
          public void onError(Throwable t) {
            page.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            if (cursor == null) {
              page.completeExceptionally(
                  io.grpc.Status.INTERNAL
                      .withDescription("the node ended the scan without sending a cursor")
                      .asRuntimeException());
              return;
            }
            page.complete(new ScanPage(entries, cursor));
          }
        });
    return page;
  }
}
