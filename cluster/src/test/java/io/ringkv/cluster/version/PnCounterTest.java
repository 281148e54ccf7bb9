package io.ringkv.cluster.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PnCounterTest {
  private static final Actor A = Actor.of("node-1", 0);
  private static final Actor B = Actor.of("node-2", 0);

  private static PnCounter applied(PnCounter.Increment increment) {
    return ((PnCounter.Increment.Applied) increment).counter();
  }

  private static byte[] key(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void increment_concurrentIncrementsThroughTwoReplicasAddUp() {
    PnCounter atA = applied(PnCounter.empty().increment(A, 5, null));
    PnCounter atB = applied(PnCounter.empty().increment(B, -2, null));
    assertThat(atA.merge(atB).value()).isEqualTo(3);
    assertThat(atB.merge(atA)).isEqualTo(atA.merge(atB));
  }

  @Test
  void increment_aRetryWithTheSameKeyIsNotAppliedTwice() {
    PnCounter once = applied(PnCounter.empty().increment(A, 10, key("req-1")));
    assertThat(once.increment(A, 10, key("req-1")))
        .isInstanceOf(PnCounter.Increment.Duplicate.class);
    // the retry reaching another replica that holds the first attempt is caught too
    PnCounter atB = PnCounter.empty().merge(once);
    assertThat(atB.increment(B, 10, key("req-1")))
        .isInstanceOf(PnCounter.Increment.Duplicate.class);
    assertThat(atB.value()).isEqualTo(10);
  }

  @Test
  void increment_theWindowForgetsTheOldestKey() {
    PnCounter counter = applied(PnCounter.empty().increment(A, 1, key("first")));
    for (int i = 0; i < PnCounter.IDEMPOTENCY_WINDOW; i++) {
      counter = applied(counter.increment(A, 1, key("k" + i)));
    }
    assertThat(counter.seen(key("first"))).isFalse();
    assertThat(counter.seen(key("k0"))).isTrue();
    assertThat(counter.entries().get(A).recentKeys()).hasSize(PnCounter.IDEMPOTENCY_WINDOW);
  }

  @Test
  void increment_overflowIsRefused() {
    PnCounter max = applied(PnCounter.empty().increment(A, Long.MAX_VALUE, null));
    assertThat(max.increment(B, 1, null)).isInstanceOf(PnCounter.Increment.Overflow.class);
    assertThat(((PnCounter.Increment.Overflow) max.increment(A, 1, null)).message())
        .contains("overflow");
  }

  @Test
  void increment_aKeyOfBadLengthIsRefusedNamingTheLimit() {
    assertThatThrownBy(() -> PnCounter.empty().increment(A, 1, new byte[65]))
        .hasMessageContaining("1 to 64 bytes, was 65");
  }

  /**
   * Replicas increment (some with idempotency keys, some retried at random replicas) and ship their
   * states to each other through a network that duplicates, reorders and delays: once everything is
   * delivered every replica holds the same counter, equal to the sum of the increments each counted
   * once; merges are commutative, associative and idempotent.
   */
  @Test
  void merge_exactUnderDuplicatedAndReorderedDelivery() {
    SeededRuns.run(
        "PnCounter exactness",
        300,
        rng -> {
          Actor[] actors = {A, B, Actor.of("node-3", 0), Actor.of("node-3", 1)};
          PnCounter[] replicas = new PnCounter[actors.length];
          java.util.Arrays.fill(replicas, PnCounter.empty());
          List<int[]> inFlight = new ArrayList<>(); // {from, to, state index}
          List<PnCounter> states = new ArrayList<>();
          long expected = 0;
          List<byte[]> keysApplied = new ArrayList<>();
          for (int step = 0; step < 80; step++) {
            int r = rng.nextInt(actors.length);
            int op = rng.nextInt(5);
            if (op <= 1) {
              long delta = rng.nextInt(201) - 100;
              byte[] key = null;
              boolean retry = !keysApplied.isEmpty() && rng.nextInt(4) == 0;
              if (retry) {
                // retried only where the first attempt is known (the guarantee of the window)
                byte[] candidate = keysApplied.get(rng.nextInt(keysApplied.size()));
                if (replicas[r].seen(candidate)) {
                  assertThat(replicas[r].increment(actors[r], delta, candidate))
                      .isInstanceOf(PnCounter.Increment.Duplicate.class);
                }
                continue;
              }
              if (rng.nextBoolean()) {
                key = ("op-" + step).getBytes(StandardCharsets.UTF_8);
                keysApplied.add(key);
              }
              replicas[r] = applied(replicas[r].increment(actors[r], delta, key));
              expected += delta;
              states.add(replicas[r]);
              for (int to = 0; to < actors.length; to++) {
                int copies = rng.nextInt(3); // dropped, once, or duplicated; redelivered below
                for (int c = 0; c < copies; c++) {
                  inFlight.add(new int[] {r, to, states.size() - 1});
                }
              }
            } else if (!inFlight.isEmpty()) {
              int[] message = inFlight.remove(rng.nextInt(inFlight.size()));
              replicas[message[1]] = replicas[message[1]].merge(states.get(message[2]));
            }
          }
          while (!inFlight.isEmpty()) {
            int[] message = inFlight.remove(rng.nextInt(inFlight.size()));
            replicas[message[1]] = replicas[message[1]].merge(states.get(message[2]));
          }
          // anti-entropy: every replica's final state reaches every other, twice, in random order
          PnCounter all = PnCounter.empty();
          for (PnCounter replica : replicas) {
            all = all.merge(replica);
          }
          for (int i = 0; i < replicas.length; i++) {
            replicas[i] = replicas[i].merge(all).merge(replicas[rng.nextInt(replicas.length)]);
            assertThat(replicas[i]).isEqualTo(all);
          }
          assertThat(all.value()).isEqualTo(expected);
          for (int i = 0; i < 40 && !states.isEmpty(); i++) {
            PnCounter x = states.get(rng.nextInt(states.size()));
            PnCounter y = states.get(rng.nextInt(states.size()));
            PnCounter z = states.get(rng.nextInt(states.size()));
            assertThat(x.merge(y)).isEqualTo(y.merge(x));
            assertThat(x.merge(y).merge(z)).isEqualTo(x.merge(y.merge(z)));
            assertThat(x.merge(x)).isEqualTo(x);
          }
        });
  }
}
