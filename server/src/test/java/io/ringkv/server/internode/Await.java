package io.ringkv.server.internode;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes; no sleep stands in for a condition. */
final class Await {
  /** Generous: only a broken test waits this long. */
  static final Duration DEADLINE = Duration.ofSeconds(30);

  private Await() {}

  static void until(String what, BooleanSupplier condition) {
    until(what, condition, DEADLINE);
  }

  static void until(String what, BooleanSupplier condition, Duration deadline) {
    long deadlineNanos = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadlineNanos > 0) {
        throw new AssertionError("timed out after " + deadline + " waiting for " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
