package io.ringkv.storage.rocks;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Lets any number of threads use native resources at once, and one thread close them once no thread
 * is using them any more.
 *
 * <p>Why: RocksJava objects point at C++ memory; a call on a closed {@code RocksDB} or {@code
 * RocksIterator} is a use-after-free that crashes the whole JVM, not an exception. So every call
 * into RocksDB runs between {@link #enter()} and {@link #exit()}, and {@link #closeAndDrain()}
 * refuses new entries and then waits until every entered call has exited, after which the caller
 * may free the native objects.
 *
 * <p>How: a count of calls in flight, striped over padded slots so that threads on different cores
 * do not fight over one cache line on every operation (a read-write lock would). A thread always
 * uses the slot of its own id, for entry and exit alike, so every slot is the exact number of calls
 * in flight among the threads that map to it and is never negative. {@link #enter()} increments its
 * slot and then reads the closed flag; {@link #closeAndDrain()} sets the flag and then reads the
 * slots. All of these are sequentially consistent, so either the entering thread sees the flag (and
 * backs out) or the closing thread sees its count (and waits for its exit): no call slips through.
 *
 * <p>Invariant: after {@link #closeAndDrain()} returns, no thread is between {@link #enter()} and
 * {@link #exit()}, and {@link #enter()} returns false forever. Thread-safe.
 */
final class CloseGate {
  /** Slots of the in-flight count; a power of two. */
  private static final int SLOTS = 64;

  /** Longs between two slots: 128 bytes, so that two slots never share a cache line. */
  private static final int SLOT_STRIDE = 16;

  /** How long the closing thread parks between two looks at a slot. */
  private static final long DRAIN_PARK_NANOS = 50_000;

  private final AtomicLongArray inFlight = new AtomicLongArray(SLOTS * SLOT_STRIDE);
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean closed;

  /**
   * Enters the gate. When this returns true the caller must call {@link #exit()} exactly once, on
   * the same thread, when it no longer touches native objects.
   *
   * @return false if the gate is closed: the caller must not touch native objects
   */
  boolean enter() {
    int slot = slot();
    inFlight.getAndIncrement(slot);
    if (closed) {
      inFlight.getAndDecrement(slot);
      return false;
    }
    return true;
  }

  /** Leaves the gate entered by this thread. */
  void exit() {
    long left = inFlight.getAndDecrement(slot());
    if (left <= 0) {
      throw new AssertionError("CloseGate.exit without a matching enter");
    }
  }

  /** True once {@link #closeAndDrain()} has started. */
  boolean isClosed() {
    return closed;
  }

  /**
   * Refuses every later {@link #enter()} and waits until every call in flight has exited. Calls in
   * flight are bounded operations (a write, a read, at worst a compaction), so the wait ends.
   *
   * @return true for the one caller that closed the gate; false if it was already closed, in which
   *     case this returns at once without waiting
   */
  boolean closeAndDrain() {
    if (!closing.compareAndSet(false, true)) {
      return false;
    }
    closed = true;
    for (int slot = 0; slot < SLOTS * SLOT_STRIDE; slot += SLOT_STRIDE) {
      while (inFlight.get(slot) != 0) {
        // A short park rather than a spin: the calls we wait for may be long (a compaction).
        LockSupport.parkNanos(DRAIN_PARK_NANOS);
      }
    }
    return true;
  }

  private static int slot() {
    // Fibonacci hashing spreads consecutive thread ids over the slots.
    long hash = Thread.currentThread().threadId() * 0x9E3779B97F4A7C15L;
    return (int) (hash >>> (64 - Integer.numberOfTrailingZeros(SLOTS))) * SLOT_STRIDE;
  }
}
