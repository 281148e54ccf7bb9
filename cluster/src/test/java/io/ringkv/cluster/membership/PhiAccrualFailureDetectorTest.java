package io.ringkv.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ringkv.common.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PhiAccrualFailureDetectorTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;
  private static final double LOG10_E = 0.4342944819032518;

  private final PhiAccrualFailureDetector detector =
      new PhiAccrualFailureDetector(FailureDetectorConfig.defaults());

  @Test
  void phi_matchesHandComputedExponential() {
    // Window: the 2 s bootstrap sample, then three 1 s intervals: mean = 5 s / 4 = 1.25 s.
    detector.report("n2", 0);
    detector.report("n2", 1 * S);
    detector.report("n2", 2 * S);
    detector.report("n2", 3 * S);

    // 5 s after the last arrival: 5 / 1.25 × log10(e) = 4 × 0.4342944819 = 1.7371779276.
    assertThat(detector.phi("n2", 8 * S)).isCloseTo(1.7371779276, within(1e-9));
    // 1 s after: 0.8 × log10(e).
    assertThat(detector.phi("n2", 4 * S)).isCloseTo(0.8 * LOG10_E, within(1e-12));
    // At the arrival itself: 0.
    assertThat(detector.phi("n2", 3 * S)).isZero();
  }

  @Test
  void phi_firstArrivalUsesTheBootstrapMean() {
    detector.report("n2", 10 * S);

    // Only the 2 s bootstrap sample: 4 s of silence is 2 means.
    assertThat(detector.phi("n2", 14 * S)).isCloseTo(2 * LOG10_E, within(1e-12));
    assertThat(detector.sampleCount("n2")).isEqualTo(1);
  }

  @Test
  void phi_unknownEndpointIsZero() {
    assertThat(detector.phi("nobody", 100 * S)).isZero();
    assertThat(detector.isUp("nobody")).isFalse();
  }

  @Test
  void phi_meanHasAFloor() {
    // Bootstrap 2 s then 99 intervals of 1 ms: the mean would be ~21 ms; the floor is 500 ms.
    for (int i = 0; i < 100; i++) {
      detector.report("n2", i * MS);
    }
    long last = 99 * MS;

    assertThat(detector.phi("n2", last + 1 * S)).isCloseTo(2 * LOG10_E, within(1e-12));
  }

  @Test
  void phi_timeRunningBackwardsCountsAsNoSilence() {
    detector.report("n2", 10 * S);

    assertThat(detector.phi("n2", 9 * S)).isZero();
  }

  @Test
  void report_intervalsLongerThanTheMaximumAreOutagesNotSamples() {
    detector.report("n2", 0);
    detector.report("n2", 1 * S);
    detector.report("n2", 61 * S); // a minute-long outage: left out of the window
    detector.report("n2", 62 * S);

    assertThat(detector.sampleCount("n2")).isEqualTo(3); // bootstrap, 1 s, 1 s
    // mean = (2 + 1 + 1) / 3 s
    assertThat(detector.phi("n2", 66 * S)).isCloseTo(4 / (4.0 / 3) * LOG10_E, within(1e-12));
  }

  @Test
  void report_windowKeepsOnlyTheLastSamples() {
    FailureDetectorConfig config =
        new FailureDetectorConfig(8.0, 3, 2 * S, 1 * MS, 2 * S, 5 * S, 16);
    PhiAccrualFailureDetector small = new PhiAccrualFailureDetector(config);
    small.report("n2", 0); // bootstrap 2 s
    small.report("n2", 100 * MS);
    small.report("n2", 300 * MS);
    small.report("n2", 600 * MS); // evicts the bootstrap: window 100, 200, 300 ms
    small.report("n2", 1_000 * MS); // evicts 100: window 200, 300, 400 ms

    assertThat(small.sampleCount("n2")).isEqualTo(3);
    assertThat(small.phi("n2", 1_300 * MS)).isCloseTo(300.0 / 300 * LOG10_E, within(1e-12));
  }

  @Test
  void report_windowGrowsPastItsInitialCapacityAndWrapsAround() {
    for (int i = 0; i <= 2_500; i++) {
      detector.report("n2", i * S);
    }

    assertThat(detector.sampleCount("n2")).isEqualTo(1_000);
    // All samples are now 1 s (the bootstrap sample was evicted long ago).
    assertThat(detector.phi("n2", 2_510 * S)).isCloseTo(10 * LOG10_E, within(1e-9));
  }

  @Test
  void report_refusesNewEndpointsBeyondTheBound() {
    PhiAccrualFailureDetector bounded =
        new PhiAccrualFailureDetector(FailureDetectorConfig.defaults().withEndpointsMax(2));

    assertThat(bounded.report("a", 0)).isTrue();
    assertThat(bounded.report("b", 0)).isTrue();
    assertThat(bounded.report("c", 0)).isFalse();
    assertThat(bounded.report("a", 1 * S)).isTrue();
    assertThat(bounded.endpoints()).containsExactly("a", "b");
  }

  @Test
  void interpret_firstArrivalIsUpAndSilenceConvictsAtTheThreshold() {
    detector.report("n2", 0);
    assertThat(detector.interpret(0))
        .containsExactly(new PhiAccrualFailureDetector.Transition("n2", true, 0.0));
    assertThat(detector.isUp("n2")).isTrue();

    // Mean 2 s (bootstrap only): phi > 8 once silence > 8 / log10(e) × 2 s = 36.84 s.
    List<PhiAccrualFailureDetector.Transition> transitions = new ArrayList<>();
    for (long t = 1; t <= 40; t++) {
      for (PhiAccrualFailureDetector.Transition transition : detector.interpret(t * S)) {
        transitions.add(transition);
        assertThat(t).as("convicted at %d s", t).isEqualTo(37);
      }
    }
    assertThat(transitions).hasSize(1);
    assertThat(transitions.get(0).up()).isFalse();
    assertThat(transitions.get(0).phi()).isCloseTo(37 / 2.0 * LOG10_E, within(1e-9));
  }

  @Test
  void interpret_upAgainOnlyAfterANewArrival() {
    detector.report("n2", 0);
    detector.interpret(0);
    for (long t = 1; t <= 40; t++) {
      detector.interpret(t * S);
    }
    assertThat(detector.isUp("n2")).isFalse();
    assertThat(detector.interpret(41 * S)).isEmpty();

    detector.report("n2", 42 * S);

    assertThat(detector.interpret(42 * S))
        .containsExactly(new PhiAccrualFailureDetector.Transition("n2", true, 0.0));
  }

  @Test
  void interpret_transitionsComeInEndpointOrder() {
    detector.report("n3", 0);
    detector.report("n1", 0);
    detector.report("n2", 0);

    assertThat(detector.interpret(0))
        .extracting(PhiAccrualFailureDetector.Transition::endpoint)
        .containsExactly("n1", "n2", "n3");
  }

  @Test
  void interpret_localPauseSuspendsConvictionsForLocalPauseMax() {
    detector.report("n2", 0);
    detector.interpret(0);
    detector.interpret(1 * S);

    // The observer was frozen for 59 s: n2 looks silent, but so would everyone.
    assertThat(detector.interpret(60 * S)).isEmpty();
    assertThat(detector.isUp("n2")).isTrue();
    assertThat(detector.localPauses()).isEqualTo(1);
    assertThat(detector.interpret(64 * S)).isEmpty();

    // 5 s after the pause, with still no heartbeat, n2 is convicted.
    assertThat(detector.interpret(65 * S))
        .extracting(PhiAccrualFailureDetector.Transition::up)
        .containsExactly(false);
  }

  @Test
  void interpret_heartbeatsDuringTheGraceKeepTheEndpointUp() {
    detector.report("n2", 0);
    detector.interpret(0);

    assertThat(detector.interpret(60 * S)).isEmpty();
    detector.report("n2", 61 * S); // fresh gossip after the pause

    for (long t = 61; t <= 70; t++) {
      assertThat(detector.interpret(t * S)).isEmpty();
    }
    assertThat(detector.isUp("n2")).isTrue();
  }

  @Test
  void resetHistory_keepsTheVerdictAndStartsAFreshWindow() {
    for (int i = 0; i <= 10; i++) {
      detector.report("n2", i * S);
    }
    detector.interpret(10 * S);
    detector.resetHistory("n2");

    assertThat(detector.isUp("n2")).isTrue();
    assertThat(detector.sampleCount("n2")).isZero();
    assertThat(detector.interpret(100 * S)).isEmpty(); // no arrival since: no evidence

    detector.report("n2", 100 * S);
    assertThat(detector.sampleCount("n2")).isEqualTo(1); // the bootstrap sample again
  }

  @Test
  void remove_forgetsTheEndpoint() {
    detector.report("n2", 0);
    detector.interpret(0);
    detector.remove("n2");

    assertThat(detector.isUp("n2")).isFalse();
    assertThat(detector.endpoints()).isEmpty();
  }

  static Stream<Long> jitterSeeds() {
    String seed = System.getProperty("membership.phi.seed");
    if (seed != null) {
      return Stream.of(Long.decode(seed));
    }
    return Stream.of(1L, 2L, 3L, 0x5EEDL, 20_240_607L);
  }

  /**
   * Heartbeats relayed by gossip: mostly a second apart with ±40% jitter, sometimes a round missed
   * (2 s), rarely two (3 s). Over ten hours of such arrivals, interpreted ten times a second, the
   * detector at its defaults never convicts. Replay one seed with -Dmembership.phi.seed=.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("jitterSeeds")
  void interpret_steadyJitteryHeartbeatsAreNeverConvicted(long seed) {
    Rng rng = new Rng(seed);
    long now = 0;
    long nextArrival = 0;
    double phiMax = 0;
    long end = 10 * 3_600 * S;
    while (now < end) {
      if (now >= nextArrival) {
        detector.report("n2", now);
        long interval = 600 * MS + rng.nextLong(800 * MS);
        int dice = rng.nextInt(100);
        if (dice < 10) {
          interval += 1 * S;
        } else if (dice < 12) {
          interval += 2 * S;
        }
        nextArrival = now + interval;
      }
      phiMax = Math.max(phiMax, detector.phi("n2", now));
      for (PhiAccrualFailureDetector.Transition transition : detector.interpret(now)) {
        assertThat(transition.up())
            .as("seed %d: false conviction at %d ms, phi %.2f", seed, now / MS, transition.phi())
            .isTrue();
      }
      now += 100 * MS;
    }
    assertThat(detector.isUp("n2")).isTrue();
    assertThat(phiMax).as("seed %d: highest phi", seed).isLessThan(4.0);
  }

  @Test
  void config_rejectsBadValuesNamingTheField() {
    assertThatThrownBy(() -> new FailureDetectorConfig(0, 1_000, S, MS, S, S, 10))
        .hasMessageContaining("phiConvictThreshold")
        .hasMessageContaining("0.0");
    assertThatThrownBy(() -> new FailureDetectorConfig(8, 0, S, MS, S, S, 10))
        .hasMessageContaining("windowSamplesMax must be in [1, 100000], was 0");
    assertThatThrownBy(() -> new FailureDetectorConfig(8, 10, S, 2 * S, S, S, 10))
        .hasMessageContaining("meanIntervalMinNanos (2000000000) must not exceed intervalMaxNanos");
    assertThatThrownBy(() -> new FailureDetectorConfig(8, 10, -1, MS, S, S, 10))
        .hasMessageContaining("bootstrapIntervalNanos must be in [1, ");
    assertThatThrownBy(() -> new FailureDetectorConfig(8, 10, S, MS, S, S, 0))
        .hasMessageContaining("endpointsMax must be in [1, 100000], was 0");
  }

  @Test
  void convictionBound_isTheThresholdOfTheLargestMeanPlusThePauseGrace() {
    // 8 / log10(e) × 2 s = 36.841 s, plus 5 s.
    assertThat(FailureDetectorConfig.defaults().convictionBoundNanos())
        .isBetween(41_841 * MS, 41_842 * MS);
  }
}
