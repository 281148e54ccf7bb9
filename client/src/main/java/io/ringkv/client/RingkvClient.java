package io.ringkv.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.ringkv.common.ConsistencyLevel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A ringkv client over gRPC: synchronous calls here, asynchronous ones through {@link #async()}.
 *
 * <pre>{@code
 * try (RingkvClient client = RingkvClient.builder()
 *     .addNode("10.0.0.1", 9090)
 *     .addNode("10.0.0.2", 9090)
 *     .defaultConsistency(ConsistencyLevel.QUORUM)
 *     .timeout(Duration.ofSeconds(2))
 *     .build()) {
 *   client.put("user:42".getBytes(UTF_8), payload, PutOptions.defaults().withTtl(Duration.ofHours(1)));
 *   Optional<Value> value = client.get("user:42".getBytes(UTF_8),
 *       ReadOptions.defaults().withConsistency(ConsistencyLevel.ONE));
 * }
 * }</pre>
 *
 * <p><b>Nodes and failover.</b> The client keeps one connection per node it was given. Each request
 * goes first to the node the {@link NodeSelection} picks and, if that fails in a way that allows
 * it, to the next one, each node at most once:
 *
 * <ul>
 *   <li>reads (get, multi-get, scan pages) move on after {@link RingkvException.Kind#UNAVAILABLE}
 *       or {@link RingkvException.Kind#FAILED};
 *   <li>writes (put, delete) move on only after an UNAVAILABLE that proves nothing was attempted:
 *       the node refused it (not enough replicas, connection limit), or the connection to the node
 *       could not be made. A write whose outcome is unknown — a timeout, a node failing mid-write,
 *       a connection lost after the request was sent — is <b>not</b> retried: it surfaces as a
 *       {@link RingkvException} with {@link RingkvException#indeterminate()} true, and the caller
 *       decides. A write with an idempotency key ({@link PutOptions#withIdempotencyKey}, and on
 *       deletes and increments) is the exception: it moves on after any failure but a refusal, even
 *       an indeterminate one, since the key makes a second application a no-op.
 * </ul>
 *
 * <p><b>Deadlines.</b> Every call has one deadline (the per-call timeout in its options, or the
 * client's {@link Builder#timeout}) that covers all its attempts; past it the call fails with
 * {@link RingkvException.Kind#TIMEOUT}. A scan's deadline applies to each page.
 *
 * <p><b>Consistency.</b> Per call in the options; otherwise the client's default; otherwise the
 * keyspace's default on the server.
 *
 * <p><b>Session timestamps.</b> Each coordinator stamps a write with its own hybrid logical clock,
 * and the newest stamp wins. A write sent through a node whose clock is a little behind the node
 * that took this client's previous write could be stamped lower and silently lose to it. So the
 * client keeps the highest timestamp it has been told of (write results, values read) and sends it
 * with every write; the coordinator stamps above it. One client's writes of a key then keep their
 * order whichever nodes they go through. Clients that share no state do not order each other's
 * writes this way. Turn it off with {@link Builder#sessionTimestamps(boolean)} (for instance, for a
 * client shared by unrelated writers that must not order each other).
 *
 * <p>Keys and values are byte arrays, copied when a call is made; the String overloads encode
 * UTF-8. Thread-safe; make one client per application and share it. {@link #close()} closes
 * connections, letting calls in flight finish for a bounded time.
 */
public final class RingkvClient implements AutoCloseable {
  private final NodePool pool;
  private final AsyncRingkvClient async;

  private RingkvClient(Builder builder) {
    this.pool =
        new NodePool(
            builder.nodes,
            builder.nodeSelection,
            address -> channel(address, builder.connectTimeout, builder.maxMessageBytes));
    this.async =
        new AsyncRingkvClient(
            new Failover(pool),
            builder.defaultReadConsistency,
            builder.defaultWriteConsistency,
            builder.timeout,
            builder.sessionTimestamps,
            builder.defaultKeyspace);
  }

  private static ManagedChannel channel(
      NodeAddress address, Duration connectTimeout, int maxMessageBytes) {
    return NettyChannelBuilder.forAddress(address.host(), address.port())
        .usePlaintext()
        .maxInboundMessageSize(maxMessageBytes)
        .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
        .keepAliveTime(Builder.KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(Builder.KEEPALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The asynchronous API over the same connections and defaults. */
  public AsyncRingkvClient async() {
    return async;
  }

  /** The nodes this client talks to, in the order given. */
  public List<NodeAddress> nodes() {
    return pool.nodes().stream().map(NodePool.Node::address).toList();
  }

  /** The newest live value of {@code key}, or empty. */
  public Optional<Value> get(byte[] key) {
    return await(async.get(key), false);
  }

  public Optional<Value> get(byte[] key, ReadOptions options) {
    return await(async.get(key, options), false);
  }

  /** {@link #get(byte[])} of a UTF-8 key. */
  public Optional<Value> get(String key) {
    return get(utf8(key));
  }

  /** The values of {@code keys} (1 to 1024), in their order. */
  public List<Optional<Value>> multiGet(List<byte[]> keys) {
    return await(async.multiGet(keys), false);
  }

  public List<Optional<Value>> multiGet(List<byte[]> keys, ReadOptions options) {
    return await(async.multiGet(keys, options), false);
  }

  /** Stores {@code value} under {@code key}. */
  public WriteResult put(byte[] key, byte[] value) {
    return await(async.put(key, value), true);
  }

  public WriteResult put(byte[] key, byte[] value, PutOptions options) {
    return await(async.put(key, value, options), true);
  }

  /** {@link #put(byte[], byte[])} of a UTF-8 key and value. */
  public WriteResult put(String key, String value) {
    return put(utf8(key), utf8(value));
  }

  /** Deletes {@code key}. */
  public WriteResult delete(byte[] key) {
    return await(async.delete(key), true);
  }

  public WriteResult delete(byte[] key, DeleteOptions options) {
    return await(async.delete(key, options), true);
  }

  /** {@link #delete(byte[])} of a UTF-8 key. */
  public WriteResult delete(String key) {
    return delete(utf8(key));
  }

  /**
   * What {@code key} holds with its causal context: the newest value and, after concurrent writes
   * in a causal keyspace, every sibling. Write back with {@link PutOptions#withCausalContext}.
   */
  public Versions getVersions(byte[] key) {
    return await(async.getVersions(key), false);
  }

  public Versions getVersions(byte[] key, ReadOptions options) {
    return await(async.getVersions(key, options), false);
  }

  /** Adds {@code delta} to the counter at {@code key}; see {@link AsyncRingkvClient#increment}. */
  public IncrementResult increment(byte[] key, long delta) {
    return increment(key, delta, IncrementOptions.defaults());
  }

  public IncrementResult increment(byte[] key, long delta, IncrementOptions options) {
    return await(async.increment(key, delta, options), true);
  }

  /** Adds {@code members} to the set at {@code key}; answers how many were new. */
  public int setAdd(byte[] key, List<byte[]> members, SetOptions options) {
    return await(async.setAdd(key, members, options), true);
  }

  /** Removes {@code members} from the set at {@code key}; answers how many were present. */
  public int setRemove(byte[] key, List<byte[]> members, SetOptions options) {
    return await(async.setRemove(key, members, options), true);
  }

  /** The members of the set at {@code key}, with its context. */
  public SetMembers setMembers(byte[] key, ReadOptions options) {
    return await(async.setMembers(key, options), false);
  }

  /** The keyspaces the answering node knows, by name. */
  public List<Keyspace> keyspaces() {
    return await(async.keyspaces(), false);
  }

  /** Creates or changes a keyspace; answers it as applied. */
  public Keyspace putKeyspace(Keyspace keyspace) {
    return await(async.putKeyspace(keyspace), true);
  }

  /** Drops the keyspace {@code name}. */
  public void dropKeyspace(String name) {
    await(async.dropKeyspace(name), true);
  }

  /** One page of a scan; see {@link AsyncRingkvClient#scanPage}. */
  public ScanPage scanPage(ScanOptions options) {
    return await(async.scanPage(options), false);
  }

  /** Every live key from the first, page by page. */
  public ScanIterable scan() {
    return scan(ScanOptions.defaults());
  }

  /** The keys {@code options} selects, page by page (see {@link ScanIterable}). */
  public ScanIterable scan(ScanOptions options) {
    return new ScanIterable(this, options);
  }

  @Override
  public void close() {
    pool.close();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Waits for a call; the failure is rethrown from here so its stack shows the caller. */
  private static <T> T await(CompletableFuture<T> call, boolean write) {
    try {
      return call.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RingkvException ringkv) {
        throw ringkv.rethrownHere();
      }
      throw Errors.fromGrpc(cause, null, write).rethrownHere();
    } catch (CancellationException e) {
      throw new RingkvException(
          RingkvException.Kind.FAILED, "the call was cancelled", write, null, null, e);
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new RingkvException(
          RingkvException.Kind.FAILED,
          "interrupted while waiting for the node"
              + (write ? "; the write may or may not have been applied" : ""),
          write,
          null,
          null,
          e);
    }
  }

  /** Configures a {@link RingkvClient}. Not thread-safe. */
  public static final class Builder {
    /** The whole-call deadline unless a call says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** How long a connection attempt to a node may take. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);

    /** Largest response message accepted: a maximal value with room to spare. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 << 20;

    /** Most nodes one client connects to (each gets a connection). */
    public static final int NODES_MAX = 64;

    static final Duration KEEPALIVE_TIME = Duration.ofSeconds(30);
    static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(10);

    private final List<NodeAddress> nodes = new ArrayList<>();
    private ConsistencyLevel defaultReadConsistency;
    private ConsistencyLevel defaultWriteConsistency;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private NodeSelection nodeSelection = NodeSelection.ROUND_ROBIN;
    private boolean sessionTimestamps = true;
    private String defaultKeyspace;

    private Builder() {}

    /**
     * The keyspace of calls whose options name none; null (the default) for the node's {@code
     * default} keyspace. The node checks the name and answers NO_SUCH_KEYSPACE for an unknown one.
     */
    public Builder defaultKeyspace(String name) {
      this.defaultKeyspace = name == null || name.isEmpty() ? null : name;
      return this;
    }

    /** A node's gRPC address; give every node the client may use, in order of preference. */
    public Builder addNode(String host, int port) {
      return addNode(new NodeAddress(host, port));
    }

    /** A node as {@code host:port} (see {@link NodeAddress#parse}). */
    public Builder addNode(String hostAndPort) {
      return addNode(NodeAddress.parse(hostAndPort));
    }

    public Builder addNode(NodeAddress address) {
      if (nodes.size() == NODES_MAX) {
        throw new IllegalArgumentException("a client takes at most " + NODES_MAX + " nodes");
      }
      nodes.add(address);
      return this;
    }

    /**
     * The level for calls that name none, reads and writes alike; null leaves it to the server. ANY
     * is refused here because reads cannot use it: see {@link #defaultWriteConsistency}.
     */
    public Builder defaultConsistency(ConsistencyLevel level) {
      if (level != null && !level.allowsReads()) {
        throw new IllegalArgumentException(
            "consistency " + level + " is for writes only; set it with defaultWriteConsistency");
      }
      this.defaultReadConsistency = level;
      this.defaultWriteConsistency = level;
      return this;
    }

    /** The level for writes that name none (overrides {@link #defaultConsistency} for writes). */
    public Builder defaultWriteConsistency(ConsistencyLevel level) {
      this.defaultWriteConsistency = level;
      return this;
    }

    /** The deadline of a whole call, failover included, unless the call says otherwise. */
    public Builder timeout(Duration callTimeout) {
      Options.checkTimeout(callTimeout);
      if (callTimeout == null) {
        throw new IllegalArgumentException("timeout must not be null");
      }
      this.timeout = callTimeout;
      return this;
    }

    /** How long one connection attempt may take. */
    public Builder connectTimeout(Duration timeout) {
      Options.checkTimeout(timeout);
      if (timeout == null || timeout.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "connectTimeout must be 1 ms to 24 days, was " + timeout);
      }
      this.connectTimeout = timeout;
      return this;
    }

    /** Largest response message accepted (a node's values must fit). */
    public Builder maxMessageBytes(int bytes) {
      if (bytes < 1 << 10) {
        throw new IllegalArgumentException("maxMessageBytes must be at least 1024, was " + bytes);
      }
      this.maxMessageBytes = bytes;
      return this;
    }

    public Builder nodeSelection(NodeSelection selection) {
      if (selection == null) {
        throw new IllegalArgumentException("nodeSelection must not be null");
      }
      this.nodeSelection = selection;
      return this;
    }

    /**
     * Whether the client sends the highest timestamp it has seen with every write (on by default),
     * so that its writes keep their order across coordinators whose clocks differ a little; see
     * "Session timestamps" in {@link RingkvClient}. Off, each write is ordered by its coordinator's
     * clock alone.
     */
    public Builder sessionTimestamps(boolean enabled) {
      this.sessionTimestamps = enabled;
      return this;
    }

    /**
     * Creates the client. Connections are made lazily, on first use.
     *
     * @throws IllegalArgumentException if no node was given
     */
    public RingkvClient build() {
      if (nodes.isEmpty()) {
        throw new IllegalArgumentException("add at least one node (addNode(\"127.0.0.1\", 9090))");
      }
      return new RingkvClient(this);
    }
  }
}
