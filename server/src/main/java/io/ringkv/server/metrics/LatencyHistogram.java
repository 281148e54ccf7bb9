package io.ringkv.server.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A latency histogram cheap enough to record every request on an event loop: count, sum and
 * log-linear buckets, striped by thread and merged when read (at scrape time).
 *
 * <p>Why not Micrometer's timer with a percentile histogram: recording into it searched ~70 bucket
 * bounds, rotated time windows and updated a decaying maximum, ~6% of a RESP benchmark's event-loop
 * samples. Here the bucket is computed from the bits of the value (two buckets per power of two
 * from {@link #LOWEST_NANOS} to {@link #HIGHEST_NANOS}, so a bucket's bounds are within a factor of
 * 1.5) and a record is three uncontended atomic adds.
 *
 * <p>Striping: a thread records into stripe {@code threadId mod STRIPES}. Event loops are few and
 * long-lived, so each usually owns a stripe; threads that share one still count correctly (the adds
 * are atomic), only with contention. Memory is fixed: {@link #STRIPES} stripes of {@link #BUCKETS}
 * + 2 longs, however many threads record.
 *
 * <p>Reads ({@link #snapshot}) sum the stripes without stopping writers: a snapshot may miss
 * records made while it is taken, and its count and buckets may disagree by those, never more.
 * Thread-safe.
 */
final class LatencyHistogram {
  /** Upper bound of the first bucket: 2^10 ns, about a microsecond. */
  static final long LOWEST_NANOS = 1L << 10;

  /** Lower bound of the last (overflow) bucket: 2^35 ns, about 34 seconds. */
  static final long HIGHEST_NANOS = 1L << 35;

  private static final int LOWEST_POWER = 10;
  private static final int HIGHEST_POWER = 35;

  /** Buckets: one below the lowest power, two per power of two, one overflow bucket. */
  static final int BUCKETS = 1 + 2 * (HIGHEST_POWER - LOWEST_POWER) + 1;

  /** Stripes per histogram; a power of two. */
  static final int STRIPES = 8;

  private static final int COUNT = 0;
  private static final int SUM = 1;
  private static final int FIRST_BUCKET = 2;
  private static final int STRIPE_LONGS = FIRST_BUCKET + BUCKETS;

  /** Keeps stripes on different cache lines (64 bytes) so that threads do not share one. */
  private static final int STRIPE_STRIDE = (STRIPE_LONGS + 7) / 8 * 8 + 8;

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  private static final double[] UPPER_BOUNDS_SECONDS = computeUpperBoundsSeconds();

  private final long[] cells = new long[STRIPES * STRIPE_STRIDE];

  /** Records one latency; negative values count as zero. */
  void record(long nanos) {
    int base = (int) (Thread.currentThread().threadId() & (STRIPES - 1)) * STRIPE_STRIDE;
    long value = Math.max(0, nanos);
    LONGS.getAndAdd(cells, base + COUNT, 1L);
    LONGS.getAndAdd(cells, base + SUM, value);
    LONGS.getAndAdd(cells, base + FIRST_BUCKET + bucketOf(value), 1L);
  }

  /** The bucket of {@code nanos}: its power of two and the next bit below it. */
  static int bucketOf(long nanos) {
    if (nanos < LOWEST_NANOS) {
      return 0;
    }
    if (nanos >= HIGHEST_NANOS) {
      return BUCKETS - 1;
    }
    int power = 63 - Long.numberOfLeadingZeros(nanos);
    int half = (int) (nanos >>> (power - 1)) & 1;
    return 1 + 2 * (power - LOWEST_POWER) + half;
  }

  /** The exclusive upper bound of bucket {@code index} in nanoseconds; MAX_VALUE for the last. */
  static long upperBoundNanos(int index) {
    if (index == 0) {
      return LOWEST_NANOS;
    }
    if (index == BUCKETS - 1) {
      return Long.MAX_VALUE;
    }
    int power = LOWEST_POWER + (index - 1) / 2;
    int half = (index - 1) % 2;
    return (1L << power) + ((long) (half + 1) << (power - 1));
  }

  private static double[] computeUpperBoundsSeconds() {
    double[] bounds = new double[BUCKETS];
    for (int i = 0; i < BUCKETS - 1; i++) {
      bounds[i] = upperBoundNanos(i) / 1e9;
    }
    bounds[BUCKETS - 1] = Double.POSITIVE_INFINITY;
    return bounds;
  }

  /** The buckets' upper bounds in seconds, the last one infinite. */
  static double[] upperBoundsSeconds() {
    return UPPER_BOUNDS_SECONDS.clone();
  }

  /** The stripes summed. */
  Snapshot snapshot() {
    long count = 0;
    long sum = 0;
    long[] buckets = new long[BUCKETS];
    for (int stripe = 0; stripe < STRIPES; stripe++) {
      int base = stripe * STRIPE_STRIDE;
      count += (long) LONGS.getOpaque(cells, base + COUNT);
      sum += (long) LONGS.getOpaque(cells, base + SUM);
      for (int i = 0; i < BUCKETS; i++) {
        buckets[i] += (long) LONGS.getOpaque(cells, base + FIRST_BUCKET + i);
      }
    }
    return new Snapshot(count, sum, buckets);
  }

  /**
   * Merged figures.
   *
   * @param count latencies recorded
   * @param sumNanos their sum
   * @param buckets how many fell in each bucket (not cumulative)
   */
  record Snapshot(long count, long sumNanos, long[] buckets) {}
}
