package io.ringkv.sim.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.common.Rng;
import io.ringkv.sim.raft.KvOperation.CompareAndSet;
import io.ringkv.sim.raft.KvOperation.Get;
import io.ringkv.sim.raft.KvOperation.Put;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checker against histories whose verdict is known: linearizable ones it must accept, and
 * planted violations (stale reads, lost updates, values from nowhere or from the future, a value
 * that goes back) it must reject, plus seeded random histories of a real atomic register.
 */
class LinearizabilityCheckerTest {
  private final List<HistoryOperation> history = new ArrayList<>();

  private void done(int client, long invoke, long answer, KvOperation operation, long result) {
    history.add(
        HistoryOperation.completed(history.size(), client, invoke, answer, operation, result));
  }

  private void timedOut(int client, long invoke, KvOperation operation) {
    history.add(HistoryOperation.indeterminate(history.size(), client, invoke, operation));
  }

  private LinearizabilityChecker.Result check() {
    return LinearizabilityChecker.check(history);
  }

  @Test
  void check_emptyHistory_linearizable() {
    assertThat(check().linearizable()).isTrue();
  }

  @Test
  void check_sequentialPutThenGet_linearizable() {
    done(1, 0, 10, new Put(1, 5), 0);
    done(2, 20, 30, new Get(1), 5);
    assertThat(check().linearizable()).isTrue();
  }

  @Test
  void check_readAfterCompletedWriteSeesOldValue_staleReadRejected() {
    done(1, 0, 10, new Put(1, 5), 0);
    done(2, 20, 30, new Get(1), KvOperation.ABSENT);
    LinearizabilityChecker.Result result = check();
    assertThat(result.linearizable()).isFalse();
    assertThat(result.violations()).singleElement().asString().startsWith("key 1:");
  }

  @Test
  void check_readConcurrentWithWrite_mayReturnEitherValue() {
    done(1, 0, 30, new Put(1, 5), 0);
    done(2, 10, 20, new Get(1), KvOperation.ABSENT);
    done(3, 11, 21, new Get(1), 5);
    assertThat(check().linearizable()).isTrue();
  }

  @Test
  void check_concurrentReadsSeeNewThenOld_rejected() {
    // Both reads overlap the write, but the second starts after the first returned the new value.
    done(1, 0, 100, new Put(1, 5), 0);
    done(2, 10, 20, new Get(1), 5);
    done(3, 30, 40, new Get(1), KvOperation.ABSENT);
    assertThat(check().linearizable()).isFalse();
  }

  @Test
  void check_valueNeverWritten_rejected() {
    done(1, 0, 10, new Put(1, 5), 0);
    done(2, 0, 30, new Get(1), 6);
    assertThat(check().linearizable()).isFalse();
  }

  @Test
  void check_twoCompareAndSetsFromTheSameValueBothSucceed_lostUpdateRejected() {
    done(1, 0, 1, new Put(1, 1), 0);
    done(2, 2, 10, new CompareAndSet(1, 1, 2), 1);
    done(3, 3, 11, new CompareAndSet(1, 1, 3), 1);
    assertThat(check().linearizable()).isFalse();
  }

  @Test
  void check_compareAndSetsChained_linearizable() {
    done(1, 0, 1, new Put(1, 1), 0);
    done(2, 2, 10, new CompareAndSet(1, 1, 2), 1);
    done(3, 3, 11, new CompareAndSet(1, 2, 3), 1);
    done(4, 4, 12, new CompareAndSet(1, 1, 4), 0);
    done(1, 20, 21, new Get(1), 3);
    assertThat(check().linearizable()).isTrue();
  }

  @Test
  void check_failedCompareAndSetWhileTheExpectedValueWasCertainlyThere_rejected() {
    done(1, 0, 1, new Put(1, 1), 0);
    done(2, 2, 3, new CompareAndSet(1, 1, 2), 0);
    assertThat(check().linearizable()).isFalse();
  }

  @Test
  void check_compareAndSetOnAbsentKey_setsIt() {
    done(1, 0, 1, new CompareAndSet(1, KvOperation.ABSENT, 7), 1);
    done(1, 2, 3, new Get(1), 7);
    assertThat(check().linearizable()).isTrue();
  }

  @Test
  void check_indeterminateWriteExplainsALaterRead() {
    timedOut(1, 0, new Put(1, 7));
    done(2, 50, 60, new Get(1), 7);
    assertThat(check().linearizable()).isTrue();
  }

