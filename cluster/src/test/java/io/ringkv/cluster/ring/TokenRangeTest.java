package io.ringkv.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.Rng;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TokenRangeTest {
  private static final long MIN = Long.MIN_VALUE;
  private static final long MAX = Long.MAX_VALUE;

  @Test
  void contains_plainRangeIsStartExclusiveEndInclusive() {
    TokenRange range = TokenRange.of(10, 20);
    assertThat(range.contains(Token.of(10))).isFalse();
    assertThat(range.contains(Token.of(11))).isTrue();
    assertThat(range.contains(Token.of(20))).isTrue();
    assertThat(range.contains(Token.of(21))).isFalse();
    assertThat(range.wrapsAround()).isFalse();
    assertThat(range.size()).isEqualTo(BigInteger.TEN);
  }

  @Test
  void contains_wrappingRangePassesThroughMaxAndMin() {
    TokenRange range = TokenRange.of(20, 10);
    assertThat(range.wrapsAround()).isTrue();
    assertThat(range.contains(Token.of(21))).isTrue();
    assertThat(range.contains(Token.MAX)).isTrue();
    assertThat(range.contains(Token.MIN)).isTrue();
    assertThat(range.contains(Token.of(10))).isTrue();
    assertThat(range.contains(Token.of(15))).isFalse();
    assertThat(range.contains(Token.of(20))).isFalse();
    assertThat(range.size()).isEqualTo(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.TEN));
  }

  @Test
  void contains_equalEndsAreTheFullRing() {
    for (TokenRange range : List.of(TokenRange.of(5, 5), TokenRange.fullRing())) {
      assertThat(range.isFull()).isTrue();
      assertThat(range.contains(Token.of(5))).isTrue();
      assertThat(range.contains(Token.MIN)).isTrue();
      assertThat(range.contains(Token.MAX)).isTrue();
      assertThat(range.size()).isEqualTo(BigInteger.ONE.shiftLeft(64));
      assertThat(range.ringFraction()).isEqualTo(1.0);
    }
    assertThat(TokenRange.fullRing().wrapsAround()).isFalse();
    assertThat(TokenRange.of(5, 5).wrapsAround()).isTrue();
  }

  @Test
  void contains_rangeEndingAtMinIsTheRestOfTheRing() {
    TokenRange range = TokenRange.of(100, MIN);
    assertThat(range.wrapsAround()).isFalse();
    assertThat(range.contains(Token.of(101))).isTrue();
    assertThat(range.contains(Token.MAX)).isTrue();
    assertThat(range.contains(Token.MIN)).isTrue();
    assertThat(range.contains(Token.of(MIN + 1))).isFalse();
    assertThat(range.unwrap()).containsExactly(range);
  }

  @Test
  void unwrap_splitsAtMin() {
    assertThat(TokenRange.of(20, 10).unwrap())
        .containsExactly(TokenRange.of(20, MIN), TokenRange.of(MIN, 10));
    assertThat(TokenRange.of(10, 20).unwrap()).containsExactly(TokenRange.of(10, 20));
  }

  @Test
  void ringFraction_halfRing() {
    assertThat(TokenRange.of(MIN, 0).ringFraction()).isEqualTo(0.5);
    assertThat(TokenRange.of(0, MIN).ringFraction()).isEqualTo(0.5);
    assertThat(TokenRange.of(-1, 0).ringFraction()).isEqualTo(0x1.0p-64);
  }

  @Test
  void split_fullRingIntoFourQuarters() {
    assertThat(TokenRange.fullRing().split(4))
        .containsExactly(
            TokenRange.of(MIN, MIN / 2),
            TokenRange.of(MIN / 2, 0),
            TokenRange.of(0, MAX / 2 + 1),
            TokenRange.of(MAX / 2 + 1, MIN));
  }

  @Test
  void split_rejectsMorePartsThanTokens() {
    assertThatThrownBy(() -> TokenRange.of(0, 3).split(4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("range size 3")
        .hasMessageContaining("was 4");
    assertThatThrownBy(() -> TokenRange.of(0, 3).split(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static Stream<Long> seeds() {
    return TestSeeds.seeds(0x7A_2A_6E_00L, 5);
  }

  /** Intersections against token-by-token membership on the ends, their neighbours and more. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void intersection_matchesMembershipOfBoth(long seed) {
    Rng rng = new Rng(seed);
    for (int round = 0; round < 2_000; round++) {
      TokenRange a = randomRange(rng);
      TokenRange b = randomRange(rng);
      List<TokenRange> both = a.intersection(b);
      String where = TestSeeds.replay(seed) + " round " + round + ": " + a + " & " + b;
      assertThat(both).as(where).hasSizeLessThanOrEqualTo(2);
      assertThat(a.intersects(b)).as(where).isEqualTo(!both.isEmpty());
      BigInteger total = BigInteger.ZERO;
      for (TokenRange piece : both) {
        total = total.add(piece.size());
      }
      for (long probe : probes(rng, a, b)) {
        Token token = Token.of(probe);
        long holders = both.stream().filter(r -> r.contains(token)).count();
        assertThat(holders)
            .as(where + " probe " + probe + " in " + both)
            .isEqualTo(a.contains(token) && b.contains(token) ? 1 : 0);
      }
      // The sizes add up: |a & b| = |a| + |b| - |a | b| can't be checked without the union, but
      // the intersection is never larger than either range.
      assertThat(total).as(where).isLessThanOrEqualTo(a.size().min(b.size()));
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void split_piecesAreContiguousAndCoverTheRange(long seed) {
    Rng rng = new Rng(seed);
    for (int round = 0; round < 500; round++) {
      TokenRange range = randomRange(rng);
      int limit = range.size().min(BigInteger.valueOf(40)).intValueExact();
      int parts = rng.nextInt(1, limit + 1);
      List<TokenRange> pieces = range.split(parts);
      String where = TestSeeds.replay(seed) + " round " + round + ": " + range + " / " + parts;
      assertThat(pieces).as(where).hasSize(parts);
      assertThat(pieces.get(0).start()).as(where).isEqualTo(range.start());
      assertThat(pieces.get(parts - 1).end()).as(where).isEqualTo(range.end());
      BigInteger total = BigInteger.ZERO;
      BigInteger smallest = null;
      BigInteger largest = null;
      for (int i = 0; i < parts; i++) {
        TokenRange piece = pieces.get(i);
        if (i > 0) {
          assertThat(piece.start()).as(where).isEqualTo(pieces.get(i - 1).end());
        }
        BigInteger size = parts == 1 ? range.size() : piece.size();
        total = total.add(size);
        smallest = smallest == null ? size : smallest.min(size);
        largest = largest == null ? size : largest.max(size);
      }
      assertThat(total).as(where).isEqualTo(range.size());
      assertThat(largest.subtract(smallest)).as(where).isLessThanOrEqualTo(BigInteger.ONE);
      for (long probe : probes(rng, range, range)) {
        Token token = Token.of(probe);
        long holders = pieces.stream().filter(r -> r.contains(token)).count();
        assertThat(holders).as(where + " probe " + probe).isEqualTo(range.contains(token) ? 1 : 0);
      }
    }
  }

  /** Ends drawn from the ring's edges, a small window around zero, and anywhere. */
  static TokenRange randomRange(Rng rng) {
    return TokenRange.of(randomEnd(rng), randomEnd(rng));
  }

  private static long randomEnd(Rng rng) {
    return switch (rng.nextInt(6)) {
      case 0 -> MIN + rng.nextInt(3);
      case 1 -> MAX - rng.nextInt(3);
      case 2, 3 -> rng.nextInt(-20, 20);
      default -> rng.nextLong();
    };
  }

  private static List<Long> probes(Rng rng, TokenRange a, TokenRange b) {
    TreeSet<Long> probes = new TreeSet<>(List.of(MIN, MIN + 1, -1L, 0L, 1L, MAX - 1, MAX));
    for (TokenRange range : List.of(a, b)) {
      for (long end : new long[] {range.start().value(), range.end().value()}) {
        probes.add(end - 1);
        probes.add(end);
        probes.add(end + 1);
      }
    }
    for (int i = 0; i < 20; i++) {
      probes.add(rng.nextLong());
      probes.add((long) rng.nextInt(-25, 25));
    }
    return new ArrayList<>(probes);
  }
}
