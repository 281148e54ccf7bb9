package io.ringkv.server.replication;

import io.ringkv.cluster.hints.HintBatch;
import io.ringkv.cluster.hints.HintDelivery;
import io.ringkv.cluster.hints.HintStore;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.replication.ReplicaRequest;
import io.ringkv.server.cluster.ClusterView;
import io.ringkv.server.internode.InternodeMessage;
import io.ringkv.server.metrics.ReplicationMetrics;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Hands this node's hints over to their targets once the failure detector sees them up (Dynamo's
 * hinted handoff): the driver of the pure {@link HintDelivery} scheduler over the {@link
 * HintStore}. Every {@link #TICK_MILLIS} the loop asks the scheduler which targets are due (up,
 * with hints, no batch in flight, not backing off, within the byte-rate throttle), peeks the oldest
 * hints of each (at most a batch's bytes; hints past the window are dropped there and counted as
 * repair debt), and sends them as one {@link ReplicaRequest.WriteBatch}. A batch the target
 * acknowledged is consumed from the store; a failed one is retried after {@link
 * #RETRY_DELAY_MILLIS}. The target applies hints last-write-wins, so a batch delivered twice
 * changes nothing.
 *
 * <p>The loop also fsyncs the store every {@code syncEveryMillis} when hints are not fsynced as
 * they are stored (durability PERIODIC or NONE), as the engine does its write-ahead log.
 *
 * <p>Threads: one loop thread ({@code ringkv-hints}) owns the scheduler; answers arriving on
 * transport threads are handed back to it. Bounds: {@link #ROUNDS_PER_TICK_MAX} batches started per
 * tick, one in flight per target, the throttle over all. Thread-safe.
 */
public final class HintHandoff implements AutoCloseable {
  /** How often the loop looks for due targets. */
  static final long TICK_MILLIS = 100;

  /** How long a target waits after a failed batch. */
  static final long RETRY_DELAY_MILLIS = 1_000;

  /** Batches started per tick at most. */
  static final int ROUNDS_PER_TICK_MAX = 64;

  /** The smallest batch asked for (a bound below the throttle's tenth). */
  static final int BATCH_BYTES_MIN = 64 << 10;

  private static final System.Logger LOG = System.getLogger(HintHandoff.class.getName());

  private final HintStore store;
  private final HintDelivery delivery;
  private final Supplier<ClusterView> view;
  private final ReplicaNetwork network;
  private final NodeClock clock;
  private final ReplicationMetrics metrics;
  private final long requestTimeoutMillis;
  private final long syncEveryNanos;
  private final ScheduledExecutorService loop;
  private long lastSyncNanos;
  private boolean failureLogged;
  private volatile boolean closed;

  /**
   * @param store this node's hints
   * @param view who is up
   * @param network how to reach the targets
   * @param throttleBytesPerSecond hint bytes sent per second at most, over all targets
   * @param batchBytesMax the largest batch, which must fit one internode frame
   * @param requestTimeoutMillis how long a batch may take to be acknowledged
   * @param syncEveryMillis how often the store is fsynced; 0 when every store fsyncs already
   */
  public HintHandoff(
      HintStore store,
      Supplier<ClusterView> view,
      ReplicaNetwork network,
      NodeClock clock,
      ReplicationMetrics metrics,
      long throttleBytesPerSecond,
      int batchBytesMax,
      long requestTimeoutMillis,
      long syncEveryMillis) {
    this.store = store;
    this.view = view;
    this.network = network;
    this.clock = clock;
    this.metrics = metrics;
    int batch =
        (int)
            Math.max(
                1, Math.min(batchBytesMax, Math.max(BATCH_BYTES_MIN, throttleBytesPerSecond / 10)));
    this.delivery =
        new HintDelivery(
            throttleBytesPerSecond, batch, TimeUnit.MILLISECONDS.toNanos(RETRY_DELAY_MILLIS));
    this.requestTimeoutMillis = requestTimeoutMillis;
    this.syncEveryNanos = TimeUnit.MILLISECONDS.toNanos(syncEveryMillis);
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "ringkv-hints");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Starts the loop. */
  public void start() {
    lastSyncNanos = clock.nanos();
    loop.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** The store (for status and metrics). */
  public HintStore store() {
    return store;
  }

  private void tick() {
    if (closed) {
      return;
    }
    try {
      long now = clock.nanos();
      if (syncEveryNanos > 0 && now - lastSyncNanos >= syncEveryNanos) {
        lastSyncNanos = now;
        store.sync();
      }
      Set<NodeId> up = view.get().up();
      Set<NodeId> withHints = new HashSet<>(store.targets());
      for (int round = 0; round < ROUNDS_PER_TICK_MAX && !withHints.isEmpty(); round++) {
        List<NodeId> due = delivery.due(now, up, withHints);
        if (due.isEmpty()) {
          return;
        }
        for (NodeId target : due) {
          withHints.remove(target);
          send(target, now);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (!failureLogged) {
        failureLogged = true;
        LOG.log(System.Logger.Level.ERROR, "hint delivery failed (logged once)", e);
      }
    }
  }

  private void send(NodeId target, long nowNanos) throws IOException {
    HintBatch batch = store.peek(target, delivery.batchBytesMax(), clock.wallMillis());
    if (batch.isEmpty()) {
      return; // every pending hint had expired: dropped, and counted as repair debt
    }
    delivery.sent(target, batch.bytes(), nowNanos);
    CompletableFuture<InternodeMessage> answer;
    try {
      answer =
          network.request(
              target.value(),
              new InternodeMessage.Replica(
                  clock.reading(), new ReplicaRequest.WriteBatch(batch.cells())),
              requestTimeoutMillis);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete(
        (message, failure) -> {
          boolean taken = failure == null && message instanceof InternodeMessage.ReplicaAnswer;
          if (taken) {
            clock.observe(((InternodeMessage.ReplicaAnswer) message).hlc());
          }
          try {
            loop.execute(() -> onAnswer(batch, taken));
          } catch (RejectedExecutionException closing) {
            // Not consumed: the hints are delivered again after the restart (LWW makes it safe).
          }
        });
  }

  private void onAnswer(HintBatch batch, boolean taken) {
    if (closed) {
      return;
    }
    if (!taken) {
      delivery.failed(batch.target(), clock.nanos());
      return;
    }
    delivery.delivered(batch.target());
    try {
      store.delivered(batch);
      metrics.hintsDelivered(batch.cells().size());
    } catch (IOException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot mark hints for " + batch.target() + " delivered; they will be sent again",
          e);
    }
  }

  /** Stops the loop, then syncs and closes the store. */
  @Override
  public void close() throws IOException {
    closed = true;
    loop.shutdown();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loop.shutdownNow();
    store.close();
  }
}