  @Test
  void check_indeterminateWriteMayNeverHaveHappened() {
    timedOut(1, 0, new Put(1, 7));
    done(2, 50, 60, new Get(1), KvOperation.ABSENT);
    assertThat(check().linearizable()).isTrue();
  }

  @Test
  void check_indeterminateWriteCannotExplainAReadThatReturnedBeforeItsInvocation() {
    done(2, 0, 10, new Get(1), 7);
    timedOut(1, 20, new Put(1, 7));
    assertThat(check().linearizable()).isFalse();
  }

  @Test
  void check_indeterminateWriteTakesEffectOnceOnly_valueCannotComeBack() {
    done(1, 0, 1, new Put(1, 1), 0);
    timedOut(2, 2, new Put(1, 2));
    done(3, 10, 11, new Get(1), 2);
    done(4, 12, 13, new Put(1, 3), 0);
    done(3, 14, 15, new Get(1), 2);
    assertThat(check().linearizable()).isFalse();
  }

  @Test
  void check_indeterminateCompareAndSet_eitherOutcome_butNotBackAgain() {
    done(1, 0, 1, new Put(1, 1), 0);
    timedOut(2, 2, new CompareAndSet(1, 1, 2));
    done(3, 10, 11, new Get(1), 2);
    assertThat(check().linearizable()).isTrue();

    done(3, 12, 13, new Get(1), 1);
    assertThat(check().linearizable()).isFalse();
  }

  @Test
  void check_manyIndeterminateWritesDuringAnOutage_searchStaysSmall() {
    // Six clients give up on 60 writes between two reads that see the same value: 2^60 subsets
    // without the reductions.
    done(0, 0, 1, new Put(1, 1), 0);
    for (int i = 0; i < 60; i++) {
      timedOut(
          1 + i % 6, 2 + i, i % 3 == 0 ? new CompareAndSet(1, 1, 1_000 + i) : new Put(1, 100 + i));
    }
    done(0, 100, 101, new Get(1), 1);
    done(0, 102, 103, new CompareAndSet(1, 1, 7), 0);
    LinearizabilityChecker.Result result = check();
    assertThat(result.linearizable()).as("%s", result.violations()).isTrue();
    assertThat(result.searchSteps())
        .as("polynomial: two groups of interchangeable writes")
        .isLessThan(100_000);
  }

  @Test
  void check_interchangeableIndeterminateWrites_theEarliestInvokedExplainsAFailedCompareAndSet() {
    done(0, 0, 1, new Put(1, 1), 0);
    timedOut(2, 50, new Put(1, 20)); // invoked too late to matter
    timedOut(3, 5, new Put(1, 30)); // invoked before the compare-and-set: explains its failure
    done(1, 10, 20, new CompareAndSet(1, 1, 2), 0);
    done(1, 30, 31, new Get(1), 1);
    assertThat(check().linearizable()).isFalse(); // the value went from "not 1" back to 1

    history.removeLast();
    assertThat(check().linearizable()).isTrue();
  }

  @Test
  void check_indeterminateWritesInvokedAfterTheFailure_cannotExplainIt() {
    done(0, 0, 1, new Put(1, 1), 0);
    done(1, 10, 20, new CompareAndSet(1, 1, 2), 0);
    timedOut(2, 50, new Put(1, 20));
    timedOut(3, 21, new Put(1, 30));
    assertThat(check().linearizable()).isFalse();
  }

  @Test
  void check_keysAreIndependent_onlyTheBrokenKeyIsReported() {
    done(1, 0, 10, new Put(1, 5), 0);
    done(2, 20, 30, new Get(1), 5);
    done(1, 0, 10, new Put(2, 6), 0);
    done(2, 20, 30, new Get(2), KvOperation.ABSENT);
    LinearizabilityChecker.Result result = check();
    assertThat(result.keysChecked()).isEqualTo(2);
    assertThat(result.violations()).singleElement().asString().startsWith("key 2:");
  }

  @Test
  void check_realTimeOrderAcrossClients_laterWriteWins() {
    done(1, 0, 10, new Put(1, 1), 0);
    done(2, 20, 30, new Put(1, 2), 0);
    done(3, 40, 50, new Get(1), 1);
    assertThat(check().linearizable()).isFalse();
  }

