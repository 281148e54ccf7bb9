package io.ringkv.server.metrics;

import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;
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
 * 1.5).
 *
 * <p>Stripes, and who writes them:
 *
 * <ul>
 *   <li><b>Owned stripes</b> (the hot path). A Netty thread ({@link FastThreadLocalThread}: the
 *       event loops) claims an owner slot, process-wide, on its first record and gives it back when
 *       it ends (Netty removes its thread-locals then). Each histogram keeps one stripe per slot,
 *       created by its owner on first use. Only the owner writes it, so a record is three plain
 *       read-add-stores published with opaque writes: no atomic read-modify-write, no lock prefix.
 *       A slot handed to a later thread keeps its figures: the slot lock orders the old owner's
 *       last writes before the new owner's first.
 *   <li><b>Shared stripes</b>. Any other thread, and Netty threads beyond {@link #OWNED_SLOTS_MAX},
 *       record into shared stripe {@code threadId mod SHARED_STRIPES} with atomic adds: correct
 *       under sharing, only slower.
 * </ul>
 *
 * <p>Memory is bounded: {@link #SHARED_STRIPES} stripes plus at most {@link #OWNED_SLOTS_MAX} owned
 * stripes of {@link #BUCKETS} + 2 longs per histogram, however many threads record.
 *
 * <p>Reads ({@link #snapshot}) sum all stripes with opaque reads without stopping writers: a
 * snapshot may miss records made while it is taken, and its count and buckets may disagree by
 * those, never more; once the writers are quiet (or joined), it is exact. Thread-safe.
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

  /** Shared (atomically updated) stripes per histogram; a power of two. */
  static final int SHARED_STRIPES = 8;

  /** Owner slots in the process: Netty threads that record into stripes of their own. */
  static final int OWNED_SLOTS_MAX = 64;

  private static final int COUNT = 0;
  private static final int SUM = 1;
  private static final int FIRST_BUCKET = 2;
  private static final int STRIPE_LONGS = FIRST_BUCKET + BUCKETS;

  /** Keeps stripes on different cache lines (64 bytes) so that threads do not share one. */
  private static final int STRIPE_STRIDE = (STRIPE_LONGS + 7) / 8 * 8 + 8;

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  private static final double[] UPPER_BOUNDS_SECONDS = computeUpperBoundsSeconds();

  private static final VarHandle STRIPE_REFERENCES =
      MethodHandles.arrayElementVarHandle(long[][].class);

  /** No owner slot: the thread records into the shared stripes. */
  private static final int NO_SLOT = -1;

  /** Which owner slots are taken; guarded by itself. */
  private static final boolean[] SLOTS_TAKEN = new boolean[OWNED_SLOTS_MAX];

  /** The current Netty thread's owner slot, or {@link #NO_SLOT} if all were taken. */
  private static final FastThreadLocal<Integer> OWNER_SLOT =
      new FastThreadLocal<>() {
        @Override
        protected Integer initialValue() {
          return claimSlot();
        }

        @Override
        protected void onRemoval(Integer slot) {
          releaseSlot(slot);
        }
      };

  private final long[] sharedCells = new long[SHARED_STRIPES * STRIPE_STRIDE];

  /** One stripe per owner slot, each written by that slot's owner only; null until first use. */
  private final long[][] ownedStripes = new long[OWNED_SLOTS_MAX][];

  /** Records one latency; negative values count as zero. */
  void record(long nanos) {
    long value = Math.max(0, nanos);
    int bucket = FIRST_BUCKET + bucketOf(value);
    Thread thread = Thread.currentThread();
    if (thread instanceof FastThreadLocalThread) {
      int slot = OWNER_SLOT.get();
      if (slot != NO_SLOT) {
        long[] stripe = ownedStripes[slot];
        if (stripe == null) {
          stripe = new long[STRIPE_STRIDE];
          STRIPE_REFERENCES.setRelease(ownedStripes, slot, stripe);
        }
        // Single writer: plain reads of our own stores, opaque stores so a scrape sees whole longs.
        LONGS.setOpaque(stripe, COUNT, stripe[COUNT] + 1);
        LONGS.setOpaque(stripe, SUM, stripe[SUM] + value);
        LONGS.setOpaque(stripe, bucket, stripe[bucket] + 1);
        return;
      }
    }
    int base = (int) (thread.threadId() & (SHARED_STRIPES - 1)) * STRIPE_STRIDE;
    LONGS.getAndAdd(sharedCells, base + COUNT, 1L);
    LONGS.getAndAdd(sharedCells, base + SUM, value);
    LONGS.getAndAdd(sharedCells, base + bucket, 1L);
  }

  private static int claimSlot() {
    synchronized (SLOTS_TAKEN) {
      for (int slot = 0; slot < OWNED_SLOTS_MAX; slot++) {
        if (!SLOTS_TAKEN[slot]) {
          SLOTS_TAKEN[slot] = true;
          return slot;
        }
      }
      return NO_SLOT;
    }
  }

  private static void releaseSlot(int slot) {
    if (slot == NO_SLOT) {
      return;
    }
    synchronized (SLOTS_TAKEN) {
      SLOTS_TAKEN[slot] = false;
    }
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
    for (int stripe = 0; stripe < SHARED_STRIPES; stripe++) {
      int base = stripe * STRIPE_STRIDE;
      count += (long) LONGS.getOpaque(sharedCells, base + COUNT);
      sum += (long) LONGS.getOpaque(sharedCells, base + SUM);
      for (int i = 0; i < BUCKETS; i++) {
        buckets[i] += (long) LONGS.getOpaque(sharedCells, base + FIRST_BUCKET + i);
      }
    }
    for (int slot = 0; slot < OWNED_SLOTS_MAX; slot++) {
      long[] stripe = (long[]) STRIPE_REFERENCES.getAcquire(ownedStripes, slot);
      if (stripe == null) {
        continue;
      }
      count += (long) LONGS.getOpaque(stripe, COUNT);
      sum += (long) LONGS.getOpaque(stripe, SUM);
      for (int i = 0; i < BUCKETS; i++) {
        buckets[i] += (long) LONGS.getOpaque(stripe, FIRST_BUCKET + i);
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
