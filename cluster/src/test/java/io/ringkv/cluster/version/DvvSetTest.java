package io.ringkv.cluster.version;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DvvSetTest {
  private static final Actor A = Actor.of("node-1", 0);
  private static final Actor B = Actor.of("node-2", 0);
  private static final Actor C = Actor.of("node-3", 0);

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static Set<String> values(DvvSet clock) {
    return clock.siblings().stream()
        .map(s -> s.isTombstone() ? "<tombstone>" : new String(s.value(), StandardCharsets.UTF_8))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void update_withAContextCoveringEverySiblingLeavesOneValue() {
    DvvSet a = DvvSet.empty().update(null, A, 1, bytes("x"));
    DvvSet b = DvvSet.empty().update(null, B, 2, bytes("y"));
    DvvSet both = a.sync(b);
    assertThat(values(both)).containsExactly("x", "y");

    DvvSet resolved = both.update(both.context(), A, 3, bytes("z"));
    assertThat(values(resolved)).containsExactly("z");
    assertThat(resolved.context().get(A)).isEqualTo(2);
    assertThat(resolved.context().get(B)).isEqualTo(1);
  }

  @Test
  void update_concurrentWritesWithTheSameContextStaySiblings() {
    DvvSet base = DvvSet.empty().update(null, A, 1, bytes("v0"));
    VersionVector read = base.context();
    DvvSet atA = base.update(read, A, 2, bytes("v1"));
    DvvSet atB = base.update(read, B, 2, bytes("v2"));
    DvvSet joined = atA.sync(atB);
    assertThat(values(joined)).containsExactly("v1", "v2");
    // a second writer at A that read only v0 keeps v1 as a sibling
    DvvSet again = joined.update(read, A, 3, bytes("v3"));
    assertThat(values(again)).containsExactly("v1", "v2", "v3");
  }

  @Test
  void update_blindWriteSupersedesWhatTheReplicaHasSeen() {
    DvvSet local =
        DvvSet.empty()
            .update(null, A, 1, bytes("x"))
            .sync(DvvSet.empty().update(null, B, 1, bytes("y")));
    DvvSet remoteConcurrent = DvvSet.empty().update(null, C, 1, bytes("c"));
    DvvSet blind = local.update(null, A, 5, bytes("w"));
    assertThat(values(blind)).containsExactly("w");
    assertThat(values(blind.sync(remoteConcurrent))).containsExactly("c", "w");
  }

  @Test
  void update_retryWithTheSameContextAndValueAddsNoSibling() {
    DvvSet base = DvvSet.empty().update(null, A, 1, bytes("v0"));
    VersionVector read = base.context();
    DvvSet once = base.update(read, A, 2, bytes("v1"));
    DvvSet twice = once.update(read, A, 3, bytes("v1"));
    assertThat(twice).isEqualTo(once);
    assertThat(twice.siblingCount()).isEqualTo(1);
    // and the retry's state replayed at another replica any number of times changes nothing more
    DvvSet other = base.sync(twice).sync(twice).sync(once);
    assertThat(other).isEqualTo(once);
  }

  @Test
  void tryUpdate_aboveTheSiblingCapIsRefusedAndChangesNothing() {
    DvvSet clock = DvvSet.empty();
    for (int i = 0; i < 3; i++) {
      clock = clock.update(VersionVector.empty(), A, i, bytes("v" + i));
    }
    assertThat(clock.siblingCount()).isEqualTo(3);
    DvvSet.UpdateResult refused = clock.tryUpdate(VersionVector.empty(), A, 9, bytes("v9"), 3);
    assertThat(refused).isInstanceOf(DvvSet.UpdateResult.TooManySiblings.class);
    assertThat(((DvvSet.UpdateResult.TooManySiblings) refused).message())
        .contains("4 siblings", "cap of 3");
    DvvSet.UpdateResult resolving = clock.tryUpdate(clock.context(), A, 9, bytes("v9"), 3);
    assertThat(((DvvSet.UpdateResult.Updated) resolving).clock().siblingCount()).isEqualTo(1);
  }

  @Test
  void delete_isACausalTombstoneAConcurrentWriteSurvives() {
    DvvSet base = DvvSet.empty().update(null, A, 1, bytes("v0"));
    DvvSet deleted = base.update(base.context(), A, 2, null);
    assertThat(deleted.isDeleted()).isTrue();
    assertThat(deleted.winner().orElseThrow().isTombstone()).isTrue();
    DvvSet concurrent = base.update(base.context(), B, 3, bytes("v1"));
    DvvSet joined = deleted.sync(concurrent);
    assertThat(values(joined)).containsExactly("<tombstone>", "v1");
    assertThat(joined.isDeleted()).isFalse();
    assertThat(joined.winner().orElseThrow().value()).isEqualTo(bytes("v1"));
  }

  @Test
  void winner_isTheHighestTimestampWhateverTheActor() {
    DvvSet a = DvvSet.empty().update(null, A, 7, bytes("late"));
    DvvSet b = DvvSet.empty().update(null, B, 3, bytes("early"));
    assertThat(a.sync(b).winner().orElseThrow().value()).isEqualTo(bytes("late"));
    assertThat(b.sync(a).winner()).isEqualTo(a.sync(b).winner());
    assertThat(DvvSet.empty().winner()).isEmpty();
  }

  /**
   * Random histories over three replicas (writes with contexts read from any replica, blind writes,
   * deletes, anti-entropy between replicas): the join is commutative, associative and idempotent on
   * every pair and triple of states seen, and the join of everything holds exactly the writes no
   * later write's context covered (nothing acknowledged is lost, nothing superseded comes back).
   */
  @Test
  void sync_latticeLawsAndNothingLostOverRandomHistories() {
    SeededRuns.run(
        "DvvSet lattice and model",
        300,
        rng -> {
          Actor[] actors = {A, B, C, Actor.of("node-1", 1)};
          DvvSet[] replicas = {DvvSet.empty(), DvvSet.empty(), DvvSet.empty(), DvvSet.empty()};
          List<DvvSet> seen = new ArrayList<>();
          Map<Dot, String> written = new HashMap<>();
          List<VersionVector> reads = new ArrayList<>();
          List<VersionVector> contexts = new ArrayList<>();
          int writes = 0;
          for (int step = 0; step < 40; step++) {
            int r = rng.nextInt(replicas.length);
            switch (rng.nextInt(4)) {
              case 0, 1 -> {
                VersionVector context =
                    switch (rng.nextInt(3)) {
                      case 0 -> null;
                      case 1 -> replicas[rng.nextInt(replicas.length)].context();
                      default ->
                          reads.isEmpty()
                              ? VersionVector.empty()
                              : reads.get(rng.nextInt(reads.size()));
                    };
                VersionVector used = context == null ? replicas[r].context() : context;
                String value = rng.nextInt(8) == 0 ? null : "w" + writes++;
                DvvSet.UpdateResult result =
                    replicas[r].tryUpdate(
                        context,
                        actors[r],
                        rng.nextInt(1000),
                        value == null ? null : bytes(value),
                        Integer.MAX_VALUE);
                DvvSet.UpdateResult.Updated updated = (DvvSet.UpdateResult.Updated) result;
                replicas[r] = updated.clock();
                contexts.add(used);
                updated
                    .dot()
                    .ifPresent(dot -> written.put(dot, value == null ? "<tombstone>" : value));
              }
              case 2 -> {
                int other = rng.nextInt(replicas.length);
                replicas[r] = replicas[r].sync(replicas[other]);
              }
              default -> reads.add(replicas[r].context());
            }
            seen.add(replicas[r]);
          }
          for (int i = 0; i < 60; i++) {
            DvvSet x = seen.get(rng.nextInt(seen.size()));
            DvvSet y = seen.get(rng.nextInt(seen.size()));
            DvvSet z = seen.get(rng.nextInt(seen.size()));
            assertThat(x.sync(y)).isEqualTo(y.sync(x));
            assertThat(x.sync(y).sync(z)).isEqualTo(x.sync(y.sync(z)));
            assertThat(x.sync(x)).isEqualTo(x);
            assertThat(x.sync(y).descends(x)).isTrue();
            assertThat(x.sync(y).context()).isEqualTo(x.context().join(y.context()));
          }
          DvvSet all = DvvSet.empty();
          for (DvvSet replica : replicas) {
            all = all.sync(replica);
          }
          Set<Dot> expected = new TreeSet<>();
          for (Dot dot : written.keySet()) {
            boolean covered = contexts.stream().anyMatch(c -> c.covers(dot));
            if (!covered) {
              expected.add(dot);
            }
          }
          Set<Dot> actual =
              all.siblings().stream()
                  .map(Sibling::dot)
                  .collect(Collectors.toCollection(TreeSet::new));
          assertThat(actual).isEqualTo(expected);
          for (Sibling sibling : all.siblings()) {
            String value =
                sibling.isTombstone()
                    ? "<tombstone>"
                    : new String(sibling.value(), StandardCharsets.UTF_8);
            assertThat(value).isEqualTo(written.get(sibling.dot()));
          }
        });
  }
}
