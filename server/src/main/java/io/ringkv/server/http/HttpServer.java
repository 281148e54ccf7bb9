package io.ringkv.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.ringkv.common.Clock;
import io.ringkv.common.SystemClock;
import io.ringkv.server.FrontEnd;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.metrics.NodeMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP/JSON front end: the seed's JSON routes, the REST routes under {@code /v1/kv}, the causal
 * keyspaces' counter and set routes, keyspace administration under {@code /v1/keyspaces}, {@code
 * /health}, {@code /metrics} and {@code /openapi.json} (docs/api/http.md), on Netty's HTTP/1.1
 * codec with keep-alive and pipelining, epoll when the platform has it and NIO otherwise.
 *
 * <p>Bounded everywhere (STYLE.md §4), each violation answered with a problem that names the limit:
 * connections ({@link ListenerConfig#maxConnections()}, refused with 503 by {@link
 * ConnectionRefuser}); idle connections ({@link ListenerConfig#idleTimeoutMillis()}); the request
 * line ({@link #REQUEST_LINE_LIMIT_NAME}, 414) and headers ({@link #HEADER_LIMIT_NAME}, 431), both
 * enforced by the codec; the body ({@code http_body_bytes_max}, 413, by {@link BodyAggregator});
 * keys and values ({@code key_bytes_max} 400, {@code value_bytes_max} 413, by the routes before the
 * service is called); requests awaiting replies on one connection ({@link
 * #PIPELINED_REQUESTS_MAX}); listing pages ({@link KvRoutes#LIST_LIMIT_MAX}, {@link
 * KvRoutes#LIST_PAGE_BYTES_MAX}); idempotency keys ({@link
 * CausalHeaders#IDEMPOTENCY_KEY_BYTES_MAX}); members per set write ({@link
 * CrdtRoutes#SET_MEMBERS_PER_REQUEST_MAX}).
 *
 * <p>Lifecycle: construct, {@link #start()} once, {@link #close()} once (idempotent). Thread-safe.
 */
public final class HttpServer implements FrontEnd {
  /** Requests on one connection that may await their replies before it stops reading. */
  static final int PIPELINED_REQUESTS_MAX = 16;

  /** Largest request header block. */
  static final int HEADER_BYTES_MAX = 16 << 10;

  static final String HEADER_LIMIT_NAME = "http_header_bytes_max";

  /**
   * Smallest bound on the request line; the real one also fits a key of {@code key_bytes_max} bytes
   * percent-encoded (three characters a byte) with room for the rest of the line.
   */
  static final int REQUEST_LINE_BYTES_MIN = 8 << 10;

  static final String REQUEST_LINE_LIMIT_NAME = "http_request_line_bytes_max";

  /** Largest piece of a body the codec hands on at once (the aggregator bounds the whole). */
  static final int CHUNK_BYTES_MAX = 64 << 10;

  /** How long a refused connection may stay open waiting for its first request. */
  static final long REFUSED_CONNECTION_GRACE_MILLIS = 5_000;

  /** How long {@link #close()} lets in-flight requests finish. */
  static final long SHUTDOWN_TIMEOUT_MILLIS = 5_000;

  /** Event-loop threads serving connections (HTTP is not the hot path; RESP is). */
  static final int WORKER_THREADS_MAX = 4;

  /**
   * The bounds the connection handler names in its problems.
   *
   * @param requestLineBytesMax largest request line
   * @param headerBytesMax largest header block
   * @param bodyBytesMax largest body
   */
  record Bounds(int requestLineBytesMax, int headerBytesMax, int bodyBytesMax) {}

  private final ListenerConfig listener;
  private final NodeMetrics metrics;
  private final HttpRouter router;
  private final Bounds bounds;
  private final AtomicInteger openConnections = new AtomicInteger();
  private final Object lifecycle = new Object();
  private EventLoopGroup acceptGroup;
  private EventLoopGroup workerGroup;
  private Channel serverChannel;
  private boolean started;
  private boolean closed;

  /** A server whose TTLs count from the system clock. */
  public HttpServer(
      ListenerConfig listener,
      LimitsConfig limits,
      KeyValueService service,
      NodeMetrics metrics,
      HttpServerInfo info) {
    this(listener, limits, service, metrics, info, SystemClock.INSTANCE);
  }

  /**
   * A server whose TTLs ({@code ?ttl=}, {@code ttlMillis}) count from {@code clock}; pass the clock
   * the service and engine use, so expiry times agree.
   */
  public HttpServer(
      ListenerConfig listener,
      LimitsConfig limits,
      KeyValueService service,
      NodeMetrics metrics,
      HttpServerInfo info,
      Clock clock) {
    this.listener = Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(service, "service");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(clock, "clock");
    if (listener.maxConnections() < 1) {
      throw new IllegalArgumentException(
          "max_connections must be at least 1, was " + listener.maxConnections());
    }
    int requestLineBytesMax =
        (int)
            Math.min(
                Integer.MAX_VALUE,
                Math.max(REQUEST_LINE_BYTES_MIN, 3L * limits.keyBytesMax() + 1024));
    this.bounds = new Bounds(requestLineBytesMax, HEADER_BYTES_MAX, limits.httpBodyBytesMax());
    KvRoutes kv = new KvRoutes(service, limits, clock);
    CrdtRoutes crdt = new CrdtRoutes(service, limits);
    KeyspaceRoutes keyspaces = new KeyspaceRoutes(service);
    OperationalRoutes operational = new OperationalRoutes(metrics, info);
    this.router =
        new HttpRouter(
            List.of(
                new HttpRouter.Route(HttpMethod.GET, "/api/v1/get", "api_get", kv::apiGet),
                new HttpRouter.Route(HttpMethod.POST, "/api/v1/put", "api_put", kv::apiPut),
                new HttpRouter.Route(HttpMethod.GET, "/v1/kv", "kv_list", kv::kvList),
                new HttpRouter.Route(HttpMethod.GET, "/v1/kv/{key}", "kv_get", kv::kvGet),
                new HttpRouter.Route(HttpMethod.PUT, "/v1/kv/{key}", "kv_put", kv::kvPut),
                new HttpRouter.Route(HttpMethod.DELETE, "/v1/kv/{key}", "kv_delete", kv::kvDelete),
                new HttpRouter.Route(
                    HttpMethod.GET, "/api/v1/counter", "counter_get", crdt::counterGet),
                new HttpRouter.Route(
                    HttpMethod.POST,
                    "/api/v1/counter/incr",
                    "counter_incr",
                    crdt::counterIncrement),
                new HttpRouter.Route(HttpMethod.POST, "/api/v1/set/add", "set_add", crdt::setAdd),
                new HttpRouter.Route(
                    HttpMethod.POST, "/api/v1/set/remove", "set_remove", crdt::setRemove),
                new HttpRouter.Route(
                    HttpMethod.GET, "/api/v1/set/members", "set_members", crdt::setMembers),
                new HttpRouter.Route(
                    HttpMethod.GET, "/v1/keyspaces", "keyspace_list", keyspaces::list),
                new HttpRouter.Route(
                    HttpMethod.GET, "/v1/keyspaces/{name}", "keyspace_get", keyspaces::get),
                new HttpRouter.Route(
                    HttpMethod.PUT, "/v1/keyspaces/{name}", "keyspace_put", keyspaces::put),
                new HttpRouter.Route(
                    HttpMethod.DELETE,
                    "/v1/keyspaces/{name}",
                    "keyspace_delete",
                    keyspaces::delete),
                new HttpRouter.Route(HttpMethod.GET, "/health", "health", operational::health),
                new HttpRouter.Route(HttpMethod.GET, "/metrics", "metrics", operational::metrics),
                new HttpRouter.Route(
                    HttpMethod.GET, "/v1/cluster/status", "cluster_status", operational::status),
                new HttpRouter.Route(
                    HttpMethod.GET, "/openapi.json", "openapi", operational::openApi)));
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public void start() throws IOException {
    synchronized (lifecycle) {
      if (started || closed) {
        throw new IllegalStateException("the HTTP server starts once");
      }
      started = true;
      boolean epoll = Epoll.isAvailable();
      int workers = Math.min(WORKER_THREADS_MAX, Runtime.getRuntime().availableProcessors());
      acceptGroup = newGroup(epoll, 1, "ringkv-http-accept");
      workerGroup = newGroup(epoll, workers, "ringkv-http");
      Class<? extends ServerChannel> channelType =
          epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
      ServerBootstrap bootstrap =
          new ServerBootstrap()
              .group(acceptGroup, workerGroup)
              .channel(channelType)
              .option(ChannelOption.SO_BACKLOG, 1024)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                      configure(channel);
                    }
                  });
      ChannelFuture bind = bootstrap.bind(listener.host(), listener.port()).awaitUninterruptibly();
      if (!bind.isSuccess()) {
        shutDownGroups();
        Throwable cause = bind.cause();
        throw new IOException(
            "cannot listen for HTTP on "
                + listener.host()
                + ":"
                + listener.port()
                + ": "
                + cause.getMessage(),
            cause);
      }
      serverChannel = bind.channel();
    }
  }

  @Override
  public InetSocketAddress boundAddress() {
    synchronized (lifecycle) {
      if (serverChannel == null) {
        throw new IllegalStateException("the HTTP server is not started");
      }
      return (InetSocketAddress) serverChannel.localAddress();
    }
  }

  /** Connections open now, refused ones excluded. */
  public int openConnections() {
    return openConnections.get();
  }

  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      if (serverChannel != null) {
        serverChannel.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS);
      }
      shutDownGroups();
    }
  }

  /** The route table this server serves. */
  List<HttpRouter.Route> routes() {
    return router.routes();
  }

  private void configure(SocketChannel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.addLast(
        "codec",
        new HttpServerCodec(
            new HttpDecoderConfig()
                .setMaxInitialLineLength(bounds.requestLineBytesMax())
                .setMaxHeaderSize(bounds.headerBytesMax())
                .setMaxChunkSize(CHUNK_BYTES_MAX)));
    if (openConnections.incrementAndGet() > listener.maxConnections()) {
      openConnections.decrementAndGet();
      pipeline.addLast(
          "refuser",
          new ConnectionRefuser(
              listener.maxConnections(), REFUSED_CONNECTION_GRACE_MILLIS, metrics));
      return;
    }
    channel.closeFuture().addListener(closed -> openConnections.decrementAndGet());
    if (listener.idleTimeoutMillis() > 0) {
      pipeline.addFirst(
          "idle", new IdleStateHandler(0, 0, listener.idleTimeoutMillis(), TimeUnit.MILLISECONDS));
    }
    pipeline.addLast("keepAlive", new HttpServerKeepAliveHandler());
    pipeline.addLast("aggregator", new BodyAggregator(bounds.bodyBytesMax()));
    pipeline.addLast("handler", new HttpConnectionHandler(router, metrics, bounds));
  }

  private static EventLoopGroup newGroup(boolean epoll, int threads, String name) {
    DefaultThreadFactory threadFactory = new DefaultThreadFactory(name);
    return epoll
        ? new EpollEventLoopGroup(threads, threadFactory)
        : new NioEventLoopGroup(threads, threadFactory);
  }

  private void shutDownGroups() {
    for (EventLoopGroup group : new EventLoopGroup[] {acceptGroup, workerGroup}) {
      if (group != null) {
        group.shutdownGracefully(100, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      }
    }
    for (EventLoopGroup group : new EventLoopGroup[] {acceptGroup, workerGroup}) {
      if (group != null) {
        group.terminationFuture().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS + 1_000);
      }
    }
  }
}
