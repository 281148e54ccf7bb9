package io.ringkv.cluster.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.Rng;
import org.junit.jupiter.api.Test;

class HlcTest {

  @Test
  void followsThePhysicalClockWithCounterZero() {
    Hlc clock = new Hlc();
    long t = clock.now(1_700_000_000_000L);
    assertThat(Hlc.physicalMillis(t)).isEqualTo(1_700_000_000_000L);
    assertThat(Hlc.logical(t)).isZero();
    long later = clock.now(1_700_000_000_005L);
    assertThat(Hlc.physicalMillis(later)).isEqualTo(1_700_000_000_005L);
    assertThat(Hlc.logical(later)).isZero();
  }

  @Test
  void countsWithinOneMillisecondAndWhenThePhysicalClockGoesBack() {
    Hlc clock = new Hlc();
    long first = clock.now(1_000);
    long second = clock.now(1_000);
    long afterJumpBack = clock.now(900);
    assertThat(second).isGreaterThan(first);
    assertThat(Hlc.logical(second)).isEqualTo(1);
    assertThat(afterJumpBack).isGreaterThan(second);
    assertThat(Hlc.physicalMillis(afterJumpBack)).isEqualTo(1_000);
  }

  @Test
  void aTimestampObservedFromAPeerAheadIsExceededByTheNextLocalOne() {
    Hlc behind = new Hlc();
    Hlc ahead = new Hlc();
    long remote = ahead.now(5_000);
    behind.observe(remote, 4_000);
    long local = behind.now(4_001);
    assertThat(local).isGreaterThan(remote);
    assertThat(Hlc.physicalMillis(local)).isEqualTo(5_000);
  }

  @Test
  void observingAnOlderTimestampChangesNothing() {
    Hlc clock = new Hlc();
    long mine = clock.now(2_000);
    assertThat(clock.observe(Hlc.encode(1_000, 7), 2_000)).isEqualTo(mine);
  }

  @Test
  void strictlyIncreasesUnderRandomPhysicalTimesAndObservations() {
    long seed = 0x51ED_2026L;
    Rng rng = new Rng(seed);
    Hlc clock = new Hlc();
    long previous = 0;
    long physical = 1_000_000;
    for (int i = 0; i < 100_000; i++) {
      physical += rng.nextInt(5) - 2; // jitters back and forth
      long stamp;
      if (rng.nextInt(4) == 0) {
        long remote = Hlc.encode(physical + rng.nextInt(50) - 25, rng.nextInt(100));
        clock.observe(remote, physical);
        stamp = clock.now(physical);
        assertThat(stamp).as("seed %d step %d", seed, i).isGreaterThan(remote);
      } else {
        stamp = clock.now(physical);
      }
      assertThat(stamp).as("seed %d step %d", seed, i).isGreaterThan(previous);
      previous = stamp;
    }
  }

  @Test
  void theCounterOverflowsIntoTheNextMillisecond() {
    Hlc clock = new Hlc(Hlc.encode(1_000, 65_535));
    long next = clock.now(1_000);
    assertThat(Hlc.physicalMillis(next)).isEqualTo(1_001);
    assertThat(Hlc.logical(next)).isZero();
  }

  @Test
  void refusesOutOfRangeParts() {
    assertThatThrownBy(() -> Hlc.encode(-1, 0)).hasMessageContaining("physical");
    assertThatThrownBy(() -> Hlc.encode(1, 70_000)).hasMessageContaining("logical");
    assertThat(Hlc.format(Hlc.encode(12, 3))).isEqualTo("12.3");
  }
}
