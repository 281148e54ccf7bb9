package io.ringkv.sim;

/**
 * One simulated node's clock: the monotonic time its protocol code is given as {@code nowNanos},
 * derived from the simulation's true time with an offset (nodes' clocks never agree on the absolute
 * value; the protocol must only use differences), a drift in parts per million (a fast or slow
 * oscillator), and jumps, forward (a VM migrated or suspended) or backward (a clock that is not as
 * monotonic as promised). The protocol code must treat time going backwards as no time.
 *
 * <p>Not thread-safe: owned by the simulation's one thread.
 */
public final class SimClock {
  /** The largest drift accepted: 1% fast or slow. */
  public static final double DRIFT_PPM_LIMIT = 10_000;

  private final long offsetNanos;
  private final double driftPpm;
  private long jumpedNanos;

  /**
   * A clock reading {@code offsetNanos} at true time 0 and running {@code driftPpm} parts per
   * million fast (negative: slow).
   */
  public SimClock(long offsetNanos, double driftPpm) {
    if (!(Math.abs(driftPpm) <= DRIFT_PPM_LIMIT)) {
      throw new IllegalArgumentException(
          "driftPpm must be within +-" + DRIFT_PPM_LIMIT + ", was " + driftPpm);
    }
    this.offsetNanos = offsetNanos;
    this.driftPpm = driftPpm;
  }

  /** A clock that agrees with true time. */
  public static SimClock exact() {
    return new SimClock(0, 0);
  }

  /** The time this clock shows at true time {@code trueNanos}. */
  public long nowNanos(long trueNanos) {
    return offsetNanos + trueNanos + (long) (trueNanos * (driftPpm / 1e6)) + jumpedNanos;
  }

  /** Moves the clock by {@code deltaNanos} (negative: backwards) from now on. */
  public void jump(long deltaNanos) {
    jumpedNanos = Math.addExact(jumpedNanos, deltaNanos);
  }

  public long offsetNanos() {
    return offsetNanos;
  }

  public double driftPpm() {
    return driftPpm;
  }

  /** The sum of all jumps so far. */
  public long jumpedNanos() {
    return jumpedNanos;
  }
}
