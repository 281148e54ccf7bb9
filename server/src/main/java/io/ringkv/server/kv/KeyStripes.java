package io.ringkv.server.kv;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Serialises asynchronous operations per key on this node: an operation on a key's stripe starts
 * once the previous one on that stripe has completed, without blocking any thread (each stripe
 * holds the future of its last operation, and the next one is chained to it). The cluster service
 * runs its read-modify-write operations (NX, XX, GET, KEEPTTL, Touch) through it, so that two of
 * them on one key never interleave on this coordinator.
 *
 * <p>Bound: at most {@link #QUEUED_PER_STRIPE_MAX} operations wait or run per stripe; beyond,
 * {@link #serialise} fails at once (the caller answers UNAVAILABLE). The bound also limits how deep
 * a chain of operations that complete on the spot can nest.
 *
 * <p>Thread-safe.
 */
final class KeyStripes {
  /** Stripes; a power of two. */
  static final int STRIPES = 1024;

  /** Operations waiting or running per stripe at most. */
  static final int QUEUED_PER_STRIPE_MAX = 64;

  private final Object[] locks = new Object[STRIPES];
  private final CompletableFuture<?>[] tails = new CompletableFuture<?>[STRIPES];
  private final int[] queued = new int[STRIPES];

  KeyStripes() {
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  /** True if no serialised operation waits or runs on {@code key}'s stripe. */
  boolean idle(byte[] key) {
    int stripe = stripe(key);
    synchronized (locks[stripe]) {
      return queued[stripe] == 0;
    }
  }

  /**
   * Runs {@code operation} once every earlier operation of {@code key}'s stripe has completed;
   * completes as it does. Returns null (nothing run) if the stripe's bound is reached.
   */
  <T> CompletableFuture<T> serialise(byte[] key, Supplier<CompletableFuture<T>> operation) {
    int stripe = stripe(key);
    CompletableFuture<T> result = new CompletableFuture<>();
    CompletableFuture<?> previous;
    synchronized (locks[stripe]) {
      if (queued[stripe] >= QUEUED_PER_STRIPE_MAX) {
        return null;
      }
      queued[stripe]++;
      previous = tails[stripe];
      tails[stripe] = result;
    }
    Runnable start =
        () -> {
          CompletableFuture<T> running;
          try {
            running = operation.get();
          } catch (RuntimeException e) {
            running = CompletableFuture.failedFuture(e);
          }
          running.whenComplete(
              (value, failure) -> {
                synchronized (locks[stripe]) {
                  queued[stripe]--;
                  if (tails[stripe] == result) {
                    tails[stripe] = null;
                  }
                }
                if (failure != null) {
                  result.completeExceptionally(failure);
                } else {
                  result.complete(value);
                }
              });
        };
    if (previous == null || previous.isDone()) {
      start.run();
    } else {
      previous.whenComplete((ignored, failure) -> start.run());
    }
    return result;
  }

  private static int stripe(byte[] key) {
    return (Arrays.hashCode(key) * 0x9E3779B9 >>> 22) & (STRIPES - 1);
  }
}
