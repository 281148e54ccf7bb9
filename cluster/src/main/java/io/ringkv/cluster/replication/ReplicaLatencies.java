package io.ringkv.cluster.replication;

import io.ringkv.cluster.metadata.NodeId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Each replica's recent read latency, for speculative retry: a replica slower than its own recent
 * 99th percentile gets a backup request to another (Cassandra's {@code speculative_retry: 99p}).
 * Keeps the last {@link #SAMPLES_MAX} latencies per replica in a ring buffer and recomputes the
 * percentile every {@link #RECOMPUTE_EVERY} samples, so recording is cheap on the read path.
 *
 * <p>Until a replica has {@link #SAMPLES_MIN} samples there is no estimate, and no speculation:
 * guessing would double the load of a cold start. Estimates are clamped to [{@code floorNanos},
 * {@code ceilingNanos}] so that a very fast replica does not trigger backups on every hiccup and a
 * slow one still gets a backup before the read times out.
 *
 * <p>Pure. Not thread-safe: the server guards it with a lock.
 */
public final class ReplicaLatencies {
  /** Samples kept per replica. */
  public static final int SAMPLES_MAX = 256;

  /** Samples needed before there is an estimate. */
  public static final int SAMPLES_MIN = 32;

  /** How many samples between recomputations of a replica's percentile. */
  public static final int RECOMPUTE_EVERY = 32;

  /** Replicas tracked at most (a bound on memory; more are not tracked). */
  public static final int REPLICAS_MAX = 4_096;

  private static final class Window {
    final long[] samples = new long[SAMPLES_MAX];
    int count;
    int next;
    int sinceRecompute;
    long estimateNanos = -1;
  }

  private final double percentile;
  private final long floorNanos;
  private final long ceilingNanos;
  private final Map<NodeId, Window> windows = new HashMap<>();

  /**
   * @param percentile the percentile, in (0, 1), e.g. 0.99
   * @param floorNanos the shortest delay before a backup request
   * @param ceilingNanos the longest delay before a backup request
   */
  public ReplicaLatencies(double percentile, long floorNanos, long ceilingNanos) {
    if (!(percentile > 0 && percentile < 1)) {
      throw new IllegalArgumentException("percentile must be in (0, 1), was " + percentile);
    }
    if (floorNanos <= 0 || ceilingNanos < floorNanos) {
      throw new IllegalArgumentException(
          "need 0 < floor <= ceiling, were " + floorNanos + " and " + ceilingNanos + " ns");
    }
    this.percentile = percentile;
    this.floorNanos = floorNanos;
    this.ceilingNanos = ceilingNanos;
  }

  /** Records that {@code replica} answered a read in {@code latencyNanos}. */
  public void record(NodeId replica, long latencyNanos) {
    Window window = windows.get(replica);
    if (window == null) {
      if (windows.size() >= REPLICAS_MAX) {
        return;
      }
      window = new Window();
      windows.put(replica, window);
    }
    window.samples[window.next] = Math.max(0, latencyNanos);
    window.next = (window.next + 1) % SAMPLES_MAX;
    window.count = Math.min(SAMPLES_MAX, window.count + 1);
    if (++window.sinceRecompute >= RECOMPUTE_EVERY && window.count >= SAMPLES_MIN) {
      window.sinceRecompute = 0;
      long[] sorted = Arrays.copyOf(window.samples, window.count);
      Arrays.sort(sorted);
      int index = (int) Math.min(sorted.length - 1, Math.ceil(percentile * sorted.length) - 1);
      window.estimateNanos = Math.max(floorNanos, Math.min(ceilingNanos, sorted[index]));
    }
  }

  /**
   * How long to wait for {@code replica} before a backup request, or -1 if there is no estimate yet
   * (no speculation).
   */
  public long speculateAfterNanos(NodeId replica) {
    Window window = windows.get(replica);
    return window == null ? -1 : window.estimateNanos;
  }

  /** Forgets {@code replica} (it left the cluster). */
  public void forget(NodeId replica) {
    windows.remove(replica);
  }
}
