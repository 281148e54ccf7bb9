package io.ringkv.cluster.membership;

/**
 * The recent heartbeat inter-arrival times of one endpoint, in a ring buffer of at most {@code
 * capacity} samples, with their running sum (Cassandra's {@code ArrivalWindow}). The buffer grows
 * on demand up to its capacity, so that a thousand quiet endpoints do not cost 8 KB each up front.
 *
 * <p>Invariants: {@code 0 <= count <= capacity}; {@code sum} is the sum of the {@code count}
 * samples held; every sample is in {@code [0, intervalMaxNanos]} or is the bootstrap sample.
 *
 * <p>Not thread-safe: owned by its {@link PhiAccrualFailureDetector}.
 */
final class ArrivalWindow {
  private static final int INITIAL_CAPACITY = 16;

  private final int capacity;
  private long[] samples = new long[0];
  private int head;
  private int count;
  private long sum;
  private boolean hasArrival;
  private long lastArrivalNanos;
  private boolean up;
  private long heldDownUntilNanos = Long.MIN_VALUE;

  ArrivalWindow(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Records a heartbeat arriving at {@code nowNanos}. The first arrival adds the bootstrap sample;
   * later ones add the interval since the previous arrival unless it exceeds {@code
   * intervalMaxNanos} (an outage, not a sample). Time running backwards counts as no time.
   */
  void arrive(long nowNanos, long bootstrapIntervalNanos, long intervalMaxNanos) {
    if (!hasArrival) {
      add(bootstrapIntervalNanos);
      hasArrival = true;
      lastArrivalNanos = nowNanos;
      return;
    }
    long interval = Math.max(0, nowNanos - lastArrivalNanos);
    if (interval <= intervalMaxNanos) {
      add(interval);
    }
    lastArrivalNanos = Math.max(lastArrivalNanos, nowNanos);
  }

  /** Forgets every sample and the last arrival, keeping the up/down verdict (a restart). */
  void clearHistory() {
    samples = new long[0];
    head = 0;
    count = 0;
    sum = 0;
    hasArrival = false;
    lastArrivalNanos = 0;
    heldDownUntilNanos = Long.MIN_VALUE;
  }

  /**
   * Keeps the endpoint down until an arrival later than {@code untilNanos}: set when it was
   * convicted on direct evidence (a refused connection), so that heartbeats its dead process sent
   * before dying, still spreading through gossip, do not bring it back up.
   */
  void holdDown(long untilNanos) {
    heldDownUntilNanos = untilNanos;
  }

  /** True if an arrival after the hold has been recorded (or there is no hold). */
  boolean arrivedSinceHold() {
    return lastArrivalNanos > heldDownUntilNanos;
  }

  boolean hasArrival() {
    return hasArrival;
  }

  long lastArrivalNanos() {
    return lastArrivalNanos;
  }

  int sampleCount() {
    return count;
  }

  /** The mean inter-arrival time, never below {@code meanMinNanos}. */
  double meanNanos(long meanMinNanos) {
    double mean = count == 0 ? 0 : (double) sum / count;
    return Math.max(mean, meanMinNanos);
  }

  boolean isUp() {
    return up;
  }

  void setUp(boolean up) {
    this.up = up;
  }

  private void add(long sample) {
    if (count == capacity) {
      sum -= samples[head];
      samples[head] = sample;
      head = (head + 1) % capacity;
      sum += sample;
      return;
    }
    if (count == samples.length) {
      grow();
    }
    samples[(head + count) % samples.length] = sample;
    count++;
    sum += sample;
  }

  private void grow() {
    int newLength = Math.min(capacity, Math.max(INITIAL_CAPACITY, samples.length * 2));
    long[] grown = new long[newLength];
    for (int i = 0; i < count; i++) {
      grown[i] = samples[(head + i) % samples.length];
    }
    samples = grown;
    head = 0;
  }
}
