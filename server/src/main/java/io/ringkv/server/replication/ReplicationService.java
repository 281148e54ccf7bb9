package io.ringkv.server.replication;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.replication.Effects;
import io.ringkv.cluster.replication.Hint;
import io.ringkv.cluster.replication.HintSink;
import io.ringkv.cluster.replication.LocalReplica;
import io.ringkv.cluster.replication.Outcome;
import io.ringkv.cluster.replication.RangeScanCoordination;
import io.ringkv.cluster.replication.ReadCoordination;
import io.ringkv.cluster.replication.ReplicaLatencies;
import io.ringkv.cluster.replication.ReplicaReply;
import io.ringkv.cluster.replication.ReplicaRequest;
import io.ringkv.cluster.replication.RequestCoordination;
import io.ringkv.cluster.replication.Send;
import io.ringkv.cluster.replication.StandIns;
import io.ringkv.cluster.replication.WriteCoordination;
import io.ringkv.cluster.ring.ImpossiblePlan;
import io.ringkv.cluster.ring.KeyCodec;
import io.ringkv.cluster.ring.ReplicaPlan;
import io.ringkv.cluster.ring.Token;
import io.ringkv.cluster.version.CausalCells;
import io.ringkv.cluster.version.CausalOperation;
import io.ringkv.cluster.version.Hlc;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.Rng;
import io.ringkv.server.cluster.ClusterView;
import io.ringkv.server.cluster.ReplicaReceiver;
import io.ringkv.server.internode.InternodeMessage;
import io.ringkv.server.kv.KvException;
import io.ringkv.server.metrics.ReplicationMetrics;
import io.ringkv.storage.Cell;
import io.ringkv.storage.Durability;
import io.ringkv.storage.StorageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * This node as a replication coordinator and as a replica: drives the pure handlers of {@code
 * io.ringkv.cluster.replication} ({@link WriteCoordination}, {@link ReadCoordination}, {@link
 * RangeScanCoordination}) with real time, the real network and the node's storage, and answers
 * other coordinators' requests from its {@link LocalReplica}. docs/design/replication.md is the
 * design.
 *
 * <p>A request: a {@link ReplicaPlan} from the newest {@link ClusterView} (refused at once if the
 * level is impossible, UNAVAILABLE while the node has not joined), a handler, and its timeout on a
 * timer thread. Every input (an answer, a failure, the timeout, the speculative delay) is handed to
 * the handler under the request's own lock; the {@link Effects} it returns are carried out after
 * the lock is released, in the order the handler asks: hints stored first (durably, so that an
 * acknowledged write is never only in memory), then the sends (to other nodes over the network
 * first, then to this node, answered by its {@link LocalReplica} on the spot), then the outcome
 * delivered to the caller. The request is forgotten (its timers cancelled) once the handler is
 * finished or its timeout has passed.
 *
 * <p>Fast path: when a plan's only replica is this node (a lone node, or replication factor 1 and
 * this node the owner), no handler, timer or message is involved: the write or read goes straight
 * to the {@link LocalReplica}, on the caller's thread, so that a lone {@code ringkv server} keeps
 * its single-node speed.
 *
 * <p>Time: one {@link NodeClock} (a hybrid logical clock) stamps every write this node coordinates
 * and merges the clock of every replication message received. A node whose wall clock is skewed
 * from its peers' beyond {@link ReplicationSettings#maxClockSkewMillis()} refuses to coordinate
 * writes (UNAVAILABLE, saying why): its timestamps would win or lose against others' wrongly.
 *
 * <p>Threads: callers' threads (front-end event loops) start requests; answers arrive on the
 * internode transport's threads, timeouts on one timer thread. Nothing here blocks those threads,
 * except under {@code storage.fsync: sync}, where writes to this node's storage and hints wait for
 * an fsync: they run on virtual threads ({@link BlockingWork}). Replica requests from peers are
 * answered on the transport thread that brought them (fsync-bound ones on virtual threads), never
 * through the cluster loop.
 *
 * <p>Bounds: at most {@link #REQUESTS_IN_FLIGHT_MAX} coordinated requests at once and {@link
 * #BLOCKING_TASKS_MAX} fsync-bound tasks; beyond, a request fails at once (UNAVAILABLE,
 * overloaded).
 *
 * <p>Thread-safe.
 */
public final class ReplicationService implements ReplicaReceiver, AutoCloseable {
  /** Coordinated requests in flight at most; beyond, new ones are refused. */
  public static final int REQUESTS_IN_FLIGHT_MAX = 65_536;

  /** Writes and hints waiting on an fsync at most (storage.fsync: sync). */
  public static final int BLOCKING_TASKS_MAX = 4_096;

  /** The shortest delay before a speculative backup read. */
  static final long SPECULATION_FLOOR_NANOS = 1_000_000;

  private static final System.Logger LOG = System.getLogger(ReplicationService.class.getName());

  private final NodeId self;
  private final Supplier<ClusterView> view;
  private final ReplicaNetwork network;
  private final LocalReplica local;
  private final HintSink hints;
  private final ReplicationSettings settings;
  private final NodeClock clock;
  private final ReplicationMetrics metrics;
  private final Rng rng;
  private final ReplicaLatencies latencies;
  private final ScheduledThreadPoolExecutor timer;
  private final BlockingWork blocking = new BlockingWork(BLOCKING_TASKS_MAX);
  private final boolean writesBlock;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean closed;
  private volatile boolean hintFailureLogged;

