package io.ringkv.server.grpc;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.ringkv.common.Clock;
import io.ringkv.common.SystemClock;
import io.ringkv.proto.v1.KVGrpc;
import io.ringkv.proto.v1.KeyspaceAdminGrpc;
import io.ringkv.server.FrontEnd;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.metrics.NodeMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gRPC front end: serves {@code ringkv.v1.KV} (proto/ringkv/v1/kv.proto, docs/api/grpc.md), the
 * standard health service ({@code grpc.health.v1.Health}, SERVING while open, for the whole server
 * "" and for {@code ringkv.v1.KV}) and server reflection (v1 and v1alpha, so grpcurl and similar
 * tools work without the .proto file).
 *
 * <p>Bounds (STYLE.md §4): request messages up to {@code limits.grpc_message_bytes_max} (larger
 * ones are refused by gRPC with RESOURCE_EXHAUSTED before they are read whole); keys and values
 * within {@code limits.key_bytes_max} and {@code limits.value_bytes_max} (checked before the
 * service is called); at most {@code max_connections} connections served at once (see {@link
 * ConnectionLimiter}); at most {@link #CONCURRENT_CALLS_PER_CONNECTION_MAX} calls in flight per
 * connection; a connection without calls for {@code idle_timeout_ms} is closed (gRPC's {@code
 * maxConnectionIdle}, a GOAWAY the client's channel handles by reconnecting when next needed).
 * Keepalive: the server pings a connection silent for {@link #KEEPALIVE_TIME_MILLIS} and drops it
 * if no answer comes in {@link #KEEPALIVE_TIMEOUT_MILLIS}; clients may ping every {@link
 * #PERMIT_KEEPALIVE_TIME_MILLIS}, with or without calls.
 *
 * <p>Threads: handlers run on virtual threads, one per task, so that a read that waits on the disk
 * never holds a transport thread; handlers never wait on a future, they answer from its callback.
 *
 * <p>Lifecycle: {@link #start} once, {@link #close} once (health turns NOT_SERVING, new calls are
 * refused, in-flight calls get {@link #SHUTDOWN_GRACE_MILLIS} to finish). Thread-safe.
 */
public final class GrpcServer implements FrontEnd {
  /** Calls one connection may have in flight; more wait for a slot (HTTP/2 stream limit). */
  public static final int CONCURRENT_CALLS_PER_CONNECTION_MAX = 1024;

  /** The server pings a connection that has been silent this long. */
  public static final long KEEPALIVE_TIME_MILLIS = 60_000;

  /** A ping not answered within this drops the connection. */
  public static final long KEEPALIVE_TIMEOUT_MILLIS = 20_000;

  /** Clients may send keepalive pings this often; more often is a protocol violation. */
  public static final long PERMIT_KEEPALIVE_TIME_MILLIS = 10_000;

  /** How long {@link #close} lets in-flight calls finish before cancelling them. */
  public static final long SHUTDOWN_GRACE_MILLIS = 5_000;

  /** Largest request metadata (headers) accepted. */
  public static final int METADATA_BYTES_MAX = 8 << 10;

  /** Bytes of a response message besides its key and value: room for the other fields. */
  static final int MESSAGE_OVERHEAD_BYTES = 1 << 10;

  /**
   * gRPC logs a WARNING with a stack trace for every request message over the size limit; the
   * client already gets RESOURCE_EXHAUSTED, and a log line per bad request would let any client
   * flood the node's log. Held here so the setting outlives garbage collection of the logger.
   */
  private static final Logger OVERSIZED_MESSAGE_LOGGER =
      Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerStream");

  static {
    OVERSIZED_MESSAGE_LOGGER.setLevel(Level.SEVERE);
  }

  private final ListenerConfig listener;
  private final LimitsConfig limits;
  private final KeyValueService service;
  private final NodeMetrics metrics;
  private final Clock clock;
  private final ConnectionLimiter connectionLimiter;
  private final HealthStatusManager health = new HealthStatusManager();

  private Server server;
  private InetSocketAddress boundAddress;
  private ExecutorService executor;

  public GrpcServer(
      ListenerConfig listener, LimitsConfig limits, KeyValueService service, NodeMetrics metrics) {
    this(listener, limits, service, metrics, SystemClock.INSTANCE);
  }

  /**
   * @param clock turns a Put's {@code ttl_ms} into an absolute expiry (tests pass a manual clock;
   *     it must be the clock the service and engine judge expiry by)
   */
  public GrpcServer(
      ListenerConfig listener,
      LimitsConfig limits,
      KeyValueService service,
      NodeMetrics metrics,
      Clock clock) {
    long largestAnswer =
        (long) limits.keyBytesMax() + limits.valueBytesMax() + MESSAGE_OVERHEAD_BYTES;
    if (largestAnswer > limits.grpcMessageBytesMax()) {
      throw new IllegalArgumentException(
          "limits.grpc_message_bytes_max ("
              + limits.grpcMessageBytesMax()
              + ") must hold one largest key and value: at least limits.key_bytes_max ("
              + limits.keyBytesMax()
              + ") + limits.value_bytes_max ("
              + limits.valueBytesMax()
              + ") + "
              + MESSAGE_OVERHEAD_BYTES);
    }
    this.listener = listener;
    this.limits = limits;
    this.service = service;
    this.metrics = metrics;
    this.clock = clock;
    this.connectionLimiter = new ConnectionLimiter(listener.maxConnections());
  }

  @Override
  public String name() {
    return KvGrpcService.FRONT_END;
  }

  @Override
  @SuppressWarnings("deprecation") // v1alpha reflection: older grpcurl, Postman and evans use it.
  public synchronized void start() throws IOException {
    if (server != null) {
      throw new IllegalStateException("the gRPC front end was already started");
    }
    executor = Executors.newVirtualThreadPerTaskExecutor();
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(listener.host(), listener.port()))
            .executor(executor)
            .maxInboundMessageSize(limits.grpcMessageBytesMax())
            .maxInboundMetadataSize(METADATA_BYTES_MAX)
            .maxConcurrentCallsPerConnection(CONCURRENT_CALLS_PER_CONNECTION_MAX)
            .keepAliveTime(KEEPALIVE_TIME_MILLIS, TimeUnit.MILLISECONDS)
            .keepAliveTimeout(KEEPALIVE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
            .permitKeepAliveTime(PERMIT_KEEPALIVE_TIME_MILLIS, TimeUnit.MILLISECONDS)
            .permitKeepAliveWithoutCalls(true)
            .addTransportFilter(connectionLimiter)
            .intercept(connectionLimiter)
            .addService(new KvGrpcService(service, limits, metrics, clock))
            .addService(new KeyspaceAdminGrpcService(service, metrics))
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance())
            .addService(io.grpc.protobuf.services.ProtoReflectionService.newInstance());
    if (listener.idleTimeoutMillis() > 0) {
      builder.maxConnectionIdle(listener.idleTimeoutMillis(), TimeUnit.MILLISECONDS);
    }
    Server built = builder.build();
    try {
      built.start();
    } catch (IOException e) {
      executor.shutdown();
      throw new IOException(
          "cannot listen for gRPC on " + listener.host() + ":" + listener.port() + ": " + e, e);
    }
    server = built;
    boundAddress = (InetSocketAddress) built.getListenSockets().get(0);
    health.setStatus("", HealthCheckResponse.ServingStatus.SERVING);
    health.setStatus(KVGrpc.SERVICE_NAME, HealthCheckResponse.ServingStatus.SERVING);
    health.setStatus(KeyspaceAdminGrpc.SERVICE_NAME, HealthCheckResponse.ServingStatus.SERVING);
  }

  @Override
  public synchronized InetSocketAddress boundAddress() {
    if (boundAddress == null) {
      throw new IllegalStateException("the gRPC front end is not started");
    }
    return boundAddress;
  }

  /** Connections open now, those refused over {@code max_connections} included. */
  public int openConnections() {
    return connectionLimiter.openConnections();
  }

  @Override
  public synchronized void close() {
    if (server == null) {
      return;
    }
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(SHUTDOWN_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
        server.awaitTermination(SHUTDOWN_GRACE_MILLIS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      executor.shutdown();
    }
  }
}
