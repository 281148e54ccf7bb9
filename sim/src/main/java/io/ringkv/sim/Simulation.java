package io.ringkv.sim;

import io.ringkv.common.Rng;
import java.util.Comparator;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * The deterministic scheduler every simulated run is built on: one thread, one seeded {@link Rng},
 * simulated time, and a queue of actions ordered by (time, sequence number). An action scheduled
 * for the same instant as another runs after it, so that the order of events never depends on
 * anything but the seed and the calls made. This is the loop TigerBeetle's VOPR and FoundationDB's
 * simulator are built around: the protocol code under test does no I/O and reads no clock, so the
 * whole cluster runs inside it, and one seed replays one run exactly.
 *
 * <p>Time is the simulation's "true" time in nanoseconds from 0; each simulated node reads its own
 * {@link SimClock} derived from it. Nothing here reads the wall clock or starts a thread.
 *
 * <p>Invariants: time never goes backwards; an action is never scheduled in the past; at most
 * {@link #SCHEDULED_ACTIONS_MAX} actions wait (more is a runaway simulation, a programmer error).
 *
 * <p>Not thread-safe: a simulation is driven by one thread.
 */
public final class Simulation {
  /** The most actions that may wait in the queue at once. */
  public static final int SCHEDULED_ACTIONS_MAX = 1 << 20;

  private record Scheduled(long atNanos, long sequence, Runnable action) {}

  private static final Comparator<Scheduled> ORDER =
      Comparator.comparingLong(Scheduled::atNanos).thenComparingLong(Scheduled::sequence);

  private final PriorityQueue<Scheduled> queue = new PriorityQueue<>(ORDER);
  private final Rng rng;
  private final Trace trace;
  private long nowNanos;
  private long sequence;
  private long actionsRun;

  /** A simulation at time 0 whose randomness all comes from {@code seed}. */
  public Simulation(long seed, Trace trace) {
    this.rng = new Rng(seed);
    this.trace = Objects.requireNonNull(trace, "trace");
  }

  /** The simulated time now, in nanoseconds since the start. */
  public long nowNanos() {
    return nowNanos;
  }

  /** The simulation's random source; parts of the simulation should {@link Rng#fork()} it. */
  public Rng rng() {
    return rng;
  }

  public Trace trace() {
    return trace;
  }

  /** Appends {@code what} to the trace at the current time. */
  public void trace(String what) {
    trace.add(nowNanos, what);
  }

  /** How many actions have run. */
  public long actionsRun() {
    return actionsRun;
  }

  /** How many actions wait. */
  public int pending() {
    return queue.size();
  }

  /**
   * Runs {@code action} at {@code atNanos}.
   *
   * @throws IllegalArgumentException if {@code atNanos} is in the past
   * @throws IllegalStateException if {@link #SCHEDULED_ACTIONS_MAX} actions already wait
   */
  public void at(long atNanos, Runnable action) {
    Objects.requireNonNull(action, "action");
    if (atNanos < nowNanos) {
      throw new IllegalArgumentException(
          "cannot schedule at "
              + SimTime.format(atNanos)
              + ", before now ("
              + SimTime.format(nowNanos)
              + ")");
    }
    if (queue.size() >= SCHEDULED_ACTIONS_MAX) {
      throw new IllegalStateException(
          "more than SCHEDULED_ACTIONS_MAX (" + SCHEDULED_ACTIONS_MAX + ") actions scheduled");
    }
    queue.add(new Scheduled(atNanos, sequence++, action));
  }

  /** Runs {@code action} {@code delayNanos} from now. */
  public void after(long delayNanos, Runnable action) {
    if (delayNanos < 0) {
      throw new IllegalArgumentException("delayNanos must be non-negative, was " + delayNanos);
    }
    at(Math.addExact(nowNanos, delayNanos), action);
  }

  /**
   * Runs every action due at or before {@code endNanos}, in order; then time is {@code endNanos}.
   */
  public void runUntil(long endNanos) {
    if (endNanos < nowNanos) {
      throw new IllegalArgumentException(
          "cannot run until "
              + SimTime.format(endNanos)
              + ", before now ("
              + SimTime.format(nowNanos)
              + ")");
    }
    while (!queue.isEmpty() && queue.peek().atNanos() <= endNanos) {
      Scheduled next = queue.poll();
      nowNanos = next.atNanos();
      actionsRun++;
      next.action().run();
    }
    nowNanos = endNanos;
  }

  /** Runs for {@code durationNanos} from now. */
  public void runFor(long durationNanos) {
    runUntil(Math.addExact(nowNanos, durationNanos));
  }

  /**
   * Runs until {@code done} holds, checking it every {@code pollNanos}, but not past {@code
   * deadlineNanos}.
   *
   * @return true if {@code done} held (time is then the first check at which it did)
   */
  public boolean runUntil(BooleanSupplier done, long deadlineNanos, long pollNanos) {
    if (pollNanos <= 0) {
      throw new IllegalArgumentException("pollNanos must be positive, was " + pollNanos);
    }
    while (true) {
      if (done.getAsBoolean()) {
        return true;
      }
      if (nowNanos >= deadlineNanos) {
        return false;
      }
      runUntil(Math.min(deadlineNanos, nowNanos + pollNanos));
    }
  }
}
