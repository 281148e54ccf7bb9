package io.ringkv.cluster.membership;

/**
 * Settings of the {@link PhiAccrualFailureDetector}. Defaults follow Cassandra's, for a gossip
 * interval of one second.
 *
 * <p>With the exponential model an endpoint is convicted once no heartbeat arrived for {@code
 * phiConvictThreshold × ln(10) × mean} nanoseconds, where the mean inter-arrival time never exceeds
 * {@code max(intervalMaxNanos, bootstrapIntervalNanos)} nor falls below {@code
 * meanIntervalMinNanos}. At the defaults a dead endpoint heard from every second is convicted after
 * about 18.4 s, and any dead endpoint after at most 36.8 s (plus {@code localPauseMaxNanos} if the
 * observer itself paused); {@link #convictionBoundNanos()} computes that bound for the simulator.
 *
 * @param phiConvictThreshold phi above which an endpoint is convicted (down); Cassandra's and
 *     Akka's default is 8
 * @param windowSamplesMax how many inter-arrival times are kept per endpoint (the oldest are
 *     dropped)
 * @param bootstrapIntervalNanos the first sample of every window, before any interval was seen:
 *     deliberately high (two gossip intervals) so that a new endpoint is not convicted early; it is
 *     diluted by real samples and eventually dropped from the window
 * @param meanIntervalMinNanos a floor under the mean, so that a burst of heartbeats arriving
 *     together (a healed partition flushing its queue) cannot make phi climb in a few hundred
 *     milliseconds
 * @param intervalMaxNanos intervals longer than this are outages (a restart, a partition, the
 *     observer's own pause), not samples of the arrival process, and are left out of the window
 * @param localPauseMaxNanos if the detector was not run for longer than this, the observer itself
 *     was paused (GC, a frozen VM, the simulator); no endpoint is convicted for this long after
 * @param endpointsMax how many endpoints the detector tracks at most
 */
public record FailureDetectorConfig(
    double phiConvictThreshold,
    int windowSamplesMax,
    long bootstrapIntervalNanos,
    long meanIntervalMinNanos,
    long intervalMaxNanos,
    long localPauseMaxNanos,
    int endpointsMax) {

  /** The largest window accepted: 8 bytes a sample, per endpoint. */
  public static final int WINDOW_SAMPLES_LIMIT = 100_000;

  /** The most endpoints accepted. */
  public static final int ENDPOINTS_LIMIT = 100_000;

  private static final long SECOND_NANOS = 1_000_000_000L;

  /**
   * The longest interval setting accepted (one hour): with {@link #WINDOW_SAMPLES_LIMIT} samples
   * the window's sum of intervals stays far from overflowing a long.
   */
  public static final long INTERVAL_LIMIT_NANOS = 3_600 * SECOND_NANOS;

  public FailureDetectorConfig {
    if (!(phiConvictThreshold > 0) || Double.isInfinite(phiConvictThreshold)) {
      throw new IllegalArgumentException(
          "phiConvictThreshold must be positive and finite, was " + phiConvictThreshold);
    }
    checkRange("windowSamplesMax", windowSamplesMax, 1, WINDOW_SAMPLES_LIMIT);
    checkNanos("bootstrapIntervalNanos", bootstrapIntervalNanos);
    checkNanos("meanIntervalMinNanos", meanIntervalMinNanos);
    checkNanos("intervalMaxNanos", intervalMaxNanos);
    checkNanos("localPauseMaxNanos", localPauseMaxNanos);
    checkRange("endpointsMax", endpointsMax, 1, ENDPOINTS_LIMIT);
    if (meanIntervalMinNanos > intervalMaxNanos) {
      throw new IllegalArgumentException(
          "meanIntervalMinNanos ("
              + meanIntervalMinNanos
              + ") must not exceed intervalMaxNanos ("
              + intervalMaxNanos
              + ")");
    }
  }

  /**
   * Threshold 8, 1,000 samples, bootstrap 2 s, mean at least 500 ms, intervals up to 2 s, local
   * pauses over 5 s, 1,024 endpoints.
   */
  public static FailureDetectorConfig defaults() {
    return new FailureDetectorConfig(
        8.0, 1_000, 2 * SECOND_NANOS, SECOND_NANOS / 2, 2 * SECOND_NANOS, 5 * SECOND_NANOS, 1_024);
  }

  /** This config with another threshold. */
  public FailureDetectorConfig withPhiConvictThreshold(double threshold) {
    return new FailureDetectorConfig(
        threshold,
        windowSamplesMax,
        bootstrapIntervalNanos,
        meanIntervalMinNanos,
        intervalMaxNanos,
        localPauseMaxNanos,
        endpointsMax);
  }

  /** This config with another bound on tracked endpoints. */
  public FailureDetectorConfig withEndpointsMax(int max) {
    return new FailureDetectorConfig(
        phiConvictThreshold,
        windowSamplesMax,
        bootstrapIntervalNanos,
        meanIntervalMinNanos,
        intervalMaxNanos,
        localPauseMaxNanos,
        max);
  }

  /**
   * The longest time, after an endpoint's last heartbeat arrived, before the detector convicts it
   * whatever its history: the threshold's worth of the largest possible mean, plus the grace after
   * a local pause. The simulator's "marked down within a bound" checker uses it (adding gossip's
   * spreading delay).
   */
  public long convictionBoundNanos() {
    long meanMax =
        Math.max(Math.max(intervalMaxNanos, bootstrapIntervalNanos), meanIntervalMinNanos);
    double silence = phiConvictThreshold / PhiAccrualFailureDetector.PHI_FACTOR * meanMax;
    return (long) Math.ceil(silence) + localPauseMaxNanos;
  }

  private static void checkNanos(String field, long value) {
    if (value <= 0 || value > INTERVAL_LIMIT_NANOS) {
      throw new IllegalArgumentException(
          field + " must be in [1, " + INTERVAL_LIMIT_NANOS + "] nanoseconds, was " + value);
    }
  }

  private static void checkRange(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "], was " + value);
    }
  }
}
