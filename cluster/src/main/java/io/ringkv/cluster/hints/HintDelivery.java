package io.ringkv.cluster.hints;

import io.ringkv.cluster.metadata.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides which targets are sent a hint batch now, as a pure state machine: the driver asks {@link
 * #due}, peeks a batch of at most {@link #batchBytesMax()} from the {@link HintStore} for each
 * target it returns, sends it, and reports {@link #sent}, then {@link #delivered} or {@link
 * #failed}.
 *
 * <p>Rules: a target is due if it is up, has hints, has no batch in flight (so batches to one
 * target arrive in order and a slow target is not flooded), is not backing off after a failure (for
 * {@code retryDelayNanos}), and the shared byte budget allows.
 *
 * <p>The budget is a token bucket over all targets, refilled at {@code throttleBytesPerSecond},
 * holding at most one batch ({@code batchBytesMax}), that must be full before a batch goes out;
 * {@link #sent} takes the batch's actual bytes. Equivalently (the generic cell rate algorithm with
 * no tolerance, which is how it is kept): after a batch of {@code b} bytes the next may start
 * {@code b / throttleBytesPerSecond} seconds later, so small batches are not held back by the size
 * of a large one, and the rate over any interval is at most the throttle plus one batch. Because
 * the bucket holds one batch, at most one target is due at a time: the driver calls {@link #due}
 * again after {@link #sent}. Targets take turns in node id order, starting after the one last sent
 * to, so that one target with many hints does not starve the others. A throttle of 0 means no
 * throttle: every eligible target is due at once, in node id order.
 *
 * <p>Bounds: state per target is one in-flight flag and one retry time, for at most the targets the
 * driver names; retry times that have passed are forgotten in {@link #due}.
 *
 * <p>Pure: times are arguments ({@code nowNanos} from a monotonic clock; differences are compared,
 * so any origin works). Not thread-safe: owned by the delivery loop.
 */
public final class HintDelivery {
  /** The largest batch accepted: 256 MiB (the internode frame limit). */
  public static final int BATCH_BYTES_LIMIT = 256 << 20;

  /** The largest throttle accepted: 1 TiB/s (larger makes no sense; 0 turns the throttle off). */
  public static final long THROTTLE_BYTES_PER_SECOND_LIMIT = 1L << 40;

  /** The longest retry delay accepted: one hour. */
  public static final long RETRY_DELAY_NANOS_LIMIT = 3_600_000_000_000L;

  /** The largest batch {@link #sent} accepts: 4 GiB, far above any batch a store returns. */
  static final long SENT_BYTES_LIMIT = 1L << 32;

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final long throttleBytesPerSecond;
  private final int batchBytesMax;
  private final long retryDelayNanos;

  private final Set<NodeId> inFlight = new HashSet<>();
  private final Map<NodeId, Long> retryAtNanos = new HashMap<>();

  /** When the bucket is full again; meaningful once {@link #throttled}. */
  private long bucketFullAtNanos;

  private boolean throttled;
  private NodeId lastSent;

  /**
   * @param throttleBytesPerSecond bytes per second over all targets, or 0 for no throttle
   * @param batchBytesMax the most bytes the driver should ask {@link HintStore#peek} for
   * @param retryDelayNanos how long a target waits after a failed batch
   */
  public HintDelivery(long throttleBytesPerSecond, int batchBytesMax, long retryDelayNanos) {
    if (throttleBytesPerSecond < 0 || throttleBytesPerSecond > THROTTLE_BYTES_PER_SECOND_LIMIT) {
      throw new IllegalArgumentException(
          "throttleBytesPerSecond must be in [0, "
              + THROTTLE_BYTES_PER_SECOND_LIMIT
              + "] (0 for no throttle), was "
              + throttleBytesPerSecond);
    }
    if (batchBytesMax < 1 || batchBytesMax > BATCH_BYTES_LIMIT) {
      throw new IllegalArgumentException(
          "batchBytesMax must be in [1, " + BATCH_BYTES_LIMIT + "], was " + batchBytesMax);
    }
    if (retryDelayNanos < 0 || retryDelayNanos > RETRY_DELAY_NANOS_LIMIT) {
      throw new IllegalArgumentException(
          "retryDelayNanos must be in [0, "
              + RETRY_DELAY_NANOS_LIMIT
              + "], was "
              + retryDelayNanos);
    }
    this.throttleBytesPerSecond = throttleBytesPerSecond;
    this.batchBytesMax = batchBytesMax;
    this.retryDelayNanos = retryDelayNanos;
  }

  /** The most bytes to ask {@link HintStore#peek} for per batch. */
  public int batchBytesMax() {
    return batchBytesMax;
  }

  /**
   * The targets to send a batch to now, in node id order; see the class comment.
   *
   * @param up the targets the failure detector holds up
   * @param withHints the targets with pending hints ({@link HintStore#targets()})
   */
  public List<NodeId> due(long nowNanos, Set<NodeId> up, Set<NodeId> withHints) {
    Objects.requireNonNull(up, "up");
    Objects.requireNonNull(withHints, "withHints");
    forgetPassedRetries(nowNanos);
    if (throttled && nowNanos - bucketFullAtNanos < 0) {
      return List.of();
    }
    TreeSet<NodeId> eligible = new TreeSet<>();
    for (NodeId target : withHints) {
      if (up.contains(target) && !inFlight.contains(target) && !retryAtNanos.containsKey(target)) {
        eligible.add(target);
      }
    }
    if (eligible.isEmpty() || throttleBytesPerSecond == 0) {
      return List.copyOf(eligible);
    }
    NodeId next = lastSent == null ? null : eligible.higher(lastSent);
    return List.of(next != null ? next : eligible.first());
  }

  private void forgetPassedRetries(long nowNanos) {
    Iterator<Map.Entry<NodeId, Long>> entries = retryAtNanos.entrySet().iterator();
    while (entries.hasNext()) {
      if (nowNanos - entries.next().getValue() >= 0) {
        entries.remove();
      }
    }
  }

  /**
   * A batch of {@code bytes} went to {@code target}: it is in flight until {@link #delivered} or
   * {@link #failed}, and the bytes are taken from the budget.
   *
   * @throws IllegalStateException if a batch to {@code target} is already in flight
   */
  public void sent(NodeId target, long bytes, long nowNanos) {
    Objects.requireNonNull(target, "target");
    if (bytes < 0 || bytes > SENT_BYTES_LIMIT) {
      throw new IllegalArgumentException(
          "bytes must be in [0, " + SENT_BYTES_LIMIT + "], was " + bytes);
    }
    if (!inFlight.add(target)) {
      throw new IllegalStateException("a hint batch to " + target + " is already in flight");
    }
    retryAtNanos.remove(target);
    lastSent = target;
    if (throttleBytesPerSecond > 0) {
      long start = throttled && nowNanos - bucketFullAtNanos < 0 ? bucketFullAtNanos : nowNanos;
      long refillNanos =
          Math.ceilDiv(Math.multiplyExact(bytes, NANOS_PER_SECOND), throttleBytesPerSecond);
      bucketFullAtNanos = start + refillNanos;
      throttled = true;
    }
  }

  /**
   * The batch in flight to {@code target} was taken.
   *
   * @throws IllegalStateException if no batch to it is in flight
   */
  public void delivered(NodeId target) {
    Objects.requireNonNull(target, "target");
    if (!inFlight.remove(target)) {
      throw new IllegalStateException("no hint batch to " + target + " is in flight");
    }
  }

  /**
   * The batch in flight to {@code target} failed (an error or a timeout): the target is not due
   * again for {@code retryDelayNanos}.
   *
   * @throws IllegalStateException if no batch to it is in flight
   */
  public void failed(NodeId target, long nowNanos) {
    Objects.requireNonNull(target, "target");
    if (!inFlight.remove(target)) {
      throw new IllegalStateException("no hint batch to " + target + " is in flight");
    }
    retryAtNanos.put(target, nowNanos + retryDelayNanos);
  }

  /** Targets with a batch in flight, in node id order (for metrics and tests). */
  public List<NodeId> inFlight() {
    return new ArrayList<>(new TreeSet<>(inFlight));
  }
}
