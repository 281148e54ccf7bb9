package io.ringkv.cluster.hints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.TestSeeds;
import io.ringkv.common.Rng;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HintDeliveryTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final long SECOND = 1_000_000_000L;
  private static final long RETRY = 10 * SECOND;

  static Stream<Long> seeds() {
    return TestSeeds.seeds(0xDE11_7E57L, 30);
  }

  @Test
  void due_onlyTargetsThatAreUpAndHaveHints() {
    HintDelivery delivery = new HintDelivery(0, 1000, RETRY);

    assertThat(delivery.due(0, Set.of(N1, N2), Set.of(N2, N3))).containsExactly(N2);
    assertThat(delivery.due(0, Set.of(N1), Set.of(N2, N3))).isEmpty();
  }

  @Test
  void due_withoutThrottle_isEveryEligibleTargetInNodeIdOrder() {
    HintDelivery delivery = new HintDelivery(0, 1000, RETRY);

    assertThat(delivery.due(0, Set.of(N3, N1, N2), Set.of(N2, N3, N1))).containsExactly(N1, N2, N3);
  }

  @Test
  void due_targetWithABatchInFlight_isNotDueUntilItIsAnswered() {
    HintDelivery delivery = new HintDelivery(0, 1000, RETRY);
    delivery.sent(N1, 500, 0);

    assertThat(delivery.due(SECOND, Set.of(N1, N2), Set.of(N1, N2))).containsExactly(N2);
    assertThat(delivery.inFlight()).containsExactly(N1);

    delivery.delivered(N1);
    assertThat(delivery.due(SECOND, Set.of(N1, N2), Set.of(N1, N2))).containsExactly(N1, N2);
  }

  @Test
  void due_throttle_spacesBatchesByTheirBytes() {
    HintDelivery delivery = new HintDelivery(1000, 500, RETRY);
    Set<NodeId> one = Set.of(N1);

    assertThat(delivery.due(0, one, one)).containsExactly(N1);
    delivery.sent(N1, 500, 0);
    delivery.delivered(N1);

    assertThat(delivery.due(SECOND / 2 - 1, one, one)).as("the bucket refills in 0.5 s").isEmpty();
    assertThat(delivery.due(SECOND / 2, one, one)).containsExactly(N1);
  }

  @Test
  void due_throttle_smallBatchWaitsOnlyForItsOwnBytes() {
    HintDelivery delivery = new HintDelivery(1000, 500, RETRY);
    Set<NodeId> one = Set.of(N1);
    delivery.sent(N1, 10, 0);
    delivery.delivered(N1);

    assertThat(delivery.due(SECOND / 100 - 1, one, one)).isEmpty();
    assertThat(delivery.due(SECOND / 100, one, one)).containsExactly(N1);
  }

  @Test
  void due_throttle_isSharedByAllTargetsWhichTakeTurns() {
    HintDelivery delivery = new HintDelivery(1000, 100, RETRY);
    Set<NodeId> all = Set.of(N1, N2, N3);
    List<NodeId> order = new ArrayList<>();
    long now = 0;
    for (int i = 0; i < 6; i++) {
      List<NodeId> due = delivery.due(now, all, all);
      assertThat(due).as("one batch fits the bucket").hasSize(1);
      NodeId target = due.getFirst();
      order.add(target);
      delivery.sent(target, 100, now);
      delivery.delivered(target);
      assertThat(delivery.due(now, all, all)).as("the bucket is empty").isEmpty();
      now += SECOND / 10;
    }

    assertThat(order).containsExactly(N1, N2, N3, N1, N2, N3);
  }

  @Test
  void failed_backsTheTargetOffForTheRetryDelay() {
    HintDelivery delivery = new HintDelivery(0, 1000, RETRY);
    Set<NodeId> both = Set.of(N1, N2);
    delivery.sent(N1, 100, 0);
    delivery.failed(N1, SECOND);

    assertThat(delivery.due(SECOND + RETRY - 1, both, both)).containsExactly(N2);
    assertThat(delivery.due(SECOND + RETRY, both, both)).containsExactly(N1, N2);
  }

  @Test
  void answersForATargetWithNothingInFlight_areRefused() {
    HintDelivery delivery = new HintDelivery(0, 1000, RETRY);

    assertThatThrownBy(() -> delivery.delivered(N1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("n1");
    assertThatThrownBy(() -> delivery.failed(N1, 0)).isInstanceOf(IllegalStateException.class);
    delivery.sent(N1, 1, 0);
    assertThatThrownBy(() -> delivery.sent(N1, 1, 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already in flight");
  }

  @Test
  void constructor_rejectsBadSettingsNamingThem() {
    assertThatThrownBy(() -> new HintDelivery(-1, 1000, RETRY))
        .hasMessageContaining("throttleBytesPerSecond")
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> new HintDelivery(0, 0, RETRY))
        .hasMessageContaining("batchBytesMax must be in [1, 268435456], was 0");
    assertThatThrownBy(() -> new HintDelivery(0, 1000, -5))
        .hasMessageContaining("retryDelayNanos")
        .hasMessageContaining("-5");
    assertThat(new HintDelivery(0, 1000, 0).batchBytesMax()).isEqualTo(1000);
  }

  @Test
  void due_worksWithNegativeClockOrigins() {
    HintDelivery delivery = new HintDelivery(1000, 500, RETRY);
    Set<NodeId> one = Set.of(N1);
    long start = Long.MIN_VALUE + 10;
    delivery.sent(N1, 500, start);
    delivery.delivered(N1);

    assertThat(delivery.due(start + SECOND / 2 - 1, one, one)).isEmpty();
    assertThat(delivery.due(start + SECOND / 2, one, one)).containsExactly(N1);
  }

  /**
   * A driver that sends whenever a target is due, with random batch sizes and random answers: the
   * bytes sent before any send never exceed the throttle over the time since the first send; no
   * target ever has two batches in flight; a failed target is not sent to within its retry delay.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void due_randomDriver_neverPassesTheThrottle(long seed) {
    Rng rng = new Rng(seed);
    long throttle = 1000 + rng.nextInt(100_000);
    int batchBytesMax = 100 + rng.nextInt(10_000);
    long retry = rng.nextLong(5 * SECOND);
    HintDelivery delivery = new HintDelivery(throttle, batchBytesMax, retry);
    List<NodeId> nodes = List.of(N1, N2, N3);
    Map<NodeId, Long> failedAt = new HashMap<>();
    List<NodeId> inFlight = new ArrayList<>();
    long firstSend = -1;
    long bytesSent = 0;
    long now = 0;
    for (int step = 0; step < 2000; step++) {
      now += rng.nextLong(SECOND / 10);
      Set<NodeId> up = Set.copyOf(nodes.subList(0, 1 + rng.nextInt(3)));
      for (NodeId target : delivery.due(now, up, Set.copyOf(nodes))) {
        assertThat(up).as(TestSeeds.replay(seed)).contains(target);
        assertThat(inFlight).as(TestSeeds.replay(seed)).doesNotContain(target);
        Long failed = failedAt.get(target);
        assertThat(failed == null || now - failed >= retry).as(TestSeeds.replay(seed)).isTrue();
        if (firstSend < 0) {
          firstSend = now;
        }
        assertThat(bytesSent * SECOND)
            .as(TestSeeds.replay(seed) + ": bytes sent before " + now)
            .isLessThanOrEqualTo((now - firstSend) * throttle);
        long bytes = 1 + rng.nextInt(batchBytesMax);
        delivery.sent(target, bytes, now);
        bytesSent += bytes;
        inFlight.add(target);
      }
      if (!inFlight.isEmpty() && rng.chance(0.5)) {
        NodeId answered = inFlight.remove(rng.nextInt(inFlight.size()));
        if (rng.chance(0.2)) {
          delivery.failed(answered, now);
          failedAt.put(answered, now);
        } else {
          delivery.delivered(answered);
        }
      }
    }
    assertThat(bytesSent).as(TestSeeds.replay(seed)).isPositive();
  }
}
