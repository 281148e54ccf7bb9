package io.ringkv.server.internode;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.ringkv.cluster.membership.EndpointState;
import io.ringkv.cluster.membership.GossipConfig;
import io.ringkv.server.internode.TransportCounters.Event;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Internode messaging: length-prefixed frames over TCP between ringkv nodes, on Netty
 * (docs/format/internode.md is the wire format; server/README.md, "Internode messaging", the
 * overview).
 *
 * <p>Connections: messages to a peer travel over this node's <em>outbound</em> connections to it
 * (at most {@code connectionsPerPeer}, opened lazily, chosen round-robin); a peer's messages arrive
 * on its outbound connections, which are this node's <em>inbound</em> ones, and requests are
 * answered on the connection they came on. Every connection starts with a handshake (magic,
 * version, cluster name, node id), so that a message is only ever delivered from an authenticated
 * peer of the same cluster. See {@link PeerConnections} for queueing, flushing and reconnecting,
 * {@link InternodeConnection} for the handshake and dispatch, {@link PendingRequests} for request
 * ids and timeouts.
 *
 * <p>Bounds (all in {@link InternodeConfig}): inbound connections, frame size, messages queued per
 * peer, connections per peer, requests in flight; plus {@link TransportCounters#PEERS_MAX} peers.
 * Nothing here blocks a caller: {@link #send} returns false when it drops a message, {@link
 * #request} fails its future.
 *
 * <p>Threads: its own event-loop group of one or two named threads ({@code ringkv-internode-*};
 * epoll where the native transport loads, NIO elsewhere). Each peer is pinned to one loop, where
 * all its connections live. Handler callbacks and the completion of request futures run on these
 * threads and must not block.
 *
 * <p>Lifecycle: construct, {@link #start()} once, {@link #close()} (idempotent). Thread-safe.
 */
public final class InternodeTransport implements AutoCloseable {
  /** Event-loop threads at most (fewer on a one-core machine). */
  static final int IO_THREADS_MAX = 2;

  /** How long {@link #close()} waits for connections and threads to stop. */
  static final long CLOSE_WAIT_MILLIS = 5_000;

  /** Unwritten bytes per connection above which it stops taking messages from the queue. */
  static final int WRITE_BUFFER_HIGH_BYTES = 2 << 20;

  /** Unwritten bytes per connection below which it takes messages again. */
  static final int WRITE_BUFFER_LOW_BYTES = 512 << 10;

  /** Flushes coalesced into one while a read batch or a write burst is under way. */
  static final int FLUSH_CONSOLIDATION_FLUSHES_MAX = 256;

  static final int ACCEPT_BACKLOG = 1_024;

  private static final String QUEUE_GAUGE = "ringkv.internode.queue.messages";

  private static final System.Logger LOG = System.getLogger(InternodeTransport.class.getName());

  private final InternodeConfig config;
  private final String selfId;
  private final MeterRegistry registry;
  private final TransportCounters counters;
  private final PendingRequests pending;
  private final ConnectionContext context;
  private final InboundLimiter inboundLimiter;
  private final Map<String, PeerConnections> peers = new ConcurrentHashMap<>();
  private final Map<String, InetSocketAddress> learntAddresses = new ConcurrentHashMap<>();
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final PeerConnections.Links links = new Links();
  private EventLoopGroup group;
  private Class<? extends Channel> socketChannelClass;
  private Channel serverChannel;
  private volatile boolean started;
  private volatile boolean closed;

  /** A transport enforcing the gossip bounds of {@link GossipConfig#defaults()} on the wire. */
  public InternodeTransport(
      InternodeConfig config,
      String selfId,
      String clusterName,
      InternodeHandler handler,
      MeterRegistry registry) {
    this(config, selfId, clusterName, handler, registry, WireLimits.defaults());
  }

  /**
   * @param selfId this node's id, sent in handshakes
   * @param clusterName peers of another cluster are refused
   * @param registry where the counters are exported (a {@code SimpleMeterRegistry} will do)
   * @param limits the gossip bounds enforced on the wire: {@link WireLimits#of} the node's gossip
   *     config
   */
  public InternodeTransport(
      InternodeConfig config,
      String selfId,
      String clusterName,
      InternodeHandler handler,
      MeterRegistry registry,
      WireLimits limits) {
    this.config = Objects.requireNonNull(config, "config");
    this.selfId = EndpointState.checkEndpoint("selfId", selfId);
    Objects.requireNonNull(clusterName, "clusterName");
    if (clusterName.isBlank() || clusterName.length() > GossipConfig.CLUSTER_NAME_CHARS_MAX) {
      throw new IllegalArgumentException(
          "clusterName must be non-blank with at most "
              + GossipConfig.CLUSTER_NAME_CHARS_MAX
              + " characters, was '"
              + clusterName
              + "'");
    }
    Objects.requireNonNull(handler, "handler");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.counters = new TransportCounters(registry);
    this.pending = new PendingRequests(config.pendingRequestsMax(), counters);
    this.context =
        new ConnectionContext(
            selfId,
            clusterName,
            config,
            new InternodeCodec(Objects.requireNonNull(limits, "limits")),
            handler,
            pending,
            counters,
            () -> localAddress().getPort(),
            this::learnFromHandshake);
    this.inboundLimiter = new InboundLimiter(config.inboundConnectionsMax(), counters);
    Gauge.builder("ringkv.internode.requests.pending", pending, PendingRequests::size)
        .register(registry);
    Gauge.builder("ringkv.internode.connections.inbound", inboundLimiter, InboundLimiter::open)
        .register(registry);
  }

  /**
   * Starts the event loops and listens on {@code host:port}.
   *
   * @throws IOException naming the address if it cannot be bound (in use, not local)
   */
  public synchronized void start() throws IOException {
    if (started || closed) {
      throw new IllegalStateException(
          "the internode transport was already " + (closed ? "closed" : "started"));
    }
    boolean epoll = Epoll.isAvailable();
    int threads = Math.max(1, Math.min(IO_THREADS_MAX, Runtime.getRuntime().availableProcessors()));
    DefaultThreadFactory threadFactory = new DefaultThreadFactory("ringkv-internode", true);
    group =
        epoll
            ? new EpollEventLoopGroup(threads, threadFactory)
            : new NioEventLoopGroup(threads, threadFactory);
    socketChannelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    Class<? extends ServerChannel> serverChannelClass =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(serverChannelClass)
            .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
            .option(ChannelOption.SO_REUSEADDR, true)
            .handler(inboundLimiter)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(WRITE_BUFFER_LOW_BYTES, WRITE_BUFFER_HIGH_BYTES))
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    FrameDecoder decoder = newDecoder();
                    channel
                        .pipeline()
                        .addLast(
                            newFlushConsolidation(),
                            decoder,
                            InternodeConnection.inbound(context, decoder));
                    channels.add(channel);
                  }
                });
    ChannelFuture bind = bootstrap.bind(config.host(), config.port()).awaitUninterruptibly();
    if (!bind.isSuccess()) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(CLOSE_WAIT_MILLIS);
      Throwable cause = bind.cause();
      throw new IOException(
          "cannot listen for internode messages on "
              + config.host()
              + ":"
              + config.port()
              + ": "
              + (cause == null ? "unknown reason" : cause.getMessage()),
          cause);
    }
    serverChannel = bind.channel();
    started = true;
  }

  /** The address the transport listens on (the actual port when the config said 0). */
  public InetSocketAddress localAddress() {
    Channel channel = serverChannel;
    if (channel == null) {
      throw new IllegalStateException("the internode transport is not started");
    }
    return (InetSocketAddress) channel.localAddress();
  }

  /**
   * Where to reach a peer, learnt from gossip; a configured override for that peer wins. A changed
   * address is used by the next connection (open connections stay) and ends the peer's backoff.
   */
  /**
   * An inbound handshake told where its node listens now: the freshest evidence there is, so it
   * replaces what gossip said (a restarted node may listen elsewhere) unless the configuration
   * names the peer's address. It also lets this node answer a peer it has not heard of yet (a
   * gossip ACK to a newcomer's first SYN).
   */
  private void learnFromHandshake(String peer, InetSocketAddress address) {
    if (!config.peerAddresses().containsKey(peer)) {
      updatePeerAddress(peer, address);
    }
  }

  public void updatePeerAddress(String peer, InetSocketAddress address) {
    EndpointState.checkEndpoint("peer", peer);
    Objects.requireNonNull(address, "address");
    if (address.getPort() == 0) {
      throw new IllegalArgumentException("the address of " + peer + " must have a port, was 0");
    }
    if (!learntAddresses.containsKey(peer)
        && learntAddresses.size() >= TransportCounters.PEERS_MAX) {
      counters.logOnce(
          "addresses-full",
          "ignored the address of '"
              + peer
              + "': "
              + TransportCounters.PEERS_MAX
              + " peer addresses are known",
          null);
      return;
    }
    InetSocketAddress previous = learntAddresses.put(peer, address);
    PeerConnections connections = peers.get(peer);
    if (connections != null
        && !address.equals(previous)
        && !config.peerAddresses().containsKey(peer)) {
      connections.addressChanged();
    }
  }

  /**
   * Connects to an address whose node id is unknown (a seed), handshakes, completes with its node
   * id, and closes the connection. The address is remembered for that node unless one is known
   * already. Fails with {@link PeerUnreachableException} if the connection or the handshake fails
   * (a seed that is this node itself refuses: its id clashes).
   */
  public CompletableFuture<String> handshake(InetSocketAddress address) {
    Objects.requireNonNull(address, "address");
    checkStarted();
    String label = "seed " + address.getHostString() + ":" + address.getPort();
    if (closed) {
      return CompletableFuture.failedFuture(new InternodeClosedException(label));
    }
    CompletableFuture<String> result = new CompletableFuture<>();
    InternodeConnection.Outcome outcome =
        new InternodeConnection.Outcome() {
          @Override
          public void handshaken(Channel channel, String peerId) {
            if (learntAddresses.size() < TransportCounters.PEERS_MAX) {
              learntAddresses.putIfAbsent(peerId, address);
            }
            result.complete(peerId);
            channel.close();
          }

          @Override
          public void failed(Channel channel, String reason) {
            result.completeExceptionally(new PeerUnreachableException(label, reason));
          }

          @Override
          public void closed(Channel channel) {}

          @Override
          public void writabilityChanged(Channel channel) {}
        };
    ChannelFuture connect;
    try {
      connect = connect(group.next(), address, null, outcome);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new InternodeClosedException(label));
    }
    connect.addListener(
        done -> {
          if (!done.isSuccess()) {
            result.completeExceptionally(
                new PeerUnreachableException(
                    label, links.connectFailed(null, address, done.cause()), done.cause()));
          }
        });
    return result;
  }

  /**
   * Sends a one-way message. Never blocks.
   *
   * @return false if the message was dropped (and counted): the peer's queue is full, no address is
   *     known for it, or the transport is closed
   * @throws IllegalArgumentException if {@code peer} is not a valid node id or is this node
   */
  public boolean send(String peer, InternodeMessage message) {
    checkPeer(peer);
    Objects.requireNonNull(message, "message");
    checkStarted();
    if (closed || addressOf(peer) == null) {
      counters.count(peer, Event.DROPPED_UNROUTABLE);
      return false;
    }
    PeerConnections connections = peerConnections(peer);
    if (connections == null) {
      counters.count(peer, Event.DROPPED_UNROUTABLE);
      return false;
    }
    return connections.offer(new PeerConnections.Outgoing(message, null));
  }

  /** {@link #request(String, InternodeMessage, long)} with {@code requestTimeoutMillis}. */
  public CompletableFuture<InternodeMessage> request(String peer, InternodeMessage request) {
    return request(peer, request, config.requestTimeoutMillis());
  }

  /**
   * Sends a request and completes with the peer's response. Never blocks. Fails with {@link
   * InternodeTimeoutException} after {@code timeoutMillis} (outcome unknown), {@link
   * PeerUnreachableException} if no connection can be made (or the one it was sent on closed),
   * {@link InternodeOverloadedException} at once if too many requests are in flight or the peer's
   * queue is full, {@link RemoteFailureException} if the peer could not answer, {@link
   * InternodeClosedException} if the transport closes first. The future completes on a transport
   * thread.
   *
   * @throws IllegalArgumentException if {@code peer} is not a valid node id or is this node, or
   *     {@code timeoutMillis} is out of range
   */
  public CompletableFuture<InternodeMessage> request(
      String peer, InternodeMessage request, long timeoutMillis) {
    checkPeer(peer);
    Objects.requireNonNull(request, "request");
    InternodeConfig.checkRange(
        "timeoutMillis", timeoutMillis, 1, InternodeConfig.TIMEOUT_MILLIS_LIMIT);
    checkStarted();
    if (closed) {
      return CompletableFuture.failedFuture(new InternodeClosedException(peer));
    }
    if (addressOf(peer) == null) {
      counters.count(peer, Event.DROPPED_UNROUTABLE);
      return CompletableFuture.failedFuture(
          new PeerUnreachableException(peer, "no address is known for it"));
    }
    PeerConnections connections = peerConnections(peer);
    if (connections == null) {
      counters.count(peer, Event.DROPPED_UNROUTABLE);
      return CompletableFuture.failedFuture(
          new PeerUnreachableException(
              peer, TransportCounters.PEERS_MAX + " peers are known already"));
    }
    String unreachable = connections.unreachableReason();
    if (unreachable != null) {
      return CompletableFuture.failedFuture(new PeerUnreachableException(peer, unreachable));
    }
    PendingRequests.Pending entry = pending.register(peer, timeoutMillis, connections.loop);
    if (entry == null) {
      counters.requestsRejected.increment();
      return CompletableFuture.failedFuture(
          new InternodeOverloadedException(
              peer, config.pendingRequestsMax() + " requests are in flight (pendingRequestsMax)"));
    }
    if (!connections.offer(new PeerConnections.Outgoing(request, entry))) {
      counters.requestsRejected.increment();
      pending.fail(
          entry,
          new InternodeOverloadedException(
              peer,
              "its outbound queue holds "
                  + config.outboundQueueMessagesMax()
                  + " messages (outboundQueueMessagesMax)"));
    }
    if (closed) {
      pending.fail(entry, new InternodeClosedException(peer));
    }
    return entry.future;
  }

  /**
   * Forgets a peer that left the cluster: closes its connections, fails its queued requests and
   * drops its queued messages and learnt address, so that the per-peer state stays bounded. Its
   * counters remain.
   */
  public void forgetPeer(String peer) {
    checkPeer(peer);
    learntAddresses.remove(peer);
    PeerConnections connections = peers.remove(peer);
    if (connections != null) {
      connections.forget();
      registry.find(QUEUE_GAUGE).tag("peer", peer).meters().forEach(registry::remove);
    }
  }

  /** A snapshot of the counters. */
  public TransportStats stats() {
    long queuedTotal = 0;
    for (PeerConnections connections : peers.values()) {
      queuedTotal += connections.queuedMessages();
    }
    return new TransportStats(
        counters.total(queuedTotal),
        counters.perPeer(
            peer -> {
              PeerConnections connections = peers.get(peer);
              return connections == null ? 0 : connections.queuedMessages();
            }),
        counters.inboundConnectionsRejected.sum(),
        counters.unknownResponses.sum(),
        counters.requestsRejected.sum(),
        inboundLimiter.open(),
        pending.size());
  }

  /**
   * Stops listening, closes every connection, fails pending requests with {@link
   * InternodeClosedException}, drops queued messages and stops the event loops. Idempotent. Waits
   * up to {@link #CLOSE_WAIT_MILLIS} for the loops, unless called on one of them.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    pending.closeAll();
    if (group == null) {
      return; // never started
    }
    boolean onLoop = onTransportThread();
    if (serverChannel != null) {
      serverChannel.close();
    }
    var channelsClosed = channels.close();
    for (PeerConnections connections : peers.values()) {
      connections.discardOnClose();
    }
    if (!onLoop) {
      channelsClosed.awaitUninterruptibly(CLOSE_WAIT_MILLIS);
    }
    var stopped = group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    if (!onLoop && !stopped.awaitUninterruptibly(CLOSE_WAIT_MILLIS)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "the internode event loops did not stop within " + CLOSE_WAIT_MILLIS + " ms");
    }
  }

  // ---------------------------------------------------------------- internals

  private InetSocketAddress addressOf(String peer) {
    InetSocketAddress override = config.peerAddresses().get(peer);
    return override != null ? override : learntAddresses.get(peer);
  }

  private PeerConnections peerConnections(String peer) {
    PeerConnections connections = peers.get(peer);
    if (connections != null) {
      return connections;
    }
    if (peers.size() >= TransportCounters.PEERS_MAX) {
      counters.logOnce(
          "peers-full",
          "dropped a message to '"
              + peer
              + "': "
              + TransportCounters.PEERS_MAX
              + " peers are known already",
          null);
      return null;
    }
    return peers.computeIfAbsent(
        peer,
        id -> {
          counters.track(id);
          PeerConnections created = new PeerConnections(id, group.next(), context, links);
          Gauge.builder(QUEUE_GAUGE, created, PeerConnections::queuedMessages)
              .tag("peer", id)
              .register(registry);
          return created;
        });
  }

  private ChannelFuture connect(
      EventLoop loop,
      InetSocketAddress address,
      String expectedPeer,
      InternodeConnection.Outcome outcome) {
    return new Bootstrap()
        .group(loop)
        .channel(socketChannelClass)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeoutMillis())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(
            ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(WRITE_BUFFER_LOW_BYTES, WRITE_BUFFER_HIGH_BYTES))
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel channel) {
                FrameDecoder decoder = newDecoder();
                channel
                    .pipeline()
                    .addLast(
                        newFlushConsolidation(),
                        decoder,
                        InternodeConnection.outbound(context, decoder, expectedPeer, outcome));
                channels.add(channel);
              }
            })
        .connect(address);
  }

  private FrameDecoder newDecoder() {
    return new FrameDecoder(context.codec(), config.frameBytesMax());
  }

  private static FlushConsolidationHandler newFlushConsolidation() {
    return new FlushConsolidationHandler(FLUSH_CONSOLIDATION_FLUSHES_MAX, true);
  }

  /**
   * True for an attempt that was actively refused (a reset: nothing listens there), false for a
   * timeout or an unreachable network. Netty reports a refusal as a {@link ConnectException}
   * ({@code AnnotatedConnectException} from NIO, {@code NativeConnectException} from epoll) whose
   * message says "Connection refused"; a connect timeout is the {@link ConnectTimeoutException}
   * subclass.
   */
  static boolean isRefused(Throwable cause) {
    return cause instanceof ConnectException
        && !(cause instanceof ConnectTimeoutException)
        && cause.getMessage() != null
        && cause.getMessage().toLowerCase(Locale.ROOT).contains("refused");
  }

  private void checkPeer(String peer) {
    EndpointState.checkEndpoint("peer", peer);
    if (peer.equals(selfId)) {
      throw new IllegalArgumentException("peer must not be this node itself ('" + selfId + "')");
    }
  }

  private void checkStarted() {
    if (!started && !closed) {
      throw new IllegalStateException("the internode transport is not started");
    }
  }

  private boolean onTransportThread() {
    for (EventExecutor executor : group) {
      if (executor.inEventLoop()) {
        return true;
      }
    }
    return false;
  }

  private final class Links implements PeerConnections.Links {
    @Override
    public InetSocketAddress addressOf(String peer) {
      return InternodeTransport.this.addressOf(peer);
    }

    @Override
    public ChannelFuture connect(
        EventLoop loop,
        InetSocketAddress address,
        String expectedPeer,
        InternodeConnection.Outcome outcome) {
      return InternodeTransport.this.connect(loop, address, expectedPeer, outcome);
    }

    @Override
    public String connectFailed(String peer, InetSocketAddress address, Throwable cause) {
      boolean refused = isRefused(cause);
      counters.count(peer, Event.CONNECT_FAILURE);
      String reason;
      if (refused) {
        counters.count(peer, Event.CONNECTION_REFUSED);
        reason = "connecting to " + address + " was refused (nothing listens there)";
      } else if (cause instanceof ConnectTimeoutException) {
        reason =
            "connecting to "
                + address
                + " timed out after "
                + config.connectTimeoutMillis()
                + " ms (connectTimeoutMillis)";
      } else {
        reason = "connecting to " + address + " failed: " + cause;
      }
      if (refused && peer != null) {
        try {
          context.handler().onConnectionRefused(peer);
        } catch (RuntimeException e) {
          counters.logOnce("handler-refused:" + peer, "the internode handler failed", e);
        }
      }
      return reason;
    }

    @Override
    public boolean isClosed() {
      return closed;
    }
  }
}
