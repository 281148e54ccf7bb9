package io.ringkv.cluster.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PeerClocksTest {
  private static final long SECOND_NANOS = 1_000_000_000L;

  @Test
  void aNodeWhoseClockIsAheadOfEveryPeerRefuses() {
    PeerClocks clocks = new PeerClocks(500, 10 * SECOND_NANOS);
    // Our clock reads 10_000; peers answer 9_000 (we are 1 s ahead), round trip 2 ms.
    clocks.sample("b", 10_000, 9_001, 10_002, 0);
    clocks.sample("c", 10_000, 9_001, 10_002, 0);
    assertThat(clocks.skewMillis(0)).isEqualTo(999);
    assertThat(clocks.refusal(0)).hasValueSatisfying(m -> assertThat(m).contains("ahead of"));
  }

  @Test
  void oneBadPeerDoesNotMakeAGoodNodeRefuse() {
    PeerClocks clocks = new PeerClocks(500, 10 * SECOND_NANOS);
    clocks.sample("bad", 10_000, 12_000, 10_002, 0);
    clocks.sample("good1", 10_000, 10_001, 10_002, 0);
    clocks.sample("good2", 10_000, 10_001, 10_002, 0);
    assertThat(clocks.refusal(0)).isEmpty();
    clocks.forget("good1");
    // Of two peers, the middle value nearer zero counts.
    assertThat(clocks.skewMillis(0)).isZero();
  }

  @Test
  void aSlowRoundTripIsNotSkew() {
    PeerClocks clocks = new PeerClocks(500, 10 * SECOND_NANOS);
    // 1.6 s round trip; the peer's answer is within it.
    clocks.sample("b", 10_000, 10_000, 11_600, 0);
    assertThat(clocks.skewMillis(0)).isZero();
  }

  @Test
  void staleSamplesStopCounting() {
    PeerClocks clocks = new PeerClocks(500, 10 * SECOND_NANOS);
    clocks.sample("b", 10_000, 2_000, 10_000, 0);
    assertThat(clocks.refusal(SECOND_NANOS)).isPresent();
    assertThat(clocks.refusal(11 * SECOND_NANOS)).isEmpty();
    assertThat(clocks.offsets(11 * SECOND_NANOS)).isEmpty();
  }

  @Test
  void behindIsReportedAsBehind() {
    PeerClocks clocks = new PeerClocks(500, 10 * SECOND_NANOS);
    clocks.sample("b", 10_000, 11_000, 10_000, 0);
    assertThat(clocks.skewMillis(0)).isEqualTo(-1_000);
    assertThat(clocks.refusal(0))
        .hasValueSatisfying(m -> assertThat(m).contains("behind").contains("500"));
  }

  @Test
  void refusesNonsenseBounds() {
    assertThatThrownBy(() -> new PeerClocks(0, 1)).hasMessageContaining("max skew");
  }
}