  /**
   * Histories of a real atomic register: every operation takes effect at one random instant inside
   * its interval; some writes lose their answer (indeterminate). All must pass. Then one read per
   * history is planted with a value written only after the read returned: all must fail.
   */
  @Test
  void check_randomRegisterHistories_acceptedAndPlantedFutureReadsRejected() {
    long seedBase = Long.getLong("sim.raft.checkerSeed", 1L);
    for (long seed = seedBase; seed < seedBase + 300; seed++) {
      Rng rng = new Rng(seed);
      List<HistoryOperation> operations = atomicRegisterHistory(rng);
      LinearizabilityChecker.Result accepted = LinearizabilityChecker.check(operations);
      assertThat(accepted.linearizable())
          .as("seed %d (replay: -Dsim.raft.checkerSeed=%d): %s", seed, seed, accepted.violations())
          .isTrue();

      List<HistoryOperation> planted = plantFutureRead(operations, rng);
      if (planted != null) {
        assertThat(LinearizabilityChecker.check(planted).linearizable())
            .as("seed %d (replay: -Dsim.raft.checkerSeed=%d): planted future read", seed, seed)
            .isFalse();
      }
    }
  }

  /** Up to 6 clients, 2 keys, 120 operations, each linearized at an instant inside its interval. */
  private static List<HistoryOperation> atomicRegisterHistory(Rng rng) {
    int clients = 1 + rng.nextInt(6);
    long[] clientFree = new long[clients];
    long[] register = new long[2];
    long nextValue = 1;
    List<HistoryOperation> operations = new ArrayList<>();
    // Draw intervals first, then apply operations in the order of their linearization points.
    record Pending(int client, long invoke, long point, long answer, KvOperation operation) {}
    List<Pending> pending = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      int client = rng.nextInt(clients);
      long invoke = clientFree[client] + 1 + rng.nextInt(20);
      long answer = invoke + 1 + rng.nextInt(60);
      long point = invoke + rng.nextLong(answer - invoke + 1);
      clientFree[client] = answer;
      int key = rng.nextInt(2);
      KvOperation operation =
          switch (rng.nextInt(3)) {
            case 0 -> new Get(key);
            case 1 -> new Put(key, nextValue++);
            default ->
                new CompareAndSet(
                    key, rng.nextInt(3) == 0 ? 0 : rng.nextLong(nextValue), nextValue++);
          };
      pending.add(new Pending(client, invoke, point, answer, operation));
    }
    pending.sort(java.util.Comparator.comparingLong(Pending::point));
    for (Pending p : pending) {
      int key = p.operation().key();
      long result =
          switch (p.operation()) {
            case Get get -> register[key];
            case Put put -> {
              register[key] = put.value();
              yield 0;
            }
            case CompareAndSet cas -> {
              if (register[key] == cas.expected()) {
                register[key] = cas.value();
                yield 1;
              }
              yield 0;
            }
          };
      int id = operations.size();
      if (p.operation().isWrite() && rng.nextInt(10) == 0) {
        operations.add(HistoryOperation.indeterminate(id, p.client(), p.invoke(), p.operation()));
      } else {
        operations.add(
            HistoryOperation.completed(
                id, p.client(), p.invoke(), p.answer(), p.operation(), result));
      }
    }
    return operations;
  }

  /** The history with one read answered by a put invoked after the read returned, or null. */
  private static List<HistoryOperation> plantFutureRead(
      List<HistoryOperation> operations, Rng rng) {
    List<Integer> reads = new ArrayList<>();
    for (HistoryOperation operation : operations) {
      if (operation.operation() instanceof Get) {
        reads.add(operation.id());
      }
    }
    for (int attempt = 0; attempt < 20 && !reads.isEmpty(); attempt++) {
      HistoryOperation read = operations.get(reads.get(rng.nextInt(reads.size())));
      for (HistoryOperation later : operations) {
        if (later.operation() instanceof Put put
            && put.key() == read.operation().key()
            && later.invokeNanos() > read.returnNanos()) {
          List<HistoryOperation> planted = new ArrayList<>(operations);
          planted.set(
              read.id(),
              HistoryOperation.completed(
                  read.id(),
                  read.client(),
                  read.invokeNanos(),
                  read.returnNanos(),
                  read.operation(),
                  put.value()));
          return planted;
        }
      }
    }
    return null;
  }
}
