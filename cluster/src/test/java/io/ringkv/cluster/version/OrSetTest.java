package io.ringkv.cluster.version;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class OrSetTest {
  private static final Actor A = Actor.of("node-1", 0);
  private static final Actor B = Actor.of("node-2", 0);

  private static byte[] e(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void merge_anAddConcurrentWithARemoveWins() {
    OrSet base = OrSet.empty().add(A, e("x"));
    OrSet removed = base.remove(e("x"));
    OrSet readdedElsewhere = base.merge(OrSet.empty()).add(B, e("x"));
    assertThat(removed.merge(readdedElsewhere).contains(e("x"))).isTrue();
    assertThat(readdedElsewhere.merge(removed).contains(e("x"))).isTrue();
  }

  @Test
  void merge_aRemoveThatObservedTheAddRemovesItEverywhere() {
    OrSet base = OrSet.empty().add(A, e("x")).add(A, e("y"));
    OrSet atB = OrSet.empty().merge(base).remove(e("x"));
    OrSet joined = base.merge(atB);
    assertThat(joined.contains(e("x"))).isFalse();
    assertThat(joined.members()).containsExactly(e("y"));
    assertThat(joined.size()).isEqualTo(1);
  }

  @Test
  void remove_withAnObservedContextKeepsAddsItDidNotSee() {
    OrSet base = OrSet.empty().add(A, e("x"));
    VersionVector observed = base.context();
    OrSet more = base.merge(OrSet.empty().add(B, e("x")));
    OrSet removed = more.remove(e("x"), observed);
    assertThat(removed.contains(e("x"))).isTrue();
    assertThat(removed.remove(e("x"), removed.context()).contains(e("x"))).isFalse();
  }

  @Test
  void add_replacesTheObservedDotsSoAnElementHoldsOneDotPerActor() {
    OrSet set = OrSet.empty().add(A, e("x")).add(A, e("x")).add(A, e("x"));
    assertThat(set.dots().get(0).getValue()).containsExactly(new Dot(A, 3));
    OrSet old = OrSet.empty().add(A, e("x"));
    assertThat(set.merge(old).dots().get(0).getValue()).containsExactly(new Dot(A, 3));
  }

  /**
   * Random adds and removes at three replicas, with merges between them: the merge of everything
   * holds exactly the add dots that no later add or remove of the same element observed (so an
   * element is present iff some add of it was not seen by a remove), and the merge laws hold.
   */
  @Test
  void merge_addWinsModelAndLatticeLaws() {
    SeededRuns.run(
        "OrSet add-wins model",
        300,
        rng -> {
          Actor[] actors = {A, B, Actor.of("node-3", 0)};
          OrSet[] replicas = {OrSet.empty(), OrSet.empty(), OrSet.empty()};
          String[] elements = {"a", "b", "c", "d"};
          Map<Dot, String> adds = new HashMap<>();
          Set<Dot> observedAndReplaced = new HashSet<>();
          List<OrSet> states = new ArrayList<>();
          for (int step = 0; step < 50; step++) {
            int r = rng.nextInt(replicas.length);
            String element = elements[rng.nextInt(elements.length)];
            switch (rng.nextInt(3)) {
              case 0 -> {
                observedAndReplaced.addAll(dotsOf(replicas[r], element));
                replicas[r] = replicas[r].add(actors[r], e(element));
                adds.put(dotsOf(replicas[r], element).first(), element);
              }
              case 1 -> {
                observedAndReplaced.addAll(dotsOf(replicas[r], element));
                replicas[r] = replicas[r].remove(e(element));
              }
              default -> replicas[r] = replicas[r].merge(replicas[rng.nextInt(replicas.length)]);
            }
            states.add(replicas[r]);
          }
          OrSet all = OrSet.empty();
          for (OrSet replica : replicas) {
            all = all.merge(replica);
          }
          for (String element : elements) {
            Set<Dot> expected = new TreeSet<>();
            adds.forEach(
                (dot, added) -> {
                  if (added.equals(element) && !observedAndReplaced.contains(dot)) {
                    expected.add(dot);
                  }
                });
            assertThat(dotsOf(all, element)).isEqualTo(expected);
            assertThat(all.contains(e(element))).isEqualTo(!expected.isEmpty());
          }
          for (int i = 0; i < 40; i++) {
            OrSet x = states.get(rng.nextInt(states.size()));
            OrSet y = states.get(rng.nextInt(states.size()));
            OrSet z = states.get(rng.nextInt(states.size()));
            assertThat(x.merge(y)).isEqualTo(y.merge(x));
            assertThat(x.merge(y).merge(z)).isEqualTo(x.merge(y.merge(z)));
            assertThat(x.merge(x)).isEqualTo(x);
          }
        });
  }

  private static NavigableSet<Dot> dotsOf(OrSet set, String element) {
    for (Map.Entry<byte[], NavigableSet<Dot>> entry : set.dots()) {
      if (new String(entry.getKey(), StandardCharsets.UTF_8).equals(element)) {
        return new TreeSet<>(entry.getValue());
      }
    }
    return new TreeSet<>();
  }
}
