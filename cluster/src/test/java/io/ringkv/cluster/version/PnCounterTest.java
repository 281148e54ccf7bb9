package io.ringkv.cluster.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
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
  void merge_aKeyAppliedByTwoActorsThatMissedEachOtherCountsOnce() {
    // the first attempt applied at A, whose answer was lost; the retry reached B, which had not
    // seen it
    PnCounter atA = applied(PnCounter.empty().increment(A, 7, key("req-1")));
    PnCounter atB = applied(PnCounter.empty().increment(B, 7, key("req-1")));

    assertThat(atA.merge(atB).value()).isEqualTo(7);
    assertThat(atB.merge(atA)).isEqualTo(atA.merge(atB));
    assertThat(atA.merge(atB).duplicates()).isEqualTo(1);
  }

  @Test
  void increment_theGreaterActorRetiresItsDuplicateIntoItsNet() {
    PnCounter atA = applied(PnCounter.empty().increment(A, 7, key("req-1")));
    PnCounter atB = applied(PnCounter.empty().increment(B, 7, key("req-1"))).merge(atA);

    PnCounter later = applied(atB.increment(B, 1, key("req-2")));

    assertThat(later.entries().get(B).recentKeys())
        .extracting(String::new)
        .containsExactly("req-2");
    assertThat(later.entries().get(B).net()).isEqualTo(1);
    assertThat(later.duplicates()).isZero();
    assertThat(later.value()).isEqualTo(8);
    // a replica that still holds B's old entry converges to the same value
    assertThat(atA.merge(atB).merge(later).value()).isEqualTo(8);
    assertThat(applied(PnCounter.empty().increment(B, 7, key("req-1"))).merge(later))
        .isEqualTo(later.merge(atA));
  }

  @Test
  void increment_aKeyAGreaterActorAlsoHoldsStaysPastTheWindow() {
    PnCounter atA = applied(PnCounter.empty().increment(A, 7, key("req-1")));
    PnCounter atB = applied(PnCounter.empty().increment(B, 7, key("req-1")));
    PnCounter counter = atA.merge(atB);
    for (int i = 0; i < PnCounter.IDEMPOTENCY_WINDOW + 10; i++) {
      counter = applied(counter.increment(A, 1, key("k" + i)));
    }
    long expected = 7 + PnCounter.IDEMPOTENCY_WINDOW + 10;

    assertThat(counter.entries().get(A).recentKeys())
        .as("the pinned key and the window")
        .hasSize(PnCounter.IDEMPOTENCY_WINDOW + 1)
        .first()
        .extracting(String::new)
        .isEqualTo("req-1");
    assertThat(counter.value()).isEqualTo(expected);
    // once B retired its duplicate, A's next increment lets the key go, still counted once
    PnCounter bRetired = applied(atB.merge(counter).increment(B, 0, null));
    counter = applied(counter.merge(bRetired).increment(A, 1, key("last")));
    assertThat(counter.seen(key("req-1"))).isFalse();
    assertThat(counter.value()).isEqualTo(expected + 1);
  }

  @Test
  void increment_pastTheWindowADuplicateThatArrivesLateCountsTwiceNeverZeroTimes() {
    PnCounter atA = applied(PnCounter.empty().increment(A, 7, key("req-1")));
    for (int i = 0; i < PnCounter.IDEMPOTENCY_WINDOW; i++) {
      atA = applied(atA.increment(A, 1, key("k" + i)));
    }
    assertThat(atA.seen(key("req-1"))).isFalse();
    PnCounter atB = applied(PnCounter.empty().increment(B, 7, key("req-1")));

    assertThat(atA.merge(atB).value()).isEqualTo(7 + 7 + PnCounter.IDEMPOTENCY_WINDOW);
  }

  @Test
  void increment_overflowIsRefused() {
    PnCounter max = applied(PnCounter.empty().increment(A, Long.MAX_VALUE, null));
    assertThat(max.increment(B, 1, null)).isInstanceOf(PnCounter.Increment.Overflow.class);
    assertThat(((PnCounter.Increment.Overflow) max.increment(A, 1, null)).message())
        .contains("overflow");
  }

  @Test
  void value_concurrentIncrementsPastTheRangeOfALongAreClampedAndDuplicatesStillDiscounted() {
    PnCounter atA = applied(PnCounter.empty().increment(A, Long.MAX_VALUE, key("big")));
    PnCounter atB = applied(PnCounter.empty().increment(B, Long.MAX_VALUE, key("big")));
    PnCounter atC = applied(PnCounter.empty().increment(Actor.of("node-3", 0), 1, null));

    assertThat(atA.merge(atB).value()).as("one key, once").isEqualTo(Long.MAX_VALUE);
    assertThat(atA.merge(atC).value()).isEqualTo(Long.MAX_VALUE);
    assertThat(atA.merge(atB).merge(atC).value()).isEqualTo(Long.MAX_VALUE);
    PnCounter down = applied(PnCounter.empty().increment(B, -5, null));
    assertThat(atA.merge(atC).merge(down).value()).isEqualTo(Long.MAX_VALUE - 4);
  }

  @Test
  void increment_aKeyOfBadLengthIsRefusedNamingTheLimit() {
    assertThatThrownBy(() -> PnCounter.empty().increment(A, 1, new byte[65]))
        .hasMessageContaining("1 to 64 bytes, was 65");
  }

  /**
   * Random histories in which a keyed increment whose answer was lost is retried at another replica
   * that has not seen the first attempt (so two, sometimes three actors apply one key), with
   * duplicated, reordered and dropped state shipments and incarnations that stop: the join is
   * commutative, associative and idempotent over every state that ever existed, and once all states
   * meet (every application met the others before its actor applied a window of newer keys), the
   * value is the sum of the distinct increments, each key once.
   */
  @Test
  void merge_latticeLawsAndExactOverRetriesAppliedByTwoActors() {
    SeededRuns.run(
        "PnCounter retried keys",
        300,
        rng -> {
          Actor[] actors = {
            Actor.of("node-1", 0),
            Actor.of("node-1", 1),
            Actor.of("node-2", 0),
            Actor.of("node-3", 0)
          };
          PnCounter[] replicas = new PnCounter[actors.length];
          java.util.Arrays.fill(replicas, PnCounter.empty());
          List<PnCounter> states = new ArrayList<>();
          List<int[]> inFlight = new ArrayList<>(); // {to, state index}
          java.util.Map<String, Long> keyed = new java.util.TreeMap<>();
          long unkeyed = 0;
          int keys = 0;
          int appliedTwice = 0;
          for (int step = 0; step < 120; step++) {
            int r = rng.nextInt(actors.length);
            if (r == 0 && rng.nextInt(3) > 0) {
              r = 1; // node-1's incarnation 0 mostly stops early: its entry stays as it was
            }
            int op = rng.nextInt(6);
            if (op <= 2) {
              long delta = rng.nextInt(201) - 100;
              String key = null;
              boolean retry = op == 2 && !keyed.isEmpty();
              if (retry) {
                // a retry of an earlier key, at a replica that may or may not have seen it
                key = new ArrayList<>(keyed.keySet()).get(rng.nextInt(keyed.size()));
                delta = keyed.get(key);
              } else if (rng.nextBoolean()) {
                key = "op-" + keys++;
                keyed.put(key, delta);
              }
              PnCounter.Increment result =
                  replicas[r].increment(actors[r], delta, key == null ? null : key(key));
              if (result instanceof PnCounter.Increment.Duplicate) {
                assertThat(retry).as("only a retry is a duplicate").isTrue();
                continue;
              }
              if (retry) {
                appliedTwice++;
              } else if (key == null) {
                unkeyed += delta;
              }
              replicas[r] = applied(result);
              states.add(replicas[r]);
              for (int to = 0; to < actors.length; to++) {
                int copies = rng.nextInt(3);
                for (int c = 0; c < copies; c++) {
                  inFlight.add(new int[] {to, states.size() - 1});
                }
              }
            } else if (!inFlight.isEmpty()) {
              int[] message = inFlight.remove(rng.nextInt(inFlight.size()));
              replicas[message[0]] = replicas[message[0]].merge(states.get(message[1]));
              states.add(replicas[message[0]]);
            }
          }
          while (!inFlight.isEmpty()) {
            int[] message = inFlight.remove(rng.nextInt(inFlight.size()));
            replicas[message[0]] = replicas[message[0]].merge(states.get(message[1]));
          }
          PnCounter all = PnCounter.empty();
          for (PnCounter replica : replicas) {
            all = all.merge(replica);
          }
          for (int i = 0; i < replicas.length; i++) {
            assertThat(replicas[i].merge(all)).isEqualTo(all);
          }
          long expected = unkeyed;
          for (long delta : keyed.values()) {
            expected += delta;
          }
          assertThat(all.value())
              .as("each of %d keys once (%d retries applied again)", keyed.size(), appliedTwice)
              .isEqualTo(expected);
          // and after every actor's next increment (duplicates retired into the nets) too
          PnCounter settled = all;
          for (Actor actor : actors) {
            settled = applied(settled.increment(actor, 0, null));
          }
          assertThat(settled.value()).isEqualTo(expected);
          assertThat(settled.duplicates()).isZero();
          for (int i = 0; i < 60 && !states.isEmpty(); i++) {
            PnCounter x = states.get(rng.nextInt(states.size()));
            PnCounter y = states.get(rng.nextInt(states.size()));
            PnCounter z = states.get(rng.nextInt(states.size()));
            assertThat(x.merge(y)).isEqualTo(y.merge(x));
            assertThat(x.merge(y).value()).isEqualTo(y.merge(x).value());
            assertThat(x.merge(y).merge(z)).isEqualTo(x.merge(y.merge(z)));
            assertThat(x.merge(x)).isEqualTo(x);
            assertThat(x.merge(y).merge(y)).isEqualTo(x.merge(y));
          }
        });
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

  // ---- decimal increments (INCRBYFLOAT) ----

  private static BigDecimal d(String text) {
    return new BigDecimal(text);
  }

  @Test
  void incrementDecimal_addsExactlyAndPrintsAsRedisDoes() {
    PnCounter counter = applied(PnCounter.empty().incrementDecimal(A, d("10.50"), null));
    counter = applied(counter.incrementDecimal(A, d("0.1"), null));
    counter = applied(counter.incrementDecimal(B, d("5.0e3"), null));
    assertThat(PnCounter.format(counter.exactValue())).isEqualTo("5010.6");
    assertThat(counter.integral()).isFalse();
    assertThat(counter.value()).as("rounded toward zero").isEqualTo(5010);
    assertThat(counter.entries().get(A).decimalNet()).isEqualTo(d("10.6"));
  }

  @Test
  void increment_integerIncrementOfAFractionalCounterIsRefusedAsRedisDoes() {
    PnCounter counter = applied(PnCounter.empty().incrementDecimal(A, d("1.5"), null));
    assertThat(counter.increment(B, 1, null))
        .isInstanceOfSatisfying(
            PnCounter.Increment.Overflow.class,
            refused ->
                assertThat(refused.message())
                    .startsWith("value is not an integer or out of range")
                    .contains("1.5"));
    // once the fractions cancel, integers are taken again
    counter = applied(counter.incrementDecimal(B, d("0.5"), null));
    assertThat(counter.integral()).isTrue();
    counter = applied(counter.increment(B, 3, null));
    assertThat(counter.value()).isEqualTo(5);
    assertThat(PnCounter.format(counter.exactValue())).isEqualTo("5");
  }

  @Test
  void incrementDecimal_tooManyDigitsAreRefusedNamingTheLimit() {
    assertThatThrownBy(() -> PnCounter.empty().incrementDecimal(A, d("0.123456789012345678"), null))
        .hasMessageContaining("18 digits after the point, at most 17");
    assertThatThrownBy(() -> PnCounter.empty().incrementDecimal(A, d("1e38"), null))
        .hasMessageContaining("39 digits before the point, at most 38");
    PnCounter near = applied(PnCounter.empty().incrementDecimal(A, d("9e37"), null));
    assertThat(near.incrementDecimal(B, d("9e37"), null))
        .isInstanceOfSatisfying(
            PnCounter.Increment.Overflow.class,
            refused ->
                assertThat(refused.message())
                    .startsWith("increment would produce NaN or Infinity"));
  }

  @Test
  void incrementDecimal_aSeenIdempotencyKeyIsADuplicate() {
    PnCounter counter = applied(PnCounter.empty().incrementDecimal(A, d("0.25"), key("k")));
    assertThat(counter.incrementDecimal(A, d("0.25"), key("k")))
        .isInstanceOf(PnCounter.Increment.Duplicate.class);
    // the same key applied again by a second actor that had not seen it counts once after a join
    PnCounter atB = applied(PnCounter.empty().incrementDecimal(B, d("0.25"), key("k")));
    PnCounter joined = counter.merge(atB);
    assertThat(PnCounter.format(joined.exactValue())).isEqualTo("0.25");
    PnCounter settled = applied(joined.incrementDecimal(B, d("1"), null));
    assertThat(PnCounter.format(settled.exactValue())).isEqualTo("1.25");
    assertThat(settled.duplicates()).isZero();
  }

  /**
   * Random histories of integer and decimal increments (keyed or not, some retried at a replica
   * that has not seen the first attempt) with duplicated, reordered and dropped state shipments:
   * the join is commutative, associative and idempotent over every state that ever existed, and
   * once all states meet the value is exactly the sum of the distinct increments, each key once.
   * Integer increments a fractional replica refuses are not counted.
   */
  @Test
  void merge_latticeLawsAndExactOverMixedIntegerAndDecimalIncrements() {
    SeededRuns.run(
        "PnCounter mixed integer and decimal increments",
        300,
        rng -> {
          Actor[] actors = {A, B, Actor.of("node-3", 0)};
          PnCounter[] replicas = new PnCounter[actors.length];
          java.util.Arrays.fill(replicas, PnCounter.empty());
          List<PnCounter> states = new ArrayList<>();
          List<int[]> inFlight = new ArrayList<>(); // {to, state index}
          java.util.Map<String, BigDecimal> keyed = new java.util.TreeMap<>();
          java.util.Map<String, Boolean> keyedIsDecimal = new java.util.TreeMap<>();
          BigDecimal expected = BigDecimal.ZERO;
          int keys = 0;
          for (int step = 0; step < 100; step++) {
            int r = rng.nextInt(actors.length);
            int op = rng.nextInt(6);
            if (op <= 2) {
              boolean decimal = rng.nextBoolean();
              BigDecimal delta =
                  decimal
                      ? BigDecimal.valueOf(rng.nextInt(20001) - 10000, rng.nextInt(18))
                      : BigDecimal.valueOf(rng.nextInt(201) - 100);
              String key = null;
              boolean retry = op == 2 && !keyed.isEmpty();
              if (retry) {
                key = new ArrayList<>(keyed.keySet()).get(rng.nextInt(keyed.size()));
                delta = keyed.get(key);
                decimal = keyedIsDecimal.get(key);
              } else if (rng.nextBoolean()) {
                key = "op-" + keys++;
              }
              byte[] keyBytes = key == null ? null : key(key);
              PnCounter.Increment result =
                  decimal
                      ? replicas[r].incrementDecimal(actors[r], delta, keyBytes)
                      : replicas[r].increment(actors[r], delta.longValueExact(), keyBytes);
              if (result instanceof PnCounter.Increment.Overflow refused) {
                assertThat(decimal).as("only integer increments are refused here").isFalse();
                assertThat(replicas[r].integral()).isFalse();
                assertThat(refused.message()).startsWith("value is not an integer");
                continue;
              }
              if (result instanceof PnCounter.Increment.Duplicate) {
                assertThat(retry).as("only a retry is a duplicate").isTrue();
                continue;
              }
              if (!retry) {
                expected = expected.add(delta);
                if (key != null) {
                  keyed.put(key, delta);
                  keyedIsDecimal.put(key, decimal);
                }
              }
              replicas[r] = applied(result);
              states.add(replicas[r]);
              for (int to = 0; to < actors.length; to++) {
                int copies = rng.nextInt(3);
                for (int c = 0; c < copies; c++) {
                  inFlight.add(new int[] {to, states.size() - 1});
                }
              }
            } else if (!inFlight.isEmpty()) {
              int[] message = inFlight.remove(rng.nextInt(inFlight.size()));
              replicas[message[0]] = replicas[message[0]].merge(states.get(message[1]));
              states.add(replicas[message[0]]);
            }
          }
          PnCounter all = PnCounter.empty();
          for (PnCounter replica : replicas) {
            all = all.merge(replica);
          }
          for (PnCounter replica : replicas) {
            assertThat(replica.merge(all)).isEqualTo(all);
          }
          assertThat(all.exactValue()).isEqualByComparingTo(expected);
          assertThat(PnCounter.format(all.exactValue()))
              .isEqualTo(PnCounter.format(expected))
              .doesNotContain("E");
          for (int i = 0; i < 60 && !states.isEmpty(); i++) {
            PnCounter x = states.get(rng.nextInt(states.size()));
            PnCounter y = states.get(rng.nextInt(states.size()));
            PnCounter z = states.get(rng.nextInt(states.size()));
            assertThat(x.merge(y)).isEqualTo(y.merge(x));
            assertThat(x.merge(y).exactValue()).isEqualTo(y.merge(x).exactValue());
            assertThat(x.merge(y).merge(z)).isEqualTo(x.merge(y.merge(z)));
            assertThat(x.merge(x)).isEqualTo(x);
            assertThat(x.merge(y).merge(y)).isEqualTo(x.merge(y));
          }
        });
  }
}
