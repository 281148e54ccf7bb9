package io.ringkv.server.config;

import java.util.Optional;

/**
 * The {@code resp} section: the Redis protocol front end.
 *
 * @param enabled whether the node starts it
 * @param listener where it listens, how many connections it takes, when idle ones are closed
 * @param requirepass when present, clients must {@code AUTH} with it before any other command (as
 *     Redis's {@code requirepass}); never printed
 * @param ioThreads event-loop threads that decode commands and write replies; 0 picks {@link
 *     #IO_THREADS_AUTO}: one per two processors, at least one, leaving the other half to the
 *     storage engine's writers, flushes and compactions (with redis-benchmark on a 2-core machine,
 *     one loop beats two)
 */
public record RespConfig(
    boolean enabled, ListenerConfig listener, Optional<String> requirepass, int ioThreads)
    implements FrontEndSection {

  /** The {@code io_threads} value that picks one thread per two processors. */
  public static final int IO_THREADS_AUTO = 0;

  /** Most event-loop threads. */
  public static final int IO_THREADS_MAX = 256;

  public RespConfig {
    if (listener == null || requirepass == null) {
      throw new IllegalArgumentException("listener and requirepass must not be null");
    }
    if (ioThreads < 0 || ioThreads > IO_THREADS_MAX) {
      throw new IllegalArgumentException(
          "ioThreads must be 0 (auto) to " + IO_THREADS_MAX + ": " + ioThreads);
    }
  }

  /** A section with automatic I/O threads. */
  public RespConfig(boolean enabled, ListenerConfig listener, Optional<String> requirepass) {
    this(enabled, listener, requirepass, IO_THREADS_AUTO);
  }

  /** The event-loop threads to start: {@link #ioThreads()}, or the automatic count for 0. */
  public int effectiveIoThreads() {
    return resolveIoThreads(ioThreads, Runtime.getRuntime().availableProcessors());
  }

  /** {@code ioThreads}, or for 0 one per two of {@code processors}, at least one. */
  public static int resolveIoThreads(int ioThreads, int processors) {
    return ioThreads > 0 ? ioThreads : Math.max(1, processors / 2);
  }

  /** Hides the password: configurations are printed in logs and test failures. */
  @Override
  public String toString() {
    return "RespConfig[enabled="
        + enabled
        + ", listener="
        + listener
        + ", requirepass="
        + (requirepass.isPresent() ? "(set)" : "(none)")
        + ", ioThreads="
        + ioThreads
        + "]";
  }
}