  /**
   * @param self this node
   * @param view the newest cluster snapshot ({@code ClusterService::view})
   * @param network how to reach other nodes
   * @param local this node's storage as a replica
   * @param hints where this node keeps hints; null when hints are off
   * @param settings timeouts, read repair chance, speculative retry, clock skew bound, sloppy
   *     quorum
   * @param clock this node's hybrid logical clock
   * @param metrics where requests and protocol events are counted
   * @param seed the seed of the background read repair draws, chosen at start and logged
   */
  public ReplicationService(
      NodeId self,
      Supplier<ClusterView> view,
      ReplicaNetwork network,
      LocalReplica local,
      HintSink hints,
      ReplicationSettings settings,
      NodeClock clock,
      ReplicationMetrics metrics,
      long seed) {
    this.self = self;
    this.view = view;
    this.network = network;
    this.local = local;
    this.hints = settings.hintsEnabled() ? hints : null;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
    this.rng = new Rng(seed);
    this.latencies =
        new ReplicaLatencies(
            settings.speculativeRetryPercentile(),
            SPECULATION_FLOOR_NANOS,
            Math.max(
                SPECULATION_FLOOR_NANOS,
                TimeUnit.MILLISECONDS.toNanos(settings.readTimeoutMillis()) / 2));
    this.writesBlock = local.durability() == Durability.SYNC;
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "ringkv-replication-timer");
              thread.setDaemon(true);
              return thread;
            });
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  // ---------------------------------------------------------------- coordinator

  /** A fresh HLC timestamp for a write this node coordinates. */
  public long stamp() {
    return clock.stamp();
  }

  /**
   * Merges a client's session timestamp (the highest timestamp it has been told of, 0 for none)
   * into this node's clock, so that the next {@link #stamp()} exceeds it: a client that wrote
   * through another coordinator, whose clock is ahead of this one's, still sees its next write here
   * win over that one (docs/design/replication.md, "Sessions").
   *
   * <p>Bounded: a session timestamp further ahead of this node's wall clock than {@link
   * ReplicationSettings#maxClockSkewMillis()} would drag the clock into the future (and with it
   * every node this one talks to), so it is refused with INVALID_REQUEST and the clock is left
   * alone. A client cannot push the cluster's clocks ahead; one honestly told of a timestamp is
   * never that far ahead, since no node coordinates writes with a clock skewed beyond the bound.
   *
   * @throws KvException INVALID_REQUEST if the timestamp is negative or too far ahead
   */
  public void observeSession(long sessionTimestamp) {
    if (sessionTimestamp == 0) {
      return;
    }
    if (sessionTimestamp < 0) {
      throw KvException.invalid(
          "session timestamp must be a hybrid logical clock value (>= 0), was " + sessionTimestamp);
    }
    long wallMillis = clock.wallMillis();
    long aheadMillis = Hlc.physicalMillis(sessionTimestamp) - wallMillis;
    if (aheadMillis > settings.maxClockSkewMillis()) {
      throw KvException.invalid(
          "session timestamp "
              + sessionTimestamp
              + " is "
              + aheadMillis
              + " ms ahead of this node's clock, beyond replication.max_clock_skew_millis "
              + settings.maxClockSkewMillis()
              + "; nothing was attempted");
    }
    clock.observe(sessionTimestamp);
  }

  /** Where this coordinator's requests and causal figures are counted. */
  public ReplicationMetrics metrics() {
    return metrics;
  }

  /** The node's clock (wall time for expiries and tombstones, the HLC). */
  public NodeClock clock() {
    return clock;
  }

  /** The newest cluster snapshot. */
  public ClusterView view() {
    return view.get();
  }

  /**
   * True if this node is alone in its cluster and answers every request of {@code keyspace} by
   * itself. Its caller must then order the writes of a key: stamp and write them one after the
   * other ({@code ClusterKeyValueService} serialises them per key), since a lone node's writes skip
   * the last-write-wins read and are kept in the order they are stored.
   */
  public boolean isAlone(String keyspace) {
    return aloneLevel(view.get(), keyspace, ConsistencyLevel.ONE, ReplicaPlan.Operation.WRITE)
        != null;
  }

  /**
   * Writes {@code cell} under {@code key} (a stored key) to its replicas and completes once {@code
   * level} (null: the keyspace's default) is met; fails with a {@link KvException}: INVALID_REQUEST
   * for an impossible level, UNAVAILABLE when nothing was attempted, TIMEOUT when the write may or
   * may not have applied.
   */
  public CompletableFuture<Void> write(
      String keyspace, byte[] key, Cell cell, ConsistencyLevel level) {
    long startNanos = clock.nanos();
    ClusterView current = view.get();
    ConsistencyLevel alone = aloneLevel(current, keyspace, level, ReplicaPlan.Operation.WRITE);
    if (alone != null && current.clockRefusal().isEmpty()) {
      return writeLocally(key, cell, alone, startNanos, true);
    }
    ConsistencyLevel effective =
        effectiveLevel(current, keyspace, level, ReplicaPlan.Operation.WRITE);
    ReplicaPlan plan;
    try {
      Optional<String> refusal = current.clockRefusal();
      if (refusal.isPresent()) {
        throw new KvException(KvException.Kind.UNAVAILABLE, refusal.get());
      }
      plan = plan(current, keyspace, KeyCodec.tokenOf(key), effective, ReplicaPlan.Operation.WRITE);
    } catch (KvException e) {
      return refused(ReplicationMetrics.Operation.WRITE, effective, startNanos, e);
    }
    if (isLocalOnly(plan)) {
      return writeLocally(key, cell, plan.consistencyLevel(), startNanos, false);
    }
    boolean sloppy =
        settings.sloppyQuorum()
            || current.metadata().keyspace(keyspace).map(Keyspace::sloppyQuorum).orElse(false);
    List<NodeId> standIns =
        sloppy ? StandIns.of(current.metadata().ring(), plan.token(), plan.nodes()) : List.of();
    WriteCoordination handler =
        new WriteCoordination(plan, key, cell, current.up(), standIns, sloppy, hints != null);
    return coordinate(
        handler,
        ReplicationMetrics.Operation.WRITE,
        plan.consistencyLevel(),
        settings.writeTimeoutMillis(),
        startNanos,
        success -> null);
  }

  /**
   * A causal write (docs/design/causal.md, "End to end"): {@code operation} goes to one dot replica
   * ({@link WriteCoordination#causal}), which applies it under its key lock with the coordinator's
   * stamp and answers with the key's new cell; the cell then goes to the other replicas, which join
   * it. Completes with the dot replica's answer once {@code level} (null: the keyspace's default)
   * is met. Two round trips when this node is not the dot replica, so the timeout is twice {@code
   * replication.write_timeout_millis}.
   *
   * <p>Fast path: when this node alone answers the plan (a lone node, or replication factor 1 and
   * this node the owner), the operation is applied by the {@link LocalReplica} directly, under its
   * key lock, on the caller's thread (a virtual thread under {@code storage.fsync: sync}).
   *
   * <p>Fails with a {@link KvException}: WRONG_TYPE or CONFLICT when the dot replica refused
   * ({@link #refusal}), FAILED for a damaged stored object, and otherwise as {@link #write}.
   */
  public CompletableFuture<ReplicaReply.CausalApplied> writeCausal(
      String keyspace, byte[] key, CausalOperation operation, ConsistencyLevel level) {
    long startNanos = clock.nanos();
    ClusterView current = view.get();
    ConsistencyLevel alone = aloneLevel(current, keyspace, level, ReplicaPlan.Operation.WRITE);
    if (alone != null && current.clockRefusal().isEmpty()) {
      return causalLocally(key, operation, alone, startNanos);
    }
    ConsistencyLevel effective =
        effectiveLevel(current, keyspace, level, ReplicaPlan.Operation.WRITE);
    ReplicaPlan plan;
    try {
      Optional<String> refusal = current.clockRefusal();
      if (refusal.isPresent()) {
        throw new KvException(KvException.Kind.UNAVAILABLE, refusal.get());
      }
      plan = plan(current, keyspace, KeyCodec.tokenOf(key), effective, ReplicaPlan.Operation.WRITE);
    } catch (KvException e) {
      return refused(ReplicationMetrics.Operation.WRITE, effective, startNanos, e);
    }
    if (isLocalOnly(plan)) {
      return causalLocally(key, operation, plan.consistencyLevel(), startNanos);
    }
    boolean sloppy =
        settings.sloppyQuorum()
            || current.metadata().keyspace(keyspace).map(Keyspace::sloppyQuorum).orElse(false);
    List<NodeId> standIns =
        sloppy ? StandIns.of(current.metadata().ring(), plan.token(), plan.nodes()) : List.of();
    WriteCoordination handler =
        WriteCoordination.causal(
            plan, key, operation, stamp(), current.up(), standIns, sloppy, hints != null);
    return coordinate(
        handler,
        ReplicationMetrics.Operation.WRITE,
        plan.consistencyLevel(),
        causalTimeoutMillis(),
        startNanos,
        success -> handler.causalApplied());
  }

  /**
   * A causal write's timeout: twice the write timeout, since a coordinator that is not the dot
   * replica waits for two round trips (the update, then the fan-out of its cell); the simulator
   * found single timeouts failing causal writes in quiet windows (docs/design/causal.md).
   */
  long causalTimeoutMillis() {
    return Math.min(Long.MAX_VALUE / 2, settings.writeTimeoutMillis()) * 2;
  }

  /**
   * The client's error for a causal write the dot replica refused, counted by reason: WRONG_TYPE
   * for WRONGTYPE (the message starts with Redis' {@code WRONGTYPE}); CONFLICT for the sibling cap,
   * a counter overflow, an object past its byte bound and a last-write-wins value in the way (the
   * message names the limit and how to resolve); FAILED for a stored object that cannot be decoded.
   */
  private KvException refusal(CausalCells.Refusal reason, String message) {
    metrics.causalRefused(reason.name());
    KvException.Kind kind =
        switch (reason) {
          case WRONGTYPE -> KvException.Kind.WRONG_TYPE;
          case TOO_MANY_SIBLINGS, OVERFLOW, TOO_LARGE, NOT_CAUSAL -> KvException.Kind.CONFLICT;
          case DAMAGED -> KvException.Kind.FAILED;
        };
    return new KvException(kind, message);
  }

  /**
   * Reads {@code key} (a stored key) at {@code level} (null: the keyspace's default): the newest
   * cell the level's replicas hold after reconciliation (tombstones and expired cells included), or
   * null when none holds one. Fails as {@link #write} does.
   */
  public CompletableFuture<Cell> read(String keyspace, byte[] key, ConsistencyLevel level) {
    long startNanos = clock.nanos();
    ClusterView current = view.get();
    ConsistencyLevel alone = aloneLevel(current, keyspace, level, ReplicaPlan.Operation.READ);
    if (alone != null) {
      return readLocally(key, alone, startNanos);
    }
    ConsistencyLevel effective =
        effectiveLevel(current, keyspace, level, ReplicaPlan.Operation.READ);
    ReplicaPlan plan;
    try {
      plan = plan(current, keyspace, KeyCodec.tokenOf(key), effective, ReplicaPlan.Operation.READ);
    } catch (KvException e) {
      return refused(ReplicationMetrics.Operation.READ, effective, startNanos, e);
    }
    if (isLocalOnly(plan)) {
      return readLocally(key, plan.consistencyLevel(), startNanos);
    }
    boolean repairAll;
    synchronized (rng) {
      repairAll = settings.readRepairChance() > 0 && rng.chance(settings.readRepairChance());
    }
    ReadCoordination handler = new ReadCoordination(plan, key, current.up(), repairAll);
    return coordinate(
        handler,
        ReplicationMetrics.Operation.READ,
        plan.consistencyLevel(),
        settings.readTimeoutMillis(),
        startNanos,
        Outcome.Success::cell);
  }

  /**
   * One page of a scan of stored keys in [{@code from}, {@code to}) ({@code to} null: no end), all
   * of whose tokens lie in the token range holding {@code token}, merged from the replicas {@code
   * level} needs. Fails as {@link #read} does.
   */
  public CompletableFuture<RangeScanCoordination.Page> scan(
      String keyspace, Token token, byte[] from, byte[] to, int limit, ConsistencyLevel level) {
    long startNanos = clock.nanos();
    ClusterView current = view.get();
    ConsistencyLevel effective =
        effectiveLevel(current, keyspace, level, ReplicaPlan.Operation.READ);
    ReplicaPlan plan;
    try {
      plan = plan(current, keyspace, token, effective, ReplicaPlan.Operation.READ);
    } catch (KvException e) {
      return refused(ReplicationMetrics.Operation.SCAN, effective, startNanos, e);
    }
    RangeScanCoordination handler = new RangeScanCoordination(plan, from, to, limit, current.up());
    return coordinate(
        handler,
        ReplicationMetrics.Operation.SCAN,
        plan.consistencyLevel(),
        settings.readTimeoutMillis(),
        startNanos,
        success -> handler.page());
  }

  /**
   * What a node alone in its cluster (the only member that is not LEFT, and so the only node on the
   * ring) may answer by itself, per metadata snapshot: every plan's only replica is this node, so
   * whether a level is possible does not depend on the key. Computed once per snapshot and
   * keyspace, so that a lone node's requests skip planning altogether; and since no other node
   * writes here, a write whose caller orders the writes of its key skips the last-write-wins read
   * ({@link #isAlone}).
   */
  private record Alone(
      ClusterMetadata metadata,
      String keyspace,
      ConsistencyLevel readDefault,
      ConsistencyLevel writeDefault,
      boolean[] readable,
      boolean[] writable) {}

  /**
   * The last {@link Alone} computed, and the one before it of another keyspace: a lone node serving
   * two keyspaces (say {@code default} and a causal one) keeps both, rather than planning again at
   * every switch.
   */
  private volatile Alone alone;

  private volatile Alone aloneOther;

  /**
   * The level a request of a node alone on its ring is answered at, by this node alone; null when
   * it must be planned (other nodes on the ring, not joined, an impossible level: the planner says
   * why).
   */
  private ConsistencyLevel aloneLevel(
      ClusterView current,
      String keyspace,
      ConsistencyLevel level,
      ReplicaPlan.Operation operation) {
    Alone cached = alone;
    ClusterMetadata metadata = current.metadata();
    if (cached != null && cached.metadata() == metadata && !cached.keyspace().equals(keyspace)) {
      Alone other = aloneOther;
      if (other != null && other.metadata() == metadata && other.keyspace().equals(keyspace)) {
        cached = other;
      }
    }
    if (cached == null || cached.metadata() != metadata || !cached.keyspace().equals(keyspace)) {
      if (!current.started() || metadata.ring().nodeCount() != 1) {
        return null;
      }
      cached = computeAlone(metadata, keyspace);
      if (cached == null) {
        return null;
      }
      aloneOther = alone;
      alone = cached;
    }
    boolean read = operation == ReplicaPlan.Operation.READ;
    ConsistencyLevel effective =
        level != null ? level : read ? cached.readDefault() : cached.writeDefault();
    boolean allowed = (read ? cached.readable() : cached.writable())[effective.ordinal()];
    return allowed ? effective : null;
  }

  private Alone computeAlone(ClusterMetadata metadata, String keyspaceName) {
    Optional<Keyspace> keyspace = metadata.keyspace(keyspaceName);
    if (keyspace.isEmpty() || !metadata.ring().nodes().get(0).equals(self)) {
      return null;
    }
    for (Member member : metadata.members().values()) {
      // Another member, even one joining, may coordinate writes and send them here.
      if (!member.id().equals(self) && member.status() != Member.Status.LEFT) {
        return null;
      }
    }
    ConsistencyLevel[] levels = ConsistencyLevel.values();
    boolean[] readable = new boolean[levels.length];
    boolean[] writable = new boolean[levels.length];
    for (ConsistencyLevel level : levels) {
      readable[level.ordinal()] =
          ReplicaPlan.plan(
                      metadata, keyspaceName, Token.of(0), level, self, ReplicaPlan.Operation.READ)
                  instanceof ReplicaPlan plan
              && isLocalOnly(plan);
      writable[level.ordinal()] =
          ReplicaPlan.plan(
                      metadata, keyspaceName, Token.of(0), level, self, ReplicaPlan.Operation.WRITE)
                  instanceof ReplicaPlan plan
              && isLocalOnly(plan);
    }
    return new Alone(
        metadata,
        keyspaceName,
        keyspace.get().readLevel(),
        keyspace.get().writeLevel(),
        readable,
        writable);
  }

  private ConsistencyLevel effectiveLevel(
      ClusterView current,
      String keyspace,
      ConsistencyLevel level,
      ReplicaPlan.Operation operation) {
    if (level != null) {
      return level;
    }
    Optional<Keyspace> found = current.metadata().keyspace(keyspace);
    if (found.isEmpty()) {
      return ConsistencyLevel.QUORUM; // the default keyspace's levels, until the node knows it
    }
    return operation == ReplicaPlan.Operation.READ
        ? found.get().readLevel()
        : found.get().writeLevel();
  }

  private ReplicaPlan plan(
      ClusterView current,
      String keyspace,
      Token token,
      ConsistencyLevel level,
      ReplicaPlan.Operation operation) {
    if (!current.started()) {
      throw new KvException(
          KvException.Kind.UNAVAILABLE,
          "node " + self + " is starting: it does not know the cluster yet");
    }
    ClusterMetadata metadata = current.metadata();
    if (metadata.member(self).isEmpty() || metadata.ring().isEmpty()) {
      throw new KvException(
          KvException.Kind.UNAVAILABLE,
          "node "
              + self
              + " has not joined the cluster yet (it knows no ring at metadata epoch "
              + metadata.epoch()
              + "); nothing was attempted");
    }
    return switch (ReplicaPlan.plan(metadata, keyspace, token, level, self, operation)) {
      case ReplicaPlan plan -> plan;
      case ImpossiblePlan impossible -> throw KvException.invalid(impossible.message());
    };
  }

  private boolean isLocalOnly(ReplicaPlan plan) {
    return plan.replicas().size() == 1 && plan.replicas().get(0).node().equals(self);
  }

  private <T> CompletableFuture<T> refused(
      ReplicationMetrics.Operation operation,
      ConsistencyLevel level,
      long startNanos,
      KvException e) {
    metrics.recordRequest(
        operation,
        level,
        e.kind() == KvException.Kind.UNAVAILABLE
            ? ReplicationMetrics.Outcome.UNAVAILABLE
            : ReplicationMetrics.Outcome.FAILED,
        clock.nanos() - startNanos);
    return CompletableFuture.failedFuture(e);
  }

  // ---------------------------------------------------------------- the fast path

  /**
   * Writes to this node's storage alone. {@code ordered}: this node is the only member of the
   * cluster and its caller orders the writes of a key (stamped in the order they are stored), so no
   * other cell can be newer and the last-write-wins read is skipped.
   */
  private CompletableFuture<Void> writeLocally(
      byte[] key, Cell cell, ConsistencyLevel level, long startNanos, boolean ordered) {
    if (!writesBlock) {
      try {
        store(key, cell, ordered);
        metrics.recordRequest(
            ReplicationMetrics.Operation.WRITE,
            level,
            ReplicationMetrics.Outcome.OK,
            clock.nanos() - startNanos);
        return CompletableFuture.completedFuture(null);
      } catch (StorageException | RuntimeException e) {
        return localFailure(ReplicationMetrics.Operation.WRITE, level, startNanos, e);
      }
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    boolean accepted =
        blocking.tryExecute(
            () -> {
              try {
                store(key, cell, ordered);
                metrics.recordRequest(
                    ReplicationMetrics.Operation.WRITE,
                    level,
                    ReplicationMetrics.Outcome.OK,
                    clock.nanos() - startNanos);
                result.complete(null);
              } catch (StorageException | RuntimeException e) {
                localFailure(ReplicationMetrics.Operation.WRITE, level, startNanos, e)
                    .whenComplete((ignored, failure) -> result.completeExceptionally(failure));
              }
            });
    if (!accepted) {
      return refused(
          ReplicationMetrics.Operation.WRITE,
          level,
          startNanos,
          overloaded("writes waiting on an fsync", BLOCKING_TASKS_MAX));
    }
    return result;
  }

  /**
   * A causal write applied by this node's replica alone (the fast path of {@link #writeCausal}).
   */
  private CompletableFuture<ReplicaReply.CausalApplied> causalLocally(
      byte[] key, CausalOperation operation, ConsistencyLevel level, long startNanos) {
    ReplicaRequest.CausalUpdate update = new ReplicaRequest.CausalUpdate(key, operation, stamp());
    if (!writesBlock) {
      return applyCausalLocally(update, level, startNanos);
    }
    CompletableFuture<ReplicaReply.CausalApplied> result = new CompletableFuture<>();
    boolean accepted =
        blocking.tryExecute(
            () ->
                applyCausalLocally(update, level, startNanos)
                    .whenComplete(
                        (applied, failure) -> {
                          if (failure != null) {
                            result.completeExceptionally(failure);
                          } else {
                            result.complete(applied);
                          }
                        }));
    if (!accepted) {
      return refused(
          ReplicationMetrics.Operation.WRITE,
          level,
          startNanos,
          overloaded("writes waiting on an fsync", BLOCKING_TASKS_MAX));
    }
    return result;
  }

  private CompletableFuture<ReplicaReply.CausalApplied> applyCausalLocally(
      ReplicaRequest.CausalUpdate update, ConsistencyLevel level, long startNanos) {
    ReplicaReply reply;
    try {
      reply = local.handle(update);
    } catch (IOException | RuntimeException e) {
      return localFailure(ReplicationMetrics.Operation.WRITE, level, startNanos, e);
    }
    long nanos = clock.nanos() - startNanos;
    return switch (reply) {
      case ReplicaReply.CausalApplied applied -> {
        metrics.recordRequest(
            ReplicationMetrics.Operation.WRITE, level, ReplicationMetrics.Outcome.OK, nanos);
        yield CompletableFuture.completedFuture(applied);
      }
      case ReplicaReply.CausalRefused refused -> {
        metrics.recordRequest(
            ReplicationMetrics.Operation.WRITE, level, ReplicationMetrics.Outcome.FAILED, nanos);
        yield CompletableFuture.failedFuture(refusal(refused.reason(), refused.message()));
      }
      default -> throw new AssertionError("a causal update answered with " + reply);
    };
  }

  private void store(byte[] key, Cell cell, boolean ordered) throws StorageException {
    if (ordered) {
      local.engine().put(key, cell, local.durability());
    } else {
      local.apply(key, cell);
    }
  }

  private CompletableFuture<Cell> readLocally(byte[] key, ConsistencyLevel level, long startNanos) {
    try {
      Cell cell = local.read(key);
      metrics.recordRequest(
          ReplicationMetrics.Operation.READ,
          level,
          ReplicationMetrics.Outcome.OK,
          clock.nanos() - startNanos);
      return CompletableFuture.completedFuture(cell);
    } catch (StorageException | RuntimeException e) {
      return localFailure(ReplicationMetrics.Operation.READ, level, startNanos, e);
    }
  }

  private <T> CompletableFuture<T> localFailure(
      ReplicationMetrics.Operation operation,
      ConsistencyLevel level,
      long startNanos,
      Exception e) {
    String message = String.valueOf(e.getMessage());
    KvException failure =
        message.contains("exceeds key_bytes_max") || message.contains("exceeds value_bytes_max")
            ? new KvException(KvException.Kind.INVALID_REQUEST, message, e)
            : new KvException(
                KvException.Kind.FAILED,
                (operation == ReplicationMetrics.Operation.WRITE ? "write" : "read")
                    + " failed: "
                    + message,
                e);
    metrics.recordRequest(
        operation, level, ReplicationMetrics.Outcome.FAILED, clock.nanos() - startNanos);
    return CompletableFuture.failedFuture(failure);
  }

  private static KvException overloaded(String what, int max) {
    return new KvException(
        KvException.Kind.UNAVAILABLE,
        "this node is overloaded: " + max + " " + what + " already; nothing was attempted");
  }

  // ---------------------------------------------------------------- the driver

  /** One coordinated request: its handler (guarded by this object's lock) and its future. */
  private final class Coordinated<T> {
    final RequestCoordination step;
    final ReplicationMetrics.Operation operation;
    final ConsistencyLevel level;
    final long timeoutMillis;
    final long startNanos;
    final Function<Outcome.Success, T> success;
    final CompletableFuture<T> result = new CompletableFuture<>();
    final Map<NodeId, Long> sentAtNanos = new ConcurrentHashMap<>();
    ScheduledFuture<?> timeout; // guarded by this
    ScheduledFuture<?> speculation; // guarded by this
    boolean forgotten; // guarded by this

    Coordinated(
        RequestCoordination step,
        ReplicationMetrics.Operation operation,
        ConsistencyLevel level,
        long timeoutMillis,
        long startNanos,
        Function<Outcome.Success, T> success) {
      this.step = step;
      this.operation = operation;
      this.level = level;
      this.timeoutMillis = timeoutMillis;
      this.startNanos = startNanos;
      this.success = success;
    }
  }

  private <T> CompletableFuture<T> coordinate(
      RequestCoordination step,
      ReplicationMetrics.Operation operation,
      ConsistencyLevel level,
      long timeoutMillis,
      long startNanos,
      Function<Outcome.Success, T> success) {
    if (closed) {
      return refused(
          operation,
          level,
          startNanos,
          new KvException(KvException.Kind.UNAVAILABLE, "node " + self + " is shutting down"));
    }
    if (inFlight.incrementAndGet() > REQUESTS_IN_FLIGHT_MAX) {
      inFlight.decrementAndGet();
      return refused(
          operation, level, startNanos, overloaded("requests in flight", REQUESTS_IN_FLIGHT_MAX));
    }
    Coordinated<T> request =
        new Coordinated<>(step, operation, level, timeoutMillis, startNanos, success);
    Effects first;
    long speculateAfterNanos = -1;
    boolean finished;
    synchronized (request) {
      first = step.start();
      finished = step.isFinished();
      if (finished) {
        request.forgotten = true;
      } else {
        try {
          request.timeout =
              timer.schedule(() -> onTimeout(request), timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
          request.forgotten = true;
          finished = true;
          inFlight.decrementAndGet();
          return refused(
              operation,
              level,
              startNanos,
              new KvException(KvException.Kind.UNAVAILABLE, "node " + self + " is shutting down"));
        }
        if (step instanceof ReadCoordination read && settings.speculativeRetry()) {
          speculateAfterNanos = speculationDelay(read);
        }
        if (speculateAfterNanos > 0) {
          request.speculation =
              timer.schedule(() -> onSpeculate(request), speculateAfterNanos, TimeUnit.NANOSECONDS);
        }
      }
    }
    if (finished) {
      release(request);
    }
    carryOut(request, first);
    return request.result;
  }

  /**
   * How long to wait for the contacted replicas before a backup read: the longest of their recent
   * percentiles, or -1 (no speculation) if one has no estimate yet or only this node is read.
   */
  private long speculationDelay(ReadCoordination read) {
    long delay = -1;
    synchronized (latencies) {
      for (NodeId node : read.contacted()) {
        if (node.equals(self)) {
          continue;
        }
        long estimate = latencies.speculateAfterNanos(node);
        if (estimate < 0) {
          return -1;
        }
        delay = Math.max(delay, estimate);
      }
    }
    return delay;
  }

  private <T> void deliver(Coordinated<T> request, NodeId from, ReplicaReply reply) {
    if (reply instanceof ReplicaReply.ReadResult) {
      Long sentAt = request.sentAtNanos.remove(from);
      if (sentAt != null && !from.equals(self)) {
        long latency = clock.nanos() - sentAt;
        synchronized (latencies) {
          latencies.record(from, latency);
        }
      }
    }
    advance(request, step -> step.onAnswer(from, reply));
  }

  private <T> void deliverFailure(Coordinated<T> request, NodeId from, String reason) {
    advance(request, step -> step.onFailed(from, reason));
  }

  /**
   * Feeds one input to the request's handler under its lock (nothing, if the request is already
   * forgotten: a late input), forgets the request once the handler is finished, and carries out the
   * effects.
   */
  private <T> void advance(Coordinated<T> request, Function<RequestCoordination, Effects> input) {
    Effects effects;
    boolean finished;
    synchronized (request) {
      if (request.forgotten) {
        return;
      }
      effects = input.apply(request.step);
      finished = forgetIfFinished(request);
    }
    if (finished) {
      release(request); // before the outcome is delivered: a caller that saw it sees the slot free
    }
    carryOut(request, effects);
  }

  private <T> void onTimeout(Coordinated<T> request) {
    Effects effects;
    synchronized (request) {
      if (request.forgotten) {
        return;
      }
      effects = request.step.onTimeout();
      request.forgotten = true;
      if (request.speculation != null) {
        request.speculation.cancel(false);
      }
    }
    release(request);
    carryOut(request, effects);
  }

  private <T> void onSpeculate(Coordinated<T> request) {
    advance(request, RequestCoordination::onSpeculate);
  }

  /** Under the request's lock: marks it forgotten and cancels its timers once it is finished. */
  private static boolean forgetIfFinished(Coordinated<?> request) {
    if (!request.step.isFinished()) {
      return false;
    }
    request.forgotten = true;
    if (request.timeout != null) {
      request.timeout.cancel(false);
    }
    if (request.speculation != null) {
      request.speculation.cancel(false);
    }
    return true;
  }

  /**
   * Once per request, after it was forgotten and before its last effects are carried out: frees its
   * slot and counts what a read did.
   */
  private void release(Coordinated<?> request) {
    inFlight.decrementAndGet();
    if (request.step instanceof ReadCoordination read) {
      synchronized (request) {
        metrics.recordRead(read.digestMismatch(), read.repairWrites(), read.speculated());
      }
    }
  }

  /**
   * Carries out {@code effects} in order: hints, sends, outcome. Hints that wait on an fsync move
   * the whole of it to a virtual thread, keeping the order.
   */
  private <T> void carryOut(Coordinated<T> request, Effects effects) {
    if (effects.isEmpty()) {
      return;
    }
    if (!effects.hints().isEmpty() && writesBlock) {
      if (blocking.tryExecute(() -> carryOutNow(request, effects))) {
        return;
      }
      // Overloaded: store the hints on this thread rather than lose them.
    }
    carryOutNow(request, effects);
  }

  private <T> void carryOutNow(Coordinated<T> request, Effects effects) {
    int hintsKept = 0;
    for (Hint hint : effects.hints()) {
      if (storeHint(hint)) {
        hintsKept++;
      }
    }
    List<Send> toSelf = null;
    for (Send send : effects.sends()) {
      if (send.to().equals(self)) {
        if (toSelf == null) {
          toSelf = new ArrayList<>(1);
        }
        toSelf.add(send);
      } else {
        sendRemote(request, send);
      }
    }
    if (toSelf != null) {
      for (Send send : toSelf) {
        sendToSelf(request, send.request());
      }
    }
    if (effects.outcome().isPresent()) {
      Outcome outcome = effects.outcome().get();
      if (outcome instanceof Outcome.Success && !effects.hints().isEmpty() && hintsKept == 0) {
        // Only an ANY write succeeds in the same step that keeps hints: on the strength of those
        // hints. None was kept, so nothing vouches for the write.
        outcome =
            new Outcome.TimedOut(
                0,
                1,
                "write at ANY: no replica acknowledged and the hints for the down replicas could"
                    + " not be kept (see the hint metrics); the write may or may not have applied");
      }
      complete(request, outcome);
    }
  }

  private <T> void complete(Coordinated<T> request, Outcome outcome) {
    long nanos = clock.nanos() - request.startNanos;
    switch (outcome) {
      case Outcome.Success success -> {
        T value;
        try {
          value = request.success.apply(success);
        } catch (RuntimeException e) {
          metrics.recordRequest(
              request.operation, request.level, ReplicationMetrics.Outcome.FAILED, nanos);
          request.result.completeExceptionally(
              new KvException(KvException.Kind.FAILED, "coordination failed: " + e, e));
          return;
        }
        metrics.recordRequest(
            request.operation, request.level, ReplicationMetrics.Outcome.OK, nanos);
        request.result.complete(value);
      }
      case Outcome.Unavailable unavailable -> {
        metrics.recordRequest(
            request.operation, request.level, ReplicationMetrics.Outcome.UNAVAILABLE, nanos);
        request.result.completeExceptionally(
            new KvException(KvException.Kind.UNAVAILABLE, unavailable.message()));
      }
      case Outcome.TimedOut timedOut -> {
        metrics.recordRequest(
            request.operation, request.level, ReplicationMetrics.Outcome.TIMEOUT, nanos);
        request.result.completeExceptionally(
            new KvException(KvException.Kind.TIMEOUT, timedOut.message()));
      }
      case Outcome.Refused refused -> {
        // A causal write the dot replica refused (WRONGTYPE, the sibling cap, overflow): nothing
        // was written; the message is the client's (docs/design/causal.md), the kind by reason.
        metrics.recordRequest(
            request.operation, request.level, ReplicationMetrics.Outcome.FAILED, nanos);
        request.result.completeExceptionally(refusal(refused.reason(), refused.message()));
      }
    }
  }

  private <T> void sendRemote(Coordinated<T> request, Send send) {
    NodeId to = send.to();
    if (send.request() instanceof ReplicaRequest.Read) {
      request.sentAtNanos.put(to, clock.nanos());
    }
    CompletableFuture<InternodeMessage> answer;
    try {
      answer =
          network.request(
              to.value(),
              new InternodeMessage.Replica(clock.reading(), send.request()),
              request.timeoutMillis);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete(
        (message, failure) -> {
          if (failure != null) {
            deliverFailure(request, to, describe(failure));
          } else if (message instanceof InternodeMessage.ReplicaAnswer replicaAnswer) {
            clock.observe(replicaAnswer.hlc());
            deliver(request, to, replicaAnswer.reply());
          } else {
            deliverFailure(request, to, "answered with " + message);
          }
        });
  }

  private <T> void sendToSelf(Coordinated<T> request, ReplicaRequest replicaRequest) {
    if (blocksOnFsync(replicaRequest)) {
      if (!blocking.tryExecute(() -> answerSelf(request, replicaRequest))) {
        deliverFailure(
            request, self, "overloaded: " + BLOCKING_TASKS_MAX + " writes are waiting on an fsync");
      }
      return;
    }
    answerSelf(request, replicaRequest);
  }

  private <T> void answerSelf(Coordinated<T> request, ReplicaRequest replicaRequest) {
    ReplicaReply reply;
    try {
      reply = local.handle(replicaRequest);
    } catch (IOException | RuntimeException e) {
      deliverFailure(request, self, "this node's replica failed: " + e.getMessage());
      return;
    }
    deliver(request, self, reply);
  }

  private boolean blocksOnFsync(ReplicaRequest request) {
    return writesBlock
        && (request instanceof ReplicaRequest.Write
            || request instanceof ReplicaRequest.WriteBatch
            || request instanceof ReplicaRequest.StandInWrite
            || request instanceof ReplicaRequest.CausalUpdate);
  }

  /** Stores {@code hint}; true if it was kept. */
  private boolean storeHint(Hint hint) {
    if (hints == null || hint.target().equals(self)) {
      // Off, or for this node itself (its own storage failed): nothing to hand over later.
      metrics.hintRefused();
      return false;
    }
    try {
      if (hints.store(hint.target(), hint.key(), hint.cell(), clock.wallMillis())) {
        metrics.hintStored();
        return true;
      }
      metrics.hintRefused();
      return false;
    } catch (IOException | RuntimeException e) {
      metrics.hintFailed();
      if (!hintFailureLogged) {
        hintFailureLogged = true;
        LOG.log(
            System.Logger.Level.ERROR,
            "cannot store a hint for " + hint.target() + " (logged once; counted in metrics)",
            e);
      }
      return false;
    }
  }

  private static String describe(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }

  // ---------------------------------------------------------------- replica

  /**
   * A peer's replication request: merged into this node's clock, then carried out by the {@link
   * LocalReplica} on this (transport) thread, or on a virtual thread when it waits on an fsync.
   */
  @Override
  public CompletableFuture<InternodeMessage> onReplica(
      String fromPeer, InternodeMessage.Replica replica) {
    clock.observe(replica.hlc());
    ReplicaRequest request = replica.request();
    CompletableFuture<InternodeMessage> answer = new CompletableFuture<>();
    if (blocksOnFsync(request)) {
      if (!blocking.tryExecute(() -> answerPeer(request, answer))) {
        answer.completeExceptionally(
            new IllegalStateException(
                "replica "
                    + self
                    + " is overloaded: "
                    + BLOCKING_TASKS_MAX
                    + " writes are waiting on an fsync"));
      }
      return answer;
    }
    answerPeer(request, answer);
    return answer;
  }

  private void answerPeer(ReplicaRequest request, CompletableFuture<InternodeMessage> answer) {
    try {
      ReplicaReply reply = local.handle(request);
      answer.complete(new InternodeMessage.ReplicaAnswer(clock.reading(), reply));
    } catch (IOException | RuntimeException e) {
      answer.completeExceptionally(e);
    }
  }

  /** Requests being coordinated now. */
  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    blocking.close();
  }
}
