package io.ringkv.common;

/**
 * Where the time comes from, for the parts of ringkv that drive protocols and engines: the server
 * passes {@link SystemClock}, the simulator and tests pass clocks they control.
 *
 * <p>Protocol logic (raft, cluster) never holds a clock: it is handed {@code long nowNanos} as an
 * argument by whoever drives it, and the build bans the wall clock from its code.
 */
public interface Clock {
  /** Monotonic time in nanoseconds, for timeouts and intervals; its origin is arbitrary. */
  long nowNanos();

  /** Wall-clock time in milliseconds since the Unix epoch, for timestamps and expiry. */
  long epochMillis();
}
