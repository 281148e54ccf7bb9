package io.ringkv.cluster.version;

/**
 * A hybrid logical clock (Kulkarni et al. 2014, as in CockroachDB): timestamps that follow the
 * physical clock in milliseconds, but never go backwards and always exceed every timestamp this
 * node has seen from others, so that a write stamped after reading another node's value wins over
 * it even when the clocks disagree by a little.
 *
 * <p>A timestamp is one {@code long}: the physical part, epoch milliseconds, in the high 48 bits,
 * and a logical counter in the low 16 ({@link #encode}). Ordering timestamps as longs orders them
 * as (physical, logical) pairs. 48 bits of milliseconds last until the year 10889.
 *
 * <p>The rules: {@link #now} takes max(physical now, last physical); if that is the last physical
 * part, the counter goes up by one, else it resets to 0. {@link #observe} merges a timestamp from a
 * message the same way. When the counter would overflow (65,536 events in one millisecond that the
 * physical clock has not passed) the physical part is pushed one millisecond ahead instead, which
 * keeps timestamps strictly increasing at the price of running ahead of the wall clock for a
 * moment.
 *
 * <p>Pure: the caller passes the physical time. Not thread-safe; the server wraps it in a lock.
 */
public final class Hlc {
  /** Bits of the logical counter. */
  public static final int LOGICAL_BITS = 16;

  private static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;

  private long last;

  /** A clock that has seen nothing yet. */
  public Hlc() {}

  /** A clock that has seen {@code lastTimestamp} (restored after a restart, say). */
  public Hlc(long lastTimestamp) {
    this.last = lastTimestamp;
  }

  /** The timestamp of {@code physicalMillis} with counter {@code logical}. */
  public static long encode(long physicalMillis, int logical) {
    if (physicalMillis < 0 || physicalMillis >= 1L << (64 - LOGICAL_BITS - 1)) {
      throw new IllegalArgumentException("physical time out of range: " + physicalMillis);
    }
    if (logical < 0 || logical > LOGICAL_MASK) {
      throw new IllegalArgumentException("logical counter out of range: " + logical);
    }
    return physicalMillis << LOGICAL_BITS | logical;
  }

  /** The physical part, epoch milliseconds, of {@code timestamp}. */
  public static long physicalMillis(long timestamp) {
    return timestamp >>> LOGICAL_BITS;
  }

  /** The logical counter of {@code timestamp}. */
  public static int logical(long timestamp) {
    return (int) (timestamp & LOGICAL_MASK);
  }

  /** A timestamp for a local event (a write this node coordinates) at {@code physicalMillis}. */
  public long now(long physicalMillis) {
    long candidate = encode(Math.max(0, physicalMillis), 0);
    last = candidate > last ? candidate : last + 1;
    return last;
  }

  /**
   * Merges {@code remote}, a timestamp carried by a message received at {@code physicalMillis}:
   * later local timestamps exceed it. Returns the clock's new reading.
   */
  public long observe(long remote, long physicalMillis) {
    long candidate = encode(Math.max(0, physicalMillis), 0);
    long max = Math.max(candidate, remote);
    last = max > last ? max : last;
    return last;
  }

  /** The last timestamp handed out or observed. */
  public long last() {
    return last;
  }

  /** {@code timestamp} as {@code physical.logical}, for logs and traces. */
  public static String format(long timestamp) {
    return physicalMillis(timestamp) + "." + logical(timestamp);
  }
}
