package io.ringkv.server.resp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.ringkv.common.Clock;
import io.ringkv.common.SystemClock;
import io.ringkv.server.FrontEnd;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.server.config.RespConfig;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.metrics.NodeMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The Redis protocol front end: RESP2 and RESP3 on Netty, so that redis-cli, redis-benchmark and
 * Redis client libraries work against a ringkv node. docs/api/redis.md is the command reference.
 *
 * <p>Threads: one acceptor event loop and one worker event loop per core (epoll where the native
 * transport loads, NIO elsewhere). Each connection lives on one worker loop, where its commands run
 * inline whenever the service answers at once (see {@link RespConnection}).
 *
 * <p>Bounds: connections beyond {@link ListenerConfig#maxConnections()} are answered {@code -ERR
 * max number of clients reached} and closed; connections idle for {@link
 * ListenerConfig#idleTimeoutMillis()} (if positive) are closed; input is bounded by {@link
 * LimitsConfig}; each connection's queued replies and unwritten output are bounded by
 * back-pressure.
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #close()}, which stops accepting, lets each
 * connection answer what it owes for up to {@link #CLOSE_WAIT_MILLIS}, and stops the loops.
 * Thread-safe.
 */
public final class RespServer implements FrontEnd {
  /** How long close waits for connections to answer the commands they already read. */
  static final long CLOSE_WAIT_MILLIS = 5_000;

  /**
   * Unwritten output above which a connection stops reading (Netty's high water mark). Large on
   * purpose: clients such as Jedis write a whole pipeline before reading any reply, and a
   * connection that stopped reading while such a client is still writing would never make progress.
   * Redis buffers a normal client's replies without bound; this bounds them at this size.
   */
  static final int WRITE_BUFFER_HIGH_BYTES = 32 << 20;

  /** Unwritten output below which a paused connection reads again. */
  static final int WRITE_BUFFER_LOW_BYTES = 8 << 20;

  static final int ACCEPT_BACKLOG = 1024;

  private final ListenerConfig listener;
  private final RespContext context;
  private final int ioThreads;
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private EventLoopGroup acceptor;
  private EventLoopGroup workers;
  private Channel serverChannel;
  private ScheduledFuture<?> sampler;
  private boolean started;
  private boolean closed;

  /** A front end on the system clock, without a password. */
  public RespServer(
      ListenerConfig listener,
      LimitsConfig limits,
      KeyValueService service,
      NodeMetrics metrics,
      RespServerInfo info) {
    this(listener, limits, service, metrics, info, SystemClock.INSTANCE, null);
  }

  /**
   * @param clock the time relative expiries (EX, PX, EXPIRE) count from and TTL counts to; the
   *     service's clock
   * @param requirePassword the password clients must give (AUTH or HELLO ... AUTH) before any other
   *     command, as Redis' requirepass; null or empty for none
   */
  public RespServer(
      ListenerConfig listener,
      LimitsConfig limits,
      KeyValueService service,
      NodeMetrics metrics,
      RespServerInfo info,
      Clock clock,
      String requirePassword) {
    this(
        listener,
        limits,
        service,
        metrics,
        info,
        clock,
        requirePassword,
        RespConfig.resolveIoThreads(
            RespConfig.IO_THREADS_AUTO, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * @param ioThreads event-loop threads (at least one) that decode commands and write replies; see
   *     {@link RespConfig#ioThreads()}
   */
  public RespServer(
      ListenerConfig listener,
      LimitsConfig limits,
      KeyValueService service,
      NodeMetrics metrics,
      RespServerInfo info,
      Clock clock,
      String requirePassword,
      int ioThreads) {
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be at least 1: " + ioThreads);
    }
    this.ioThreads = ioThreads;
    this.listener = listener;
    this.context =
        new RespContext(listener, limits, service, metrics, info, clock, requirePassword);
  }

  @Override
  public String name() {
    return "resp";
  }

  @Override
  public synchronized void start() throws IOException {
    if (started) {
      throw new IllegalStateException("the Redis protocol front end was already started");
    }
    started = true;
    boolean epoll = Epoll.isAvailable();
    int workerThreads = ioThreads;
    DefaultThreadFactory acceptorThreads = new DefaultThreadFactory("ringkv-resp-accept", true);
    DefaultThreadFactory workerThreadFactory = new DefaultThreadFactory("ringkv-resp", true);
    acceptor =
        epoll
            ? new EpollEventLoopGroup(1, acceptorThreads)
            : new NioEventLoopGroup(1, acceptorThreads);
    workers =
        epoll
            ? new EpollEventLoopGroup(workerThreads, workerThreadFactory)
            : new NioEventLoopGroup(workerThreads, workerThreadFactory);
    long idleMillis = listener.idleTimeoutMillis();
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptor, workers)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(WRITE_BUFFER_LOW_BYTES, WRITE_BUFFER_HIGH_BYTES))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    if (idleMillis > 0) {
                      channel
                          .pipeline()
                          .addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
                    }
                    channel.pipeline().addLast(new RespConnection(context));
                    channels.add(channel);
                  }
                });
    ChannelFuture bind = bootstrap.bind(listener.host(), listener.port()).awaitUninterruptibly();
    if (!bind.isSuccess()) {
      stopLoops();
      Throwable cause = bind.cause();
      throw new IOException(
          "cannot listen for the Redis protocol on "
              + listener.host()
              + ":"
              + listener.port()
              + ": "
              + (cause == null ? "unknown reason" : cause.getMessage()),
          cause);
    }
    serverChannel = bind.channel();
    context.bound(boundAddress().getPort(), epoll ? "epoll" : "nio");
    sampler =
        acceptor
            .next()
            .scheduleAtFixedRate(
                () -> context.counters.sample(System.nanoTime()),
                ServerCounters.SAMPLE_INTERVAL_MILLIS,
                ServerCounters.SAMPLE_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
  }

  @Override
  public InetSocketAddress boundAddress() {
    if (serverChannel == null) {
      throw new IllegalStateException("the Redis protocol front end is not started");
    }
    return (InetSocketAddress) serverChannel.localAddress();
  }

  @Override
  public synchronized void close() {
    if (closed || !started) {
      closed = true;
      return;
    }
    closed = true;
    if (sampler != null) {
      sampler.cancel(false);
    }
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly(CLOSE_WAIT_MILLIS);
    }
    for (Channel channel : channels) {
      RespConnection connection = channel.pipeline().get(RespConnection.class);
      if (connection != null) {
        channel.eventLoop().execute(connection::shutdown);
      }
    }
    channels.newCloseFuture().awaitUninterruptibly(CLOSE_WAIT_MILLIS);
    channels.close().awaitUninterruptibly(CLOSE_WAIT_MILLIS);
    stopLoops();
  }

  private void stopLoops() {
    var acceptorStopped = acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    var workersStopped = workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    acceptorStopped.awaitUninterruptibly(CLOSE_WAIT_MILLIS);
    workersStopped.awaitUninterruptibly(CLOSE_WAIT_MILLIS);
  }
}
