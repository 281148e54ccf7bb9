package io.ringkv.common;

/** The machine's clocks. Banned from protocol code, which takes the time as an argument. */
public enum SystemClock implements Clock {
  INSTANCE;

  @Override
  public long nowNanos() {
    return System.nanoTime();
  }

  @Override
  public long epochMillis() {
    return System.currentTimeMillis();
  }
}
