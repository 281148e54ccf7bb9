package io.ringkv.server.node;

import io.ringkv.cluster.ring.KeyCodec;
import io.ringkv.common.SystemClock;
import io.ringkv.server.FrontEnd;
import io.ringkv.server.cluster.ClusterService;
import io.ringkv.server.cluster.ClusterStatusSource;
import io.ringkv.server.config.FrontEndKind;
import io.ringkv.server.config.FrontEndSection;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.server.config.NodeConfig;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.kv.LocalKeyValueService;
import io.ringkv.server.metrics.NodeMetrics;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.EngineStats;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One running ringkv node: its directory lock, storage engine, {@link KeyValueService}, metrics and
 * front ends, started together by {@link #start} and stopped together by {@link #close()}.
 *
 * <p>Start order is lock → engine → service and metrics → front ends (in wiring order); a node only
 * listens once it can answer. If any step fails, everything already started is closed again, in
 * reverse, before the {@link NodeStartException} is thrown: a failed start leaves the directory
 * unlocked and no port bound, so a corrected start can follow at once.
 *
 * <p>Stop order is the reverse: the front ends stop taking requests and finish in-flight ones
 * (together, within {@code node.shutdown_timeout_millis}; past that the storage is closed anyway),
 * then the write-ahead log is synced, the engine closed and the lock released. After a clean stop
 * every acknowledged write is on disk, whatever {@code storage.fsync} says.
 *
 * <p>Layout of the node's directory ({@code <node.data_directory>/<node.id>}): {@code node.lock},
 * and the engine's files under {@code storage/}.
 *
 * <p>Thread-safety: thread-safe. {@link #close()} is idempotent and may be called from any thread
 * (the CLI's main thread and a JVM shutdown hook may race); a second caller waits for the first to
 * finish.
 */
public final class Node implements AutoCloseable {
  /** The engine's directory within the node's directory. */
  public static final String STORAGE_DIRECTORY = "storage";

  private final NodeConfig config;
  private final NodeLock lock;
  private final StorageEngine engine;
  private final LocalKeyValueService service;
  private final NodeMetrics metrics;
  private final Map<FrontEndKind, FrontEnd> frontEnds;
  private final ClusterService cluster;
  private boolean closed;

  private Node(
      NodeConfig config,
      NodeLock lock,
      StorageEngine engine,
      LocalKeyValueService service,
      NodeMetrics metrics,
      Map<FrontEndKind, FrontEnd> frontEnds,
      ClusterService cluster) {
    this.cluster = cluster;
    this.config = config;
    this.lock = lock;
    this.engine = engine;
    this.service = service;
    this.metrics = metrics;
    this.frontEnds = Collections.unmodifiableMap(frontEnds);
  }

  /**
   * Starts a node: locks its directory, opens the storage, and starts each enabled front end of
   * {@code wiring}. Returns once every front end listens.
   *
   * @throws NodeStartException if any step fails; whatever was started is closed again
   */
  public static Node start(NodeConfig config, NodeWiring wiring) throws NodeStartException {
    Path directory = config.node().directory();
    NodeLock lock = NodeLock.acquire(directory);
    StorageEngine engine = null;
    LocalKeyValueService service = null;
    Map<FrontEndKind, FrontEnd> started = new EnumMap<>(FrontEndKind.class);
    ClusterService cluster = null;
    try {
      engine = openEngine(config, directory);
      service = new LocalKeyValueService(engine, SystemClock.INSTANCE, config.storage().fsync());
      NodeMetrics metrics = new NodeMetrics();
      metrics.bindService(service::stats);
      StorageEngine storage = engine;
      ClusterStatusSource clusterStatus = ClusterStatusSource.unavailable();
      if (wiring.cluster()) {
        cluster =
            new ClusterService(
                config,
                () -> {
                  EngineStats stats = storage.stats(); // one snapshot: both figures agree
                  return stats.liveDataBytes() + stats.memtableBytes();
                },
                metrics.registry());
        clusterStatus = cluster;
      }
      for (NodeWiring.Binding binding : wiring.frontEnds()) {
        FrontEndSection section = config.frontEnd(binding.kind());
        if (section.enabled()) {
          started.put(
              binding.kind(),
              startFrontEnd(binding, section, config, service, metrics, clusterStatus));
        }
      }
      if (cluster != null) {
        startCluster(cluster, config, started);
      }
      return new Node(config, lock, engine, service, metrics, started, cluster);
    } catch (Throwable failure) {
      if (cluster != null) {
        cluster.close();
      }
      List<FrontEnd> reverse = new ArrayList<>(started.values());
      Collections.reverse(reverse);
      for (FrontEnd frontEnd : reverse) {
        closeQuietly(frontEnd, failure);
      }
      if (service != null) {
        service.close();
      }
      if (engine != null) {
        closeQuietly(engine, failure);
      }
      closeQuietly(lock, failure);
      throw failure;
    }
  }

  private static void startCluster(
      ClusterService cluster, NodeConfig config, Map<FrontEndKind, FrontEnd> started)
      throws NodeStartException {
    try {
      cluster.start(
          boundPort(started, FrontEndKind.RESP),
          boundPort(started, FrontEndKind.HTTP),
          boundPort(started, FrontEndKind.GRPC));
    } catch (IOException | RuntimeException e) {
      throw new NodeStartException(
          NodeStartException.Kind.CLUSTER_FAILED,
          "cannot join the cluster (internode "
              + config.internode().host()
              + ":"
              + config.internode().port()
              + "): "
              + e.getMessage(),
          e);
    }
  }

  private static int boundPort(Map<FrontEndKind, FrontEnd> started, FrontEndKind kind) {
    FrontEnd frontEnd = started.get(kind);
    return frontEnd == null ? 0 : frontEnd.boundAddress().getPort();
  }

  private static StorageEngine openEngine(NodeConfig config, Path directory)
      throws NodeStartException {
    Path storage = directory.resolve(STORAGE_DIRECTORY);
    EngineOptions userOptions = config.storage().toEngineOptions(storage, config.limits());
    // Stored keys carry an 8-byte token prefix (KeyCodec); limits.key_bytes_max bounds user keys.
    EngineOptions options =
        userOptions.toBuilder()
            .keyBytesMax(userOptions.keyBytesMax() + KeyCodec.TOKEN_BYTES)
            .build();
    try {
      return StorageEngines.open(options);
    } catch (IllegalArgumentException e) {
      throw new NodeStartException(
          NodeStartException.Kind.INVALID_CONFIG,
          "the storage engine refused its options: " + e.getMessage(),
          e);
    } catch (StorageException e) {
      String message = String.valueOf(e.getMessage());
      if (message.contains(" is locked") || message.contains("While lock file")) {
        // The node's own lock is held, so someone else opened the engine directly (a tool).
        throw new NodeStartException(
            NodeStartException.Kind.DATA_DIRECTORY_IN_USE,
            "data directory "
                + directory
                + " is in use by another ringkv process (lock file "
                + storage.resolve("LOCK")
                + ")",
            e);
      }
      throw new NodeStartException(
          NodeStartException.Kind.STORAGE_FAILED,
          "cannot open the storage in " + storage + ": " + message,
          e);
    }
  }

  private static FrontEnd startFrontEnd(
      NodeWiring.Binding binding,
      FrontEndSection section,
      NodeConfig config,
      KeyValueService service,
      NodeMetrics metrics,
      ClusterStatusSource cluster)
      throws NodeStartException {
    ListenerConfig listener = section.listener();
    String what =
        "the "
            + binding.kind().section()
            + " front end on "
            + listener.host()
            + ":"
            + listener.port();
    FrontEnd frontEnd;
    try {
      frontEnd = binding.factory().create(config, service, metrics, cluster);
    } catch (RuntimeException e) {
      throw new NodeStartException(
          NodeStartException.Kind.FRONT_END_FAILED, "cannot create " + what + ": " + e, e);
    }
    try {
      frontEnd.start();
      return frontEnd;
    } catch (Exception e) {
      closeQuietly(frontEnd, e);
      throw new NodeStartException(
          NodeStartException.Kind.FRONT_END_FAILED,
          "cannot start " + what + ": " + e.getMessage(),
          e);
    }
  }

  private static void closeQuietly(AutoCloseable closeable, Throwable failure) {
    try {
      closeable.close();
    } catch (Exception suppressed) {
      failure.addSuppressed(suppressed);
    }
  }

  /** The node's id ({@code node.id}). */
  public String id() {
    return config.node().id();
  }

  public NodeConfig config() {
    return config;
  }

  /** The node's own directory, {@code <data_directory>/<id>}. */
  public Path directory() {
    return config.node().directory();
  }

  /** What the front ends call; for tools and tests that talk to the node in-process. */
  public KeyValueService service() {
    return service;
  }

  public NodeMetrics metrics() {
    return metrics;
  }

  /** The cluster service, if this node runs one. */
  public Optional<ClusterService> cluster() {
    return Optional.ofNullable(cluster);
  }

  /** Where the front end of {@code kind} listens, if it runs (the real port when 0 was asked). */
  public Optional<InetSocketAddress> address(FrontEndKind kind) {
    FrontEnd frontEnd = frontEnds.get(kind);
    return frontEnd == null ? Optional.empty() : Optional.of(frontEnd.boundAddress());
  }

  /** One running front end and its address. */
  public record Endpoint(String name, InetSocketAddress address) {
    /** {@code resp 127.0.0.1:6379}. */
    @Override
    public String toString() {
      return name + " " + hostAndPort(address);
    }
  }

  /** The running front ends, in start order. */
  public List<Endpoint> endpoints() {
    List<Endpoint> endpoints = new ArrayList<>();
    for (FrontEnd frontEnd : frontEnds.values()) {
      endpoints.add(new Endpoint(frontEnd.name(), frontEnd.boundAddress()));
    }
    return endpoints;
  }

  /**
   * The line printed once the node is up: {@code ringkv node node-1 up: resp 127.0.0.1:6379, http
   * 127.0.0.1:8080, grpc 127.0.0.1:9090, data ./data/node-1}. Scripts and tests wait for it.
   */
  public String upLine() {
    StringBuilder line = new StringBuilder("ringkv node ").append(id()).append(" up: ");
    for (Endpoint endpoint : endpoints()) {
      line.append(endpoint).append(", ");
    }
    if (cluster != null) {
      line.append("internode ").append(hostAndPort(cluster.internodeAddress())).append(", ");
    }
    return line.append("data ").append(directory()).toString();
  }

  static String hostAndPort(InetSocketAddress address) {
    String host = address.getHostString();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /**
   * Stops the node: front ends first (bounded by {@code node.shutdown_timeout_millis}), then syncs
   * the write-ahead log, closes the engine and releases the directory lock. Idempotent.
   *
   * @throws NodeStopException after every step was attempted, if any failed
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<String> problems = new ArrayList<>();
    if (cluster != null) {
      cluster.close();
    }
    stopFrontEnds(problems);
    service.close();
    try {
      engine.sync();
    } catch (StorageException | RuntimeException e) {
      problems.add("syncing the write-ahead log failed: " + e.getMessage());
    }
    try {
      engine.close();
    } catch (StorageException | RuntimeException e) {
      problems.add("closing the storage failed: " + e.getMessage());
    }
    try {
      lock.close();
    } catch (Exception e) {
      problems.add("releasing the lock of " + directory() + " failed: " + e.getMessage());
    }
    if (!problems.isEmpty()) {
      throw new NodeStopException(id(), problems);
    }
  }

  /** Closes every front end at once, each on its own thread, and waits for all within the bound. */
  private void stopFrontEnds(List<String> problems) {
    long timeoutMillis = config.node().shutdownTimeoutMillis();
    long deadline = System.nanoTime() + Duration.ofMillis(timeoutMillis).toNanos();
    Map<FrontEnd, Thread> stopping = new LinkedHashMap<>();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    for (FrontEnd frontEnd : frontEnds.values()) {
      Thread thread =
          Thread.ofVirtual()
              .name("ringkv-stop-" + frontEnd.name())
              .start(
                  () -> {
                    try {
                      frontEnd.close();
                    } catch (RuntimeException e) {
                      failures.add("stopping the " + frontEnd.name() + " front end failed: " + e);
                    }
                  });
      stopping.put(frontEnd, thread);
    }
    boolean interrupted = false;
    for (Map.Entry<FrontEnd, Thread> entry : stopping.entrySet()) {
      boolean stopped = false;
      try {
        long remaining = Math.max(0, deadline - System.nanoTime());
        stopped = entry.getValue().join(Duration.ofNanos(remaining));
      } catch (InterruptedException e) {
        interrupted = true;
      }
      if (!stopped) {
        problems.add(
            "the "
                + entry.getKey().name()
                + " front end did not stop within "
                + timeoutMillis
                + " ms (node.shutdown_timeout_millis); the storage was closed anyway");
      }
    }
    problems.addAll(failures);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
