package io.ringkv.sim;

/**
 * Simulated time: nanoseconds in a {@code long}, as the protocol code takes it. Helpers to write
 * durations readably ({@code seconds(10)}) and to print instants exactly ({@code 12.000345678s}).
 *
 * <p>Stateless and thread-safe.
 */
public final class SimTime {
  public static final long MICROSECOND_NANOS = 1_000L;
  public static final long MILLISECOND_NANOS = 1_000_000L;
  public static final long SECOND_NANOS = 1_000_000_000L;

  private SimTime() {}

  /** {@code seconds} seconds in nanoseconds. */
  public static long seconds(long seconds) {
    return Math.multiplyExact(seconds, SECOND_NANOS);
  }

  /** {@code seconds} (fractional) seconds in nanoseconds, rounded down. */
  public static long seconds(double seconds) {
    return (long) (seconds * SECOND_NANOS);
  }

  /** {@code millis} milliseconds in nanoseconds. */
  public static long millis(long millis) {
    return Math.multiplyExact(millis, MILLISECOND_NANOS);
  }

  /** {@code nanos} as seconds with all nine decimals, for example {@code -1.000000500s}. */
  public static String format(long nanos) {
    StringBuilder out = new StringBuilder(24);
    long magnitude = nanos;
    if (nanos < 0) {
      out.append('-');
      magnitude = nanos == Long.MIN_VALUE ? Long.MAX_VALUE : -nanos;
    }
    out.append(magnitude / SECOND_NANOS).append('.');
    String fraction = Long.toString(magnitude % SECOND_NANOS);
    out.append("0".repeat(9 - fraction.length())).append(fraction).append('s');
    return out.toString();
  }

  /** {@code nanos} as seconds with one decimal, for figures: {@code 12.3s}. */
  public static String formatShort(long nanos) {
    long tenths = Math.round(nanos / (SECOND_NANOS / 10.0));
    return (tenths < 0 ? "-" : "") + Math.abs(tenths) / 10 + "." + Math.abs(tenths) % 10 + "s";
  }
}
