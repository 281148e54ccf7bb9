package io.ringkv.cluster.version;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.common.Rng;
import io.ringkv.storage.Cell;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CausalCellsTest {
  private static final Actor A = Actor.of("node-1", 0);
  private static final Actor B = Actor.of("node-2", 0);
  private static final int CAP = 8;

  private static byte[] b(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static CausalCells.Result.Applied applied(CausalCells.Result result) {
    assertThat(result).isInstanceOf(CausalCells.Result.Applied.class);
    return (CausalCells.Result.Applied) result;
  }

  @Test
  void apply_firstWriteFixesTheTypeAndAnotherTypeIsWrongtype() throws Exception {
    Cell counter =
        applied(CausalCells.apply(null, new CausalOperation.Increment(3, null), A, 10, CAP)).cell();
    assertThat(CausalCells.isCausal(counter)).isTrue();
    assertThat(CausalCells.counter(counter).value()).isEqualTo(3);
    CausalCells.Result result =
        CausalCells.apply(counter, new CausalOperation.SetAdd(List.of(b("x"))), A, 11, CAP);
    assertThat(result).isInstanceOf(CausalCells.Result.Refused.class);
    CausalCells.Result.Refused refused = (CausalCells.Result.Refused) result;
    assertThat(refused.reason()).isEqualTo(CausalCells.Refusal.WRONGTYPE);
    assertThat(refused.message()).startsWith("WRONGTYPE").contains("counter", "set");
  }

  @Test
  void apply_aLwwValueIsRefusedAnLwwTombstoneCountsAsNothing() {
    CausalCells.Result onValue =
        CausalCells.apply(Cell.value(b("v"), 1), new CausalOperation.Put(null, b("x")), A, 2, CAP);
    assertThat(((CausalCells.Result.Refused) onValue).reason())
        .isEqualTo(CausalCells.Refusal.NOT_CAUSAL);
    CausalCells.Result onTombstone =
        CausalCells.apply(
            Cell.tombstone(1).stampDeletionTime(5),
            new CausalOperation.Put(null, b("x")),
            A,
            2,
            CAP);
    assertThat(applied(onTombstone).dot()).contains(new Dot(A, 1));
  }

  @Test
  void apply_aRetriedKeyedIncrementIsADuplicateAndChangesNothing() throws Exception {
    Cell once =
        applied(CausalCells.apply(null, new CausalOperation.Increment(5, b("r1")), A, 1, CAP))
            .cell();
    CausalCells.Result.Applied again =
        applied(CausalCells.apply(once, new CausalOperation.Increment(5, b("r1")), A, 2, CAP));
    assertThat(again.duplicate()).isTrue();
    assertThat(again.changed()).isFalse();
    assertThat(CausalCells.counter(again.cell()).value()).isEqualTo(5);
  }

  @Test
  void merge_aKeyedIncrementAppliedByTwoDotReplicasCountsOnce() throws Exception {
    CausalOperation increment = new CausalOperation.Increment(5, b("r1"));
    Cell atA = applied(CausalCells.apply(null, increment, A, 1, CAP)).cell();
    Cell atB = applied(CausalCells.apply(null, increment, B, 2, CAP)).cell();

    Cell joined = CausalCells.merge(atA, atB);

    assertThat(CausalCells.counter(joined).value()).isEqualTo(5);
    assertThat(CausalCells.merge(atB, atA)).isEqualTo(joined);
    Cell later =
        applied(CausalCells.apply(joined, new CausalOperation.Increment(1, null), B, 3, CAP))
            .cell();
    assertThat(CausalCells.counter(later).value()).isEqualTo(6);
    assertThat(CausalCells.counter(CausalCells.merge(atB, later)).value()).isEqualTo(6);
  }

  @Test
  void apply_theSiblingCapRefusesTheWrite() {
    Cell cell = null;
    for (int i = 0; i < CAP; i++) {
      cell =
          applied(
                  CausalCells.apply(
                      cell, new CausalOperation.Put(VersionVector.empty(), b("v" + i)), A, i, CAP))
              .cell();
    }
    CausalCells.Result result =
        CausalCells.apply(
            cell, new CausalOperation.Put(VersionVector.empty(), b("more")), A, 99, CAP);
    assertThat(((CausalCells.Result.Refused) result).reason())
        .isEqualTo(CausalCells.Refusal.TOO_MANY_SIBLINGS);
  }

  @Test
  void apply_anObjectPastItsByteBoundIsRefused() {
    Cell small =
        applied(
                CausalCells.apply(
                    null, new CausalOperation.Put(null, new byte[10]), A, 1, CAP, 100))
            .cell();
    CausalCells.Result result =
        CausalCells.apply(
            small, new CausalOperation.Put(VersionVector.empty(), new byte[200]), A, 2, CAP, 100);
    assertThat(result).isInstanceOf(CausalCells.Result.Refused.class);
    CausalCells.Result.Refused refused = (CausalCells.Result.Refused) result;
    assertThat(refused.reason()).isEqualTo(CausalCells.Refusal.TOO_LARGE);
    assertThat(refused.message()).contains("above the limit of 100");
  }

  @Test
  void merge_joinsConcurrentRegisterWritesAndReturnsTheArgumentWhenNothingIsNew() throws Exception {
    Cell atA =
        applied(CausalCells.apply(null, new CausalOperation.Put(null, b("a")), A, 5, CAP)).cell();
    Cell atB =
        applied(CausalCells.apply(null, new CausalOperation.Put(null, b("b")), B, 7, CAP)).cell();
    Cell joined = CausalCells.merge(atA, atB);
    assertThat(CausalCells.register(joined).siblingCount()).isEqualTo(2);
    assertThat(joined.timestamp()).isEqualTo(7);
    assertThat(CausalCells.merge(joined, atA)).isSameAs(joined);
    assertThat(CausalCells.merge(atB, joined)).isSameAs(joined);
    assertThat(CausalCells.merge(null, atA)).isSameAs(atA);
  }

  /**
   * Cells of one key of every kind (LWW values and tombstones, registers, counters, sets), made by
   * random operations at two dot replicas: the merge is commutative, associative and idempotent.
   */
  @Test
  void merge_isAJoinOverLwwAndCausalCells() {
    SeededRuns.run(
        "CausalCells merge laws",
        300,
        rng -> {
          List<Cell> cells = new ArrayList<>();
          Cell[] replicas = new Cell[2];
          Actor[] actors = {A, B};
          for (int i = 0; i < 30; i++) {
            int r = rng.nextInt(2);
            Cell made = randomStep(rng, replicas[r], actors[r], i);
            if (made != null) {
              // an LWW write arriving at a causal replica is merged, never stored over it
              replicas[r] = CausalCells.merge(replicas[r], made);
              cells.add(made);
              cells.add(replicas[r]);
            }
            if (rng.nextInt(4) == 0) {
              replicas[r] = CausalCells.merge(replicas[r], replicas[1 - r]);
            }
          }
          for (int i = 0; i < 60 && !cells.isEmpty(); i++) {
            Cell x = cells.get(rng.nextInt(cells.size()));
            Cell y = cells.get(rng.nextInt(cells.size()));
            Cell z = cells.get(rng.nextInt(cells.size()));
            assertThat(CausalCells.merge(x, y)).isEqualTo(CausalCells.merge(y, x));
            assertThat(CausalCells.merge(CausalCells.merge(x, y), z))
                .isEqualTo(CausalCells.merge(x, CausalCells.merge(y, z)));
            assertThat(CausalCells.merge(x, x)).isEqualTo(x);
          }
        });
  }

  private static Cell randomStep(Rng rng, Cell stored, Actor actor, int step) {
    long timestamp = rng.nextInt(50);
    if (rng.nextInt(10) == 0) {
      return rng.nextBoolean()
          ? Cell.value(b("lww" + step), timestamp)
          : Cell.tombstone(timestamp).stampDeletionTime(1 + rng.nextInt(3));
    }
    CausalOperation operation =
        switch (rng.nextInt(rng.nextInt(5) == 0 ? 5 : 2)) {
          case 0 ->
              new CausalOperation.Put(
                  rng.nextBoolean() ? null : VersionVector.empty(), b("v" + step));
          case 1 -> new CausalOperation.Delete(null);
          case 2 -> new CausalOperation.Increment(rng.nextInt(10), null);
          case 3 -> new CausalOperation.SetAdd(List.of(b("e" + rng.nextInt(3))));
          default -> new CausalOperation.SetRemove(List.of(b("e" + rng.nextInt(3))), null);
        };
    CausalCells.Result result =
        CausalCells.apply(
            CausalCells.isCausal(stored) ? stored : null, operation, actor, timestamp, 1_000);
    return result instanceof CausalCells.Result.Applied applied ? applied.cell() : null;
  }

  @Test
  void operationCodec_roundTripsEveryKind() throws Exception {
    VersionVector context = VersionVector.empty().with(A, 3).with(B, 1);
    List<CausalOperation> operations =
        List.of(
            new CausalOperation.Put(null, b("v")),
            new CausalOperation.Put(context, new byte[0]),
            new CausalOperation.Delete(context),
            new CausalOperation.Delete(null),
            new CausalOperation.Increment(-42, b("key")),
            new CausalOperation.Increment(Long.MIN_VALUE, null),
            new CausalOperation.IncrementDecimal(new java.math.BigDecimal("-12.5e-3"), b("key")),
            new CausalOperation.IncrementDecimal(java.math.BigDecimal.ZERO, null),
            new CausalOperation.IncrementDecimal(new java.math.BigDecimal("1e37"), null),
            new CausalOperation.SetAdd(List.of(b("x"), b("y"))),
            new CausalOperation.SetRemove(List.of(b("x")), context),
            new CausalOperation.SetRemove(List.of(b("x")), null));
    for (CausalOperation operation : operations) {
      CausalOperation decoded = CausalCodec.decodeOperation(CausalCodec.encodeOperation(operation));
      assertThat(CausalCodec.encodeOperation(decoded))
          .isEqualTo(CausalCodec.encodeOperation(operation));
      assertThat(decoded.getClass()).isEqualTo(operation.getClass());
    }
  }
}
