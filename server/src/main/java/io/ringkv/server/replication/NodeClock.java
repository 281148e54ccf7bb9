package io.ringkv.server.replication;

import io.ringkv.cluster.version.Hlc;
import io.ringkv.common.Clock;

/**
 * This node's hybrid logical clock, driven by the wall clock: one {@link Hlc} shared by every
 * request thread, under a lock (a few arithmetic operations, so the lock is held for nanoseconds).
 * Writes the node coordinates are stamped with {@link #stamp()}; every replication message received
 * is merged with {@link #observe} so that a write stamped after reading another node's value wins
 * over it even when the wall clocks disagree a little; {@link #reading()} is what outgoing messages
 * carry.
 *
 * <p>Thread-safe.
 */
public final class NodeClock {
  private final Clock clock;
  private final Hlc hlc = new Hlc();

  public NodeClock(Clock clock) {
    this.clock = clock;
  }

  /** A fresh timestamp for a write this node coordinates, higher than any before. */
  public long stamp() {
    long wall = clock.epochMillis();
    synchronized (hlc) {
      return hlc.now(wall);
    }
  }

  /** Merges {@code remote}, a timestamp a message carried. */
  public void observe(long remote) {
    long wall = clock.epochMillis();
    synchronized (hlc) {
      hlc.observe(remote, wall);
    }
  }

  /** The clock's reading now, without handing out a new timestamp: what messages carry. */
  public long reading() {
    long wall = clock.epochMillis();
    synchronized (hlc) {
      return hlc.observe(0, wall);
    }
  }

  /** The wall clock, epoch milliseconds (expiries, hint windows, tombstones' deletion times). */
  public long wallMillis() {
    return clock.epochMillis();
  }

  /** The monotonic clock, nanoseconds (latencies). */
  public long nanos() {
    return clock.nowNanos();
  }
}
