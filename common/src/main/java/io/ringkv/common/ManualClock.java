package io.ringkv.common;

/**
 * A clock that moves only when told to, for tests and the simulator. Both readings advance
 * together; {@link #setEpochMillis} lets a test jump the wall clock (as NTP would) without moving
 * the monotonic one. Thread-safe.
 */
public final class ManualClock implements Clock {
  private long nowNanos;
  private long epochMillis;

  public ManualClock(long nowNanos, long epochMillis) {
    this.nowNanos = nowNanos;
    this.epochMillis = epochMillis;
  }

  @Override
  public synchronized long nowNanos() {
    return nowNanos;
  }

  @Override
  public synchronized long epochMillis() {
    return epochMillis;
  }

  /** Moves both readings forward; {@code nanos} must not be negative. */
  public synchronized void advanceNanos(long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException("time only moves forward, was asked to move " + nanos);
    }
    nowNanos += nanos;
    epochMillis += nanos / 1_000_000;
  }

  /** Sets the wall clock alone, forward or back. */
  public synchronized void setEpochMillis(long epochMillis) {
    this.epochMillis = epochMillis;
  }
}
