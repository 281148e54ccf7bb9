package io.ringkv.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RngTest {

  @Test
  void nextLong_sameSeedGivesSameStream() {
    Rng a = new Rng(42);
    Rng b = new Rng(42);
    for (int i = 0; i < 1_000; i++) {
      assertThat(a.nextLong()).isEqualTo(b.nextLong());
    }
  }

  @Test
  void nextLong_differentSeedsDiffer() {
    assertThat(new Rng(1).nextLong()).isNotEqualTo(new Rng(2).nextLong());
  }

  @Test
  void nextLong_isStableAcrossReleases() {
    // A replayed simulator seed must give the same run forever: pin the first outputs.
    Rng rng = new Rng(0);
    long[] first = {rng.nextLong(), rng.nextLong(), rng.nextLong()};
    Rng again = new Rng(0);
    assertThat(first).containsExactly(again.nextLong(), again.nextLong(), again.nextLong());
    assertThat(first[0]).isEqualTo(0x99EC5F36CB75F2B4L);
  }

  @Test
  void nextInt_staysInBoundsAndCoversThem() {
    Rng rng = new Rng(7);
    int[] counts = new int[10];
    for (int i = 0; i < 100_000; i++) {
      counts[rng.nextInt(10)]++;
    }
    for (int count : counts) {
      assertThat(count).isBetween(9_000, 11_000);
    }
  }

  @Test
  void nextInt_range() {
    Rng rng = new Rng(9);
    for (int i = 0; i < 10_000; i++) {
      assertThat(rng.nextInt(-5, 5)).isBetween(-5, 4);
    }
  }

  @Test
  void nextLong_nonPowerOfTwoBound() {
    Rng rng = new Rng(11);
    long bound = (1L << 62) + 12345;
    for (int i = 0; i < 10_000; i++) {
      assertThat(rng.nextLong(bound)).isBetween(0L, bound - 1);
    }
  }

  @Test
  void nextInt_rejectsEmptyBound() {
    assertThatThrownBy(() -> new Rng(1).nextInt(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bound must be positive");
  }

  @Test
  void nextDouble_isInUnitInterval() {
    Rng rng = new Rng(3);
    for (int i = 0; i < 10_000; i++) {
      assertThat(rng.nextDouble()).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
    }
  }

  @Test
  void fork_isDeterministicAndIndependent() {
    Rng parentA = new Rng(5);
    Rng parentB = new Rng(5);
    Rng childA = parentA.fork();
    Rng childB = parentB.fork();
    assertThat(childA.nextLong()).isEqualTo(childB.nextLong());
    assertThat(childA.seed()).isNotEqualTo(parentA.seed());
  }

  @Test
  void nextBytes_fillsOddLengths() {
    byte[] a = new byte[13];
    byte[] b = new byte[13];
    new Rng(8).nextBytes(a);
    new Rng(8).nextBytes(b);
    assertThat(a).isEqualTo(b);
    assertThat(a).isNotEqualTo(new byte[13]);
  }
}
