package io.ringkv.server.grpc;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerTransportFilter;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the connections the gRPC listener serves at once ({@code max_connections}).
 *
 * <p>grpc-java has no connection limit of its own, and a {@link ServerTransportFilter} sees each
 * connection (transport) come and go but has no handle to close it. So this class counts
 * connections as a transport filter and marks each one that arrives over the limit; as a server
 * interceptor it refuses every call on a marked connection with {@code UNAVAILABLE} (reason {@code
 * MAX_CONNECTIONS}, naming the limit) before any service code runs. A refused client learns why at
 * its first call and can go to another node; the marked connection holds no call, so the idle
 * timeout ({@code maxConnectionIdle}) closes it when one is configured. A connection is marked for
 * its whole life: freeing a slot does not unmark it, a new connection takes the slot.
 *
 * <p>Thread-safe: the count is atomic, the marks live in each transport's attributes.
 */
final class ConnectionLimiter extends ServerTransportFilter implements ServerInterceptor {
  private static final Attributes.Key<Boolean> COUNTED =
      Attributes.Key.create("io.ringkv.grpc.connection.counted");
  private static final Attributes.Key<Boolean> OVER_LIMIT =
      Attributes.Key.create("io.ringkv.grpc.connection.overLimit");

  private final int maxConnections;
  private final AtomicInteger open = new AtomicInteger();

  ConnectionLimiter(int maxConnections) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException(
          "max_connections must be at least 1, was " + maxConnections);
    }
    this.maxConnections = maxConnections;
  }

  /** Connections open now, refused ones included. */
  int openConnections() {
    return open.get();
  }

  @Override
  public Attributes transportReady(Attributes transportAttrs) {
    Attributes.Builder attributes = transportAttrs.toBuilder().set(COUNTED, Boolean.TRUE);
    if (open.incrementAndGet() > maxConnections) {
      attributes.set(OVER_LIMIT, Boolean.TRUE);
    }
    return attributes.build();
  }

  @Override
  public void transportTerminated(Attributes transportAttrs) {
    // A transport that ended before it was ready was never counted.
    if (transportAttrs.get(COUNTED) != null) {
      open.decrementAndGet();
    }
  }

  @Override
  public <RequestT, ResponseT> ServerCall.Listener<RequestT> interceptCall(
      ServerCall<RequestT, ResponseT> call,
      Metadata headers,
      ServerCallHandler<RequestT, ResponseT> next) {
    if (call.getAttributes().get(OVER_LIMIT) == null) {
      return next.startCall(call, headers);
    }
    StatusRuntimeException refusal = GrpcErrors.maxConnections(maxConnections);
    Metadata trailers = refusal.getTrailers() == null ? new Metadata() : refusal.getTrailers();
    call.close(refusal.getStatus(), trailers);
    return new ServerCall.Listener<>() {};
  }
}
