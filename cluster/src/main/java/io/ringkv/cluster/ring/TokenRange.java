package io.ringkv.cluster.ring;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The tokens after {@code start} up to and including {@code end}, clockwise: {@code (start, end]}.
 *
 * <p>When {@code start < end} the range is the plain interval. When {@code start > end} it wraps:
 * it runs from {@code start} past {@link Token#MAX} to {@link Token#MIN} and on to {@code end}.
 * When {@code start == end} it is the whole ring (the one range of a ring with a single token), as
 * in Cassandra. A range ending at {@link Token#MIN}, {@code (s, MIN]}, is "the rest of the ring":
 * it holds every token after {@code s}, and {@code MIN} itself, which no key has.
 *
 * <p>Each node owns the range from the token before its own (its primary range), so every token of
 * the ring lies in exactly one node's primary range. Helpers work exactly, also at the ends of the
 * ring, by turning a range into at most two closed intervals of signed longs.
 *
 * <p>Immutable value; equality is structural, so {@code (1, 1]} and {@code (2, 2]} are both the
 * full ring but not equal.
 */
public record TokenRange(Token start, Token end) {
  /** The largest number of pieces {@link #split} makes, a bound on what it allocates. */
  public static final int SPLIT_PARTS_MAX = 1 << 20;

  private static final BigInteger RING_SIZE = BigInteger.ONE.shiftLeft(64);

  public TokenRange {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
  }

  /** {@code (start, end]}. */
  public static TokenRange of(long start, long end) {
    return new TokenRange(Token.of(start), Token.of(end));
  }

  /** The whole ring, written {@code (MIN, MIN]}. */
  public static TokenRange fullRing() {
    return new TokenRange(Token.MIN, Token.MIN);
  }

  /** True if this range is the whole ring ({@code start == end}). */
  public boolean isFull() {
    return start.equals(end);
  }

  /**
   * True if this range passes from {@link Token#MAX} to {@link Token#MIN} and continues beyond
   * {@code MIN}: {@code start >= end} and {@code end != MIN}. The full ring wraps unless it is
   * {@code (MIN, MIN]}.
   */
  public boolean wrapsAround() {
    return start.compareTo(end) >= 0 && !end.isMinimum();
  }

  /** True if {@code token} lies in this range. */
  public boolean contains(Token token) {
    long s = start.value();
    long e = end.value();
    long t = token.value();
    if (s < e) {
      return s < t && t <= e;
    }
    if (s > e) {
      return t > s || t <= e;
    }
    return true;
  }

  /** The number of tokens in this range: from 1 up to 2^64 for the full ring. */
  public BigInteger size() {
    if (isFull()) {
      return RING_SIZE;
    }
    return new BigInteger(Long.toUnsignedString(start.distanceTo(end)));
  }

  /** The fraction of the ring this range holds, in (0, 1]. */
  public double ringFraction() {
    if (isFull()) {
      return 1.0;
    }
    return unsignedToDouble(start.distanceTo(end)) * 0x1.0p-64;
  }

  /**
   * This range as ranges that do not wrap around: itself, or {@code (start, MIN]} and {@code (MIN,
   * end]} (Cassandra's {@code unwrap}).
   */
  public List<TokenRange> unwrap() {
    if (!wrapsAround()) {
      return List.of(this);
    }
    return List.of(new TokenRange(start, Token.MIN), new TokenRange(Token.MIN, end));
  }

  /** True if some token lies in both ranges. */
  public boolean intersects(TokenRange other) {
    return !intersection(other).isEmpty();
  }

  /**
   * The tokens in both ranges, as disjoint ranges in ring order from {@link Token#MIN} (a piece
   * that wraps around comes first). Two arcs of a circle meet in at most two arcs, so the list
   * holds at most two ranges. Exact, {@code MIN} included.
   */
  public List<TokenRange> intersection(TokenRange other) {
    List<long[]> pieces = new ArrayList<>();
    for (long[] a : closedIntervals()) {
      for (long[] b : other.closedIntervals()) {
        long lo = Math.max(a[0], b[0]);
        long hi = Math.min(a[1], b[1]);
        if (lo <= hi) {
          pieces.add(new long[] {lo, hi});
        }
      }
    }
    pieces.sort((x, y) -> Long.compare(x[0], y[0]));
    return fromClosedIntervals(pieces);
  }

  /**
   * This range cut into {@code parts} contiguous ranges of (nearly) equal size, in ring order from
   * {@code start}: piece {@code i} ends at {@code start + floor((i + 1) * size / parts)}.
   *
   * @throws IllegalArgumentException if {@code parts} is not in [1, min({@link #SPLIT_PARTS_MAX},
   *     size)]
   */
  public List<TokenRange> split(int parts) {
    BigInteger size = size();
    if (parts < 1 || parts > SPLIT_PARTS_MAX || BigInteger.valueOf(parts).compareTo(size) > 0) {
      throw new IllegalArgumentException(
          "parts must be in [1, min("
              + SPLIT_PARTS_MAX
              + ", range size "
              + size
              + ")], was "
              + parts);
    }
    List<TokenRange> result = new ArrayList<>(parts);
    Token from = start;
    for (int i = 1; i <= parts; i++) {
      Token to =
          i == parts
              ? end
              : Token.of(
                  start.value()
                      + size.multiply(BigInteger.valueOf(i))
                          .divide(BigInteger.valueOf(parts))
                          .longValue());
      result.add(new TokenRange(from, to));
      from = to;
    }
    return result;
  }

  /**
   * The range as closed intervals {@code [lo, hi]} of signed longs, in ring order from {@code
   * start}: one interval, or two when it passes from {@code MAX} to {@code MIN} (the piece after
   * {@code start} first).
   */
  List<long[]> closedIntervals() {
    long s = start.value();
    long e = end.value();
    if (s < e) {
      return List.of(new long[] {s + 1, e});
    }
    if (s == e && s == Long.MIN_VALUE) {
      return List.of(new long[] {Long.MIN_VALUE, Long.MAX_VALUE});
    }
    // Wrapping (s > e) or full from a token other than MIN: (s, MAX] then [MIN, e].
    List<long[]> intervals = new ArrayList<>(2);
    if (s != Long.MAX_VALUE) {
      intervals.add(new long[] {s + 1, Long.MAX_VALUE});
    }
    intervals.add(new long[] {Long.MIN_VALUE, e});
    return intervals;
  }

  /**
   * Ranges for disjoint closed intervals sorted by their low end; a piece that reaches {@code MAX}
   * and one that starts at {@code MIN} are joined into one range that wraps around.
   */
  private static List<TokenRange> fromClosedIntervals(List<long[]> sorted) {
    List<long[]> merged = new ArrayList<>();
    for (long[] piece : sorted) {
      long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && last[1] != Long.MAX_VALUE && last[1] + 1 >= piece[0]) {
        last[1] = Math.max(last[1], piece[1]);
      } else {
        merged.add(new long[] {piece[0], piece[1]});
      }
    }
    if (merged.isEmpty()) {
      return List.of();
    }
    long[] first = merged.get(0);
    long[] last = merged.get(merged.size() - 1);
    if (first[0] == Long.MIN_VALUE && last[1] == Long.MAX_VALUE) {
      if (merged.size() == 1) {
        return List.of(fullRing());
      }
      // [lo, MAX] and [MIN, hi] are one arc through the wrap: (lo - 1, hi].
      List<TokenRange> result = new ArrayList<>(merged.size() - 1);
      result.add(TokenRange.of(last[0] - 1, first[1]));
      for (int i = 1; i < merged.size() - 1; i++) {
        result.add(TokenRange.of(merged.get(i)[0] - 1, merged.get(i)[1]));
      }
      return List.copyOf(result);
    }
    List<TokenRange> result = new ArrayList<>(merged.size());
    for (long[] piece : merged) {
      // [MIN, hi] becomes (MAX, hi], which wraps around and holds exactly [MIN, hi].
      result.add(TokenRange.of(piece[0] - 1, piece[1]));
    }
    return List.copyOf(result);
  }

  static double unsignedToDouble(long value) {
    double high = (double) (value >>> 1) * 2.0;
    return high + (value & 1);
  }

  @Override
  public String toString() {
    return "(" + start + ", " + end + "]";
  }
}
