package io.ringkv.storage.lsm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.common.ManualClock;
import io.ringkv.common.Rng;
import io.ringkv.storage.Cell;
import io.ringkv.storage.Durability;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.WriteBatch;
import io.ringkv.storage.fs.FaultInjectingFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Power loss at random points, on the fault-injecting file system: every unsynced byte is dropped
 * (or torn), then the engine reopens. The write-ahead log is one sequence, so what survives must be
 * the state after some prefix of the writes, and that prefix must include every write acknowledged
 * with SYNC (and everything before a completed flush). Nothing else is acceptable: not a lost
 * synced write, not a reordering, not a corrupt value.
 *
 * <p>Seeds: {@code -Dstorage.powerloss.seed=N} replays one; {@code -Dringkv.long=true} runs many.
 */
class LsmPowerLossTest {
  private static final Path DIR = Path.of("/db");

  /** One write in the order the engine acknowledged it. */
  private record Op(List<byte[]> keys, List<Cell> cells) {}

  @Test
  void powerLoss_keepsEverySyncedWriteAndOnlyAPrefix() throws Exception {
    String fixed = System.getProperty("storage.powerloss.seed");
    int seeds = fixed != null ? 1 : Boolean.getBoolean("ringkv.long") ? 2_000 : 200;
    long base = fixed != null ? Long.parseLong(fixed) : 20261121L;
    long crashes = 0;
    long syncedWrites = 0;
    for (int i = 0; i < seeds; i++) {
      long seed = base + i;
      long[] figures = runSeed(seed);
      crashes += figures[0];
      syncedWrites += figures[1];
    }
    System.out.printf(
        "power loss: %d seeds, %d crashes, %d synced writes checked, 0 lost%n",
        seeds, crashes, syncedWrites);
  }

  /** Returns {crashes, synced writes checked}. */
  private static long[] runSeed(long seed) throws Exception {
    Rng rng = new Rng(seed);
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
    ManualClock clock = LsmTestSupport.clock();
    // The durable state the engine must come back to, and the writes since.
    TreeMap<byte[], Cell> durable = LsmTestSupport.newModel();
    long crashes = 0;
    long synced = 0;
    int rounds = 3;
    for (int round = 0; round < rounds; round++) {
      LsmEngine engine = LsmEngine.open(LsmTestSupport.smallOptions(DIR, fs, clock));
      TreeMap<byte[], Cell> reopenedState = LsmTestSupport.contents(engine);
      assertThat(LsmTestSupport.sameContents(reopenedState, durable))
          .as(
              "seed %d round %d: state after reopen %s, expected %s",
              seed, round, LsmTestSupport.describe(reopenedState), LsmTestSupport.describe(durable))
          .isTrue();
      List<Op> since = new ArrayList<>();
      int lastDurable = 0; // ops in `since` known durable
      int ops = 50 + rng.nextInt(400);
      for (int n = 0; n < ops; n++) {
        int choice = rng.nextInt(100);
        if (choice < 3) {
          engine.flush();
          lastDurable = since.size();
          continue;
        }
        if (choice < 4) {
          engine.compact();
          lastDurable = since.size();
          continue;
        }
        WriteBatch batch = new WriteBatch();
        int size = choice < 15 ? 1 + rng.nextInt(5) : 1;
        Op op = new Op(new ArrayList<>(), new ArrayList<>());
        for (int b = 0; b < size; b++) {
          byte[] key = LsmTestSupport.bytes("k" + rng.nextInt(200));
          Cell cell;
          if (rng.nextInt(10) == 0) {
            cell = Cell.tombstone(n).stampDeletionTime(clock.epochMillis());
          } else {
            byte[] value = new byte[rng.nextInt(300)];
            rng.nextBytes(value);
            cell = Cell.value(value, n);
          }
          batch.put(key, cell);
          op.keys().add(key);
          op.cells().add(cell);
        }
        Durability durability =
            switch (rng.nextInt(3)) {
              case 0 -> Durability.SYNC;
              case 1 -> Durability.PERIODIC;
              default -> Durability.NONE;
            };
        engine.write(batch, durability);
        since.add(op);
        if (durability == Durability.SYNC) {
          lastDurable = since.size();
          synced++;
        }
      }
      // Power loss, torn or clean, then stop what is left of the engine.
      if (rng.nextBoolean()) {
        fs.powerLoss(rng.fork());
      } else {
        fs.powerLoss();
      }
      crashes++;
      closeQuietly(engine);

      LsmEngine reopened = LsmEngine.open(LsmTestSupport.smallOptions(DIR, fs, clock));
      TreeMap<byte[], Cell> recovered = LsmTestSupport.contents(reopened);
      reopened.close();
      int prefix = matchingPrefix(durable, since, recovered, lastDurable);
      assertThat(prefix)
          .as(
              "seed %d round %d: recovered state is no prefix of the writes at or after the last"
                  + " durable one (%d of %d); recovered %s",
              seed, round, lastDurable, since.size(), LsmTestSupport.describe(recovered))
          .isGreaterThanOrEqualTo(lastDurable);
      durable = recovered;
    }
    return new long[] {crashes, synced};
  }

  /**
   * The length of a prefix of {@code since} whose application to {@code base} gives {@code
   * recovered}, at least {@code minimum}; -1 if none.
   */
  private static int matchingPrefix(
      TreeMap<byte[], Cell> base, List<Op> since, TreeMap<byte[], Cell> recovered, int minimum) {
    TreeMap<byte[], Cell> state = new TreeMap<>(Arrays::compareUnsigned);
    state.putAll(base);
    for (int i = 0; i <= since.size(); i++) {
      if (i >= minimum && equal(state, recovered)) {
        return i;
      }
      if (i < since.size()) {
        Op op = since.get(i);
        for (int j = 0; j < op.keys().size(); j++) {
          state.put(op.keys().get(j), op.cells().get(j));
        }
      }
    }
    return -1;
  }

  private static boolean equal(TreeMap<byte[], Cell> a, TreeMap<byte[], Cell> b) {
    return LsmTestSupport.sameContents(a, b);
  }

  private static void closeQuietly(LsmEngine engine) {
    try {
      engine.close();
    } catch (StorageException expected) {
      // The crashed file system refuses the final sync; that is the point.
    }
  }
}
