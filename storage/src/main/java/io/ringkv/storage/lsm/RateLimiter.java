package io.ringkv.storage.lsm;

import io.ringkv.common.Clock;
import java.util.concurrent.locks.LockSupport;

/**
 * Bounds background write bandwidth (compaction) to {@code bytesPerSecond} with a token bucket
 * holding at most one second of credit, so compaction cannot starve foreground I/O. Thread-safe.
 */
final class RateLimiter {
  private final long bytesPerSecond;
  private final Clock clock;
  private double credit;
  private long lastRefillNanos;

  /** {@code bytesPerSecond} 0 means unlimited. */
  RateLimiter(long bytesPerSecond, Clock clock) {
    this.bytesPerSecond = bytesPerSecond;
    this.clock = clock;
    this.lastRefillNanos = clock.nowNanos();
    this.credit = bytesPerSecond;
  }

  /** Blocks the calling (background) thread until {@code bytes} may be written. */
  void acquire(long bytes) {
    if (bytesPerSecond <= 0) {
      return;
    }
    long waitNanos;
    synchronized (this) {
      long now = clock.nowNanos();
      credit = Math.min(bytesPerSecond, credit + (now - lastRefillNanos) * bytesPerSecond / 1e9);
      lastRefillNanos = now;
      credit -= bytes;
      waitNanos = credit >= 0 ? 0 : (long) (-credit * 1e9 / bytesPerSecond);
    }
    if (waitNanos > 0) {
      LockSupport.parkNanos(waitNanos);
    }
  }
}
