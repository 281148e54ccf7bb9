package io.ringkv.server.node;

import io.ringkv.cluster.hints.HintConfig;
import io.ringkv.cluster.hints.HintStats;
import io.ringkv.cluster.hints.HintStore;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.replication.LocalReplica;
import io.ringkv.cluster.ring.KeyCodec;
import io.ringkv.cluster.version.Actor;
import io.ringkv.cluster.version.IncarnationFile;
import io.ringkv.common.SystemClock;
import io.ringkv.server.FrontEnd;
import io.ringkv.server.cluster.ClusterService;
import io.ringkv.server.cluster.ClusterStatusReport;
import io.ringkv.server.cluster.ClusterStatusSource;
import io.ringkv.server.config.FrontEndKind;
import io.ringkv.server.config.FrontEndSection;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.server.config.NodeConfig;
import io.ringkv.server.kv.ClusterKeyValueService;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.kv.LocalKeyValueService;
import io.ringkv.server.metrics.NodeMetrics;
import io.ringkv.server.metrics.ReplicationMetrics;
import io.ringkv.server.replication.HintHandoff;
import io.ringkv.server.replication.NodeClock;
import io.ringkv.server.replication.ReplicationService;
import io.ringkv.server.replication.ReplicationSettings;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.EngineStats;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.fs.LocalFileSystem;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
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
 * listens once it can answer. With the cluster ({@link NodeWiring#cluster()}), the service is a
 * {@link ClusterKeyValueService}: every request goes through this node's {@link ReplicationService}
 * as coordinator; its hint store opens before the front ends, and the cluster service and hint
 * handoff start after them (the cluster announces the front ends' bound ports). Without the
 * cluster, a {@link LocalKeyValueService} answers from the engine alone. If any step fails,
 * everything already started is closed again, in reverse, before the {@link NodeStartException} is
 * thrown: a failed start leaves the directory unlocked and no port bound, so a corrected start can
 * follow at once.
 *
 * <p>Stop order is the reverse: the front ends stop taking requests and finish in-flight ones
 * (together, within {@code node.shutdown_timeout_millis}; past that the storage is closed anyway),
 * then the replication service stops, the hint store is synced and closed, the cluster service
 * leaves, the write-ahead log is synced, the engine closed and the lock released. After a clean
 * stop every acknowledged write is on disk, whatever {@code storage.fsync} says.
 *
 * <p>Layout of the node's directory ({@code <node.data_directory>/<node.id>}): {@code node.lock},
 * the engine's files under {@code storage/}, hints under {@code hints/} (cluster nodes), and
 * (cluster nodes) {@code incarnation}, the second half of the node's causal actor: opened right
 * after the engine, it takes a new incarnation if the last run was not marked clean, and is marked
 * clean as the very last step of a close in which the engine synced and closed without a problem
 * (docs/design/causal.md, "Actors"; docs/format/node-state.md).
 *
 * <p>Thread-safety: thread-safe. {@link #close()} is idempotent and may be called from any thread
 * (the CLI's main thread and a JVM shutdown hook may race); a second caller waits for the first to
 * finish.
 */
public final class Node implements AutoCloseable {
  /** The engine's directory within the node's directory. */
  public static final String STORAGE_DIRECTORY = "storage";

  /** Hint segments hold this many bytes, or one largest hint if that is more. */
  static final long HINT_SEGMENT_BYTES = 8L << 20;

  /** Room for a hint's and a segment's headers beyond its key and value. */
  static final long HINT_OVERHEAD_BYTES = 64L << 10;

  /** How often {@link #awaitCoordinating} looks at the cluster view. */
  static final long COORDINATING_POLL_MILLIS = 20;

  /** Room in an internode frame beyond one largest key and value (headers, a batch's lengths). */
  static final long FRAME_HEADROOM_BYTES = 64L << 10;

  private final NodeConfig config;
  private final NodeLock lock;
  private final StorageEngine engine;
  private final KeyValueService service;
  private final LocalKeyValueService localService;
  private final NodeMetrics metrics;
  private final Map<FrontEndKind, FrontEnd> frontEnds;
  private final ClusterService cluster;
  private final Replication replication;
  private final IncarnationFile incarnation;
  private boolean closed;

  /** The replication parts of a cluster node, started and stopped together. */
  private record Replication(
      ReplicationService service, HintHandoff handoff, ClusterKeyValueService keyValue) {

    /** The hint figures of {@code ringkv status}. */
    ClusterStatusReport.HintStatus hintStatus() {
      HintStats stats = handoff.store().stats();
      return new ClusterStatusReport.HintStatus(
          stats.pendingBytes(),
          stats.pendingTargets(),
          stats.stored(),
          stats.delivered(),
          stats.droppedFull(),
          stats.droppedExpired(),
          stats.droppedFull() + stats.droppedExpired());
    }
  }

  private Node(
      NodeConfig config,
      NodeLock lock,
      StorageEngine engine,
      KeyValueService service,
      LocalKeyValueService localService,
      NodeMetrics metrics,
      Map<FrontEndKind, FrontEnd> frontEnds,
      ClusterService cluster,
      Replication replication,
      IncarnationFile incarnation) {
    this.cluster = cluster;
    this.incarnation = incarnation;
    this.config = config;
    this.lock = lock;
    this.engine = engine;
    this.service = service;
    this.localService = localService;
    this.metrics = metrics;
    this.frontEnds = Collections.unmodifiableMap(frontEnds);
    this.replication = replication;
  }

  /**
   * Starts a node: locks its directory, opens the storage, and starts each enabled front end of
   * {@code wiring}. Returns once every front end listens.
   *
   * @throws NodeStartException if any step fails; whatever was started is closed again
   */
  public static Node start(NodeConfig config, NodeWiring wiring) throws NodeStartException {
    return start(config, wiring, ReplicationSettings.of(config));
  }

  /**
   * Starts a node as {@link #start(NodeConfig, NodeWiring)} does, with {@code replication} as its
   * replication settings (used when the wiring runs the cluster).
   *
   * @throws NodeStartException if any step fails; whatever was started is closed again
   */
  public static Node start(NodeConfig config, NodeWiring wiring, ReplicationSettings settings)
      throws NodeStartException {
    Path directory = config.node().directory();
    NodeLock lock = NodeLock.acquire(directory);
    StorageEngine engine = null;
    LocalKeyValueService localService = null;
    HintStore hintStore = null;
    Replication replication = null;
    Map<FrontEndKind, FrontEnd> started = new EnumMap<>(FrontEndKind.class);
    ClusterService cluster = null;
    IncarnationFile incarnation = null;
    try {
      engine = openEngine(config, directory);
      StoredKeyLayout.check(directory, engine);
      NodeMetrics metrics = new NodeMetrics();
      KeyValueService service;
      StorageEngine storage = engine;
      ClusterStatusSource clusterStatus = ClusterStatusSource.unavailable();
      if (wiring.cluster()) {
        incarnation = openIncarnation(directory);
        cluster =
            new ClusterService(
                config,
                () -> {
                  EngineStats stats = storage.stats(); // one snapshot: both figures agree
                  return stats.liveDataBytes() + stats.memtableBytes();
                },
                metrics.registry(),
                settings.maxClockSkewMillis());
        hintStore = openHints(config, settings);
        replication =
            replication(
                config,
                settings,
                engine,
                hintStore,
                cluster,
                metrics,
                new Actor(NodeId.of(config.node().id()), incarnation.incarnation()));
        hintStore = null; // the handoff owns it now
        cluster.setReplicaReceiver(replication.service());
        service = replication.keyValue();
        Replication replicating = replication;
        ClusterService source = cluster;
        clusterStatus =
            () -> source.status().thenApply(report -> report.withHints(replicating.hintStatus()));
      } else {
        localService =
            new LocalKeyValueService(engine, SystemClock.INSTANCE, config.storage().fsync());
        service = localService;
      }
      metrics.bindService(service::stats);
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
        replication.handoff().start();
      }
      return new Node(
          config,
          lock,
          engine,
          service,
          localService,
          metrics,
          started,
          cluster,
          replication,
          incarnation);
    } catch (Throwable failure) {
      List<FrontEnd> reverse = new ArrayList<>(started.values());
      Collections.reverse(reverse);
      for (FrontEnd frontEnd : reverse) {
        closeQuietly(frontEnd, failure);
      }
      if (replication != null) {
        replication.service().close();
        closeQuietly(replication.handoff(), failure);
      }
      if (hintStore != null) {
        closeQuietly(hintStore, failure);
      }
      if (cluster != null) {
        cluster.close();
      }
      if (localService != null) {
        localService.close();
      }
      if (engine != null) {
        closeQuietly(engine, failure);
      }
      closeQuietly(lock, failure);
      throw failure;
    }
  }

  /**
   * This run's causal incarnation: the last one if the last run was marked clean, else the next,
   * stored durably before any causal write can be served.
   */
  private static IncarnationFile openIncarnation(Path directory) throws NodeStartException {
    try {
      IncarnationFile file = IncarnationFile.open(new LocalFileSystem(), directory);
      System.getLogger(Node.class.getName())
          .log(
              System.Logger.Level.INFO,
              file.bumped()
                  ? "causal incarnation {0} (the last run did not stop cleanly)"
                  : "causal incarnation {0}",
              file.incarnation());
      return file;
    } catch (IOException | RuntimeException e) {
      throw new NodeStartException(
          NodeStartException.Kind.STORAGE_FAILED,
          "cannot open the incarnation file in " + directory + ": " + e.getMessage(),
          e);
    }
  }

  /** The hint store, fsynced as the engine's write-ahead log is ({@code storage.fsync}). */
  private static HintStore openHints(NodeConfig config, ReplicationSettings settings)
      throws NodeStartException {
    // A segment must hold the largest hint: a whole key and value, with room for the headers.
    long hintBytesMax =
        (long) config.limits().keyBytesMax()
            + KeyCodec.PREFIX_BYTES
            + config.limits().valueBytesMax();
    long segmentBytes = Math.max(HINT_SEGMENT_BYTES, hintBytesMax + HINT_OVERHEAD_BYTES);
    HintConfig hintConfig;
    try {
      hintConfig =
          new HintConfig(
              settings.hintsEnabled(),
              settings.hintWindowMillis(),
              settings.hintMaxBytesPerTarget(),
              segmentBytes,
              config.storage().fsync());
    } catch (IllegalArgumentException e) {
      throw new NodeStartException(
          NodeStartException.Kind.INVALID_CONFIG,
          "the hint settings are invalid: " + e.getMessage(),
          e);
    }
    try {
      return HintStore.open(new LocalFileSystem(), settings.hintDirectory(), hintConfig);
    } catch (IOException | RuntimeException e) {
      throw new NodeStartException(
          NodeStartException.Kind.STORAGE_FAILED,
          "cannot open the hint store in " + settings.hintDirectory() + ": " + e.getMessage(),
          e);
    }
  }

  private static Replication replication(
      NodeConfig config,
      ReplicationSettings settings,
      StorageEngine engine,
      HintStore hintStore,
      ClusterService cluster,
      NodeMetrics metrics,
      Actor actor) {
    NodeClock clock = new NodeClock(SystemClock.INSTANCE);
    // A replica's scan answer and a hint batch must each fit one internode frame.
    long frameBudget =
        Math.max(
            0,
            config.internode().frameBytesMax()
                - config.limits().keyBytesMax()
                - KeyCodec.PREFIX_BYTES
                - config.limits().valueBytesMax()
                - FRAME_HEADROOM_BYTES);
    LocalReplica local =
        new LocalReplica(
            engine,
            config.storage().fsync(),
            hintStore,
            clock::wallMillis,
            frameBudget,
            actor,
            config.replication().causalSiblingsMax(),
            causalObjectBytesMax(config));
    long seed = new SecureRandom().nextLong();
    ReplicationService service =
        new ReplicationService(
            NodeId.of(config.node().id()),
            cluster::view,
            cluster::request,
            local,
            hintStore,
            settings,
            clock,
            metrics.replication(),
            seed);
    System.getLogger(Node.class.getName())
        .log(System.Logger.Level.INFO, "replication: background read repair seed {0}", seed);
    HintHandoff handoff =
        new HintHandoff(
            hintStore,
            cluster::view,
            cluster::request,
            clock,
            metrics.replication(),
            settings.hintThrottleBytesPerSecond(),
            (int) Math.max(1, Math.min(Integer.MAX_VALUE, frameBudget)),
            settings.writeTimeoutMillis(),
            config.storage().fsync() == io.ringkv.storage.Durability.SYNC
                ? 0
                : Math.max(1, config.storage().periodicSyncMillis()));
    metrics
        .replication()
        .bindHintStore(
            hintStore::stats,
            new ReplicationMetrics.HintFigures<HintStats>(
                HintStats::pendingBytes,
                HintStats::pendingTargets,
                HintStats::droppedExpired,
                HintStats::droppedFull,
                HintStats::corrupt));
    ClusterKeyValueService keyValue =
        new ClusterKeyValueService(
            service,
            engine,
            config.limits().keyBytesMax(),
            config.limits().valueBytesMax(),
            cluster.keyspaceAdmin());
    return new Replication(service, handoff, keyValue);
  }

  /**
   * The largest causal object a causal update may leave: a causal cell is stored, sent and hinted
   * where a value is, so the bound is {@code limits.value_bytes_max} (frames and hint segments are
   * sized for it); an update past it is refused (TOO_LARGE) with the bound in its message.
   */
  static int causalObjectBytesMax(NodeConfig config) {
    return Math.max(1, config.limits().valueBytesMax());
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
    // Stored keys carry a 12-byte prefix, token and keyspace tag (KeyCodec); limits.key_bytes_max
    // bounds user keys.
    EngineOptions options =
        userOptions.toBuilder()
            .keyBytesMax(userOptions.keyBytesMax() + KeyCodec.PREFIX_BYTES)
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

  /**
   * Waits until this node can coordinate requests: it has joined the cluster far enough to know a
   * ring (at once for a node without the cluster, or one restarted with its tokens). Polls; true if
   * it can, false if {@code timeout} passed first.
   */
  public boolean awaitCoordinating(Duration timeout) {
    if (cluster == null) {
      return true;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      var view = cluster.view();
      if (view.started() && !view.metadata().ring().isEmpty()) {
        return true;
      }
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      try {
        Thread.sleep(COORDINATING_POLL_MILLIS); // a poll interval: the view has no listeners
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /**
   * This node as a causal dot replica (its id and this run's incarnation), if it runs the cluster.
   */
  public Optional<Actor> actor() {
    return incarnation == null
        ? Optional.empty()
        : Optional.of(new Actor(NodeId.of(id()), incarnation.incarnation()));
  }

  /** The replication service (the replica side of internode requests), for in-process tests. */
  Optional<ReplicationService> replicationService() {
    return replication == null ? Optional.empty() : Optional.of(replication.service());
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
    stopFrontEnds(problems);
    if (replication != null) {
      replication.service().close();
      try {
        replication.handoff().close();
      } catch (IOException | RuntimeException e) {
        problems.add("syncing and closing the hint store failed: " + e.getMessage());
      }
    }
    if (cluster != null) {
      cluster.close();
    }
    if (localService != null) {
      localService.close();
    }
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
    if (incarnation != null && problems.isEmpty()) {
      // Every write of this run is on disk: the next run may keep the incarnation.
      try {
        incarnation.markClean();
      } catch (IOException | RuntimeException e) {
        problems.add("marking " + incarnation.path() + " clean failed: " + e.getMessage());
      }
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
