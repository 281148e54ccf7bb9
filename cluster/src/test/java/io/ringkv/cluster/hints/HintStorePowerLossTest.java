package io.ringkv.cluster.hints;

import static io.ringkv.cluster.hints.HintStoreContract.N1;
import static io.ringkv.cluster.hints.HintStoreContract.NOW;
import static io.ringkv.cluster.hints.HintStoreContract.drain;
import static io.ringkv.cluster.hints.HintStoreContract.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.hints.HintStoreContract.Stored;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.TestSeeds;
import io.ringkv.common.Rng;
import io.ringkv.storage.Cell;
import io.ringkv.storage.Durability;
import io.ringkv.storage.fs.FaultInjectingFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hints across a power loss on the fault-injecting file system, which keeps only synced bytes (and,
 * with a seed, tears the unsynced tails). With SYNC every acknowledged hint that was not delivered
 * survives; with NONE the survivors are the acknowledged hints less a tail; in both, the only hints
 * seen again besides are a redelivered part of the head segment. Randomized over seeds; a failure
 * names its seed and how to replay it.
 */
class HintStorePowerLossTest {
  private static final Path DIRECTORY = Path.of("/node/hints");
  private static final NodeId N2 = NodeId.of("n2");

  static Stream<Long> seeds() {
    return TestSeeds.seeds(0x4817_5L, 40);
  }

  /** What a random workload stored and delivered for one target. */
  private static final class Ledger {
    final List<Stored> acknowledged = new ArrayList<>();
    int delivered;
  }

  private static HintConfig randomConfig(Rng rng, Durability durability) {
    long segmentBytes = 256 + rng.nextInt(2048);
    return new HintConfig(true, 3_600_000, 1L << 20, segmentBytes, durability);
  }

  /** Runs stores, deliveries and (sometimes) syncs; returns the ledgers of n1 and n2. */
  private static List<Ledger> workload(Rng rng, HintStore store) throws IOException {
    List<Ledger> ledgers = List.of(new Ledger(), new Ledger());
    List<NodeId> targets = List.of(N1, N2);
    int operations = 50 + rng.nextInt(250);
    for (int i = 0; i < operations; i++) {
      int which = rng.nextInt(2);
      NodeId target = targets.get(which);
      Ledger ledger = ledgers.get(which);
      int dice = rng.nextInt(100);
      if (dice < 75) {
        byte[] value = new byte[rng.nextInt(120)];
        rng.nextBytes(value);
        Cell cell =
            rng.chance(0.1) ? Cell.tombstone(i).stampDeletionTime(NOW) : Cell.value(value, i);
        String name = "k" + i + "-" + "x".repeat(rng.nextInt(20));
        if (store.store(target, key(name), cell, NOW)) {
          ledger.acknowledged.add(new Stored(name, cell));
        }
      } else if (dice < 97) {
        HintBatch batch = store.peek(target, 1 + rng.nextInt(600), NOW);
        if (!batch.isEmpty() && rng.chance(0.8)) {
          assertThat(HintStoreContract.cells(batch))
              .isEqualTo(
                  ledger.acknowledged.subList(
                      ledger.delivered, ledger.delivered + batch.cells().size()));
          store.delivered(batch);
          ledger.delivered += batch.cells().size();
        }
      } else {
        store.sync();
      }
    }
    return ledgers;
  }

  private static void crash(Rng rng, FaultInjectingFileSystem fileSystem) {
    if (rng.nextBoolean()) {
      fileSystem.powerLoss(rng);
    } else {
      fileSystem.powerLoss();
    }
  }

  /**
   * Checks that {@code recovered} is {@code acknowledged[from, to)} with {@code from <= delivered}
   * and, if {@code wholeSuffix}, {@code to} the end; returns {@code to}.
   */
  private static int checkRecovered(
      long seed, String target, Ledger ledger, List<Stored> recovered, boolean wholeSuffix) {
    List<Stored> acknowledged = ledger.acknowledged;
    for (int from = 0; from <= ledger.delivered; from++) {
      int to = from + recovered.size();
      if (to <= acknowledged.size()
          && (!wholeSuffix || to == acknowledged.size())
          && acknowledged.subList(from, to).equals(recovered)) {
        return to;
      }
    }
    throw new AssertionError(
        TestSeeds.replay(seed)
            + ": "
            + target
            + " recovered "
            + recovered.size()
            + " hints that are not a run of the "
            + acknowledged.size()
            + " acknowledged starting at or before the "
            + ledger.delivered
            + " delivered"
            + (wholeSuffix ? " and running to the last" : ""));
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void powerLoss_withSync_keepsEveryAcknowledgedHintNotYetDelivered(long seed) throws IOException {
    Rng rng = new Rng(seed);
    FaultInjectingFileSystem fileSystem = new FaultInjectingFileSystem();
    HintConfig config = randomConfig(rng, Durability.SYNC);
    HintStore store = HintStore.open(fileSystem, DIRECTORY, config);
    List<Ledger> ledgers = workload(rng, store);

    crash(rng, fileSystem);
    HintStore recovered = HintStore.open(fileSystem, DIRECTORY, config);

    checkRecovered(seed, "n1", ledgers.get(0), drain(recovered, N1, 4096, NOW), true);
    checkRecovered(seed, "n2", ledgers.get(1), drain(recovered, N2, 4096, NOW), true);
    assertThat(recovered.stats().corrupt()).as(TestSeeds.replay(seed)).isZero();
    recovered.close();
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void powerLoss_withNone_losesOnlyATail(long seed) throws IOException {
    Rng rng = new Rng(seed);
    FaultInjectingFileSystem fileSystem = new FaultInjectingFileSystem();
    HintConfig config = randomConfig(rng, Durability.NONE);
    HintStore store = HintStore.open(fileSystem, DIRECTORY, config);
    List<Ledger> ledgers = workload(rng, store);

    crash(rng, fileSystem);
    HintStore recovered = HintStore.open(fileSystem, DIRECTORY, config);

    int acknowledged = 0;
    int lost = 0;
    for (int i = 0; i < 2; i++) {
      Ledger ledger = ledgers.get(i);
      NodeId target = i == 0 ? N1 : N2;
      List<Stored> after = drain(recovered, target, 4096, NOW);
      int to = checkRecovered(seed, target.value(), ledger, after, false);
      acknowledged += ledger.acknowledged.size();
      lost += ledger.acknowledged.size() - Math.max(to, ledger.delivered);
    }
    System.out.printf(
        "hints power loss, durability NONE, %s: %d hints acknowledged, %d undelivered lost%n",
        TestSeeds.replay(seed), acknowledged, lost);
    assertThat(recovered.stats().corrupt()).as(TestSeeds.replay(seed)).isZero();
    recovered.close();
  }

  @Test
  void sync_makesHintsStoredWithoutFsyncDurable() throws IOException {
    FaultInjectingFileSystem fileSystem = new FaultInjectingFileSystem();
    HintConfig config = HintStoreContract.SMALL.withDurability(Durability.NONE);
    HintStore store = HintStore.open(fileSystem, DIRECTORY, config);
    for (int i = 0; i < 30; i++) {
      store.store(N1, key(HintStoreContract.name(i)), HintStoreContract.value(i), NOW);
    }
    long syncsBefore = fileSystem.syncCount();
    store.sync();
    assertThat(fileSystem.syncCount()).isGreaterThan(syncsBefore);

    fileSystem.powerLoss();
    HintStore recovered = HintStore.open(fileSystem, DIRECTORY, config);

    assertThat(drain(recovered, N1, 4096, NOW))
        .containsExactlyElementsOf(HintStoreContract.range(0, 30));
    recovered.close();
  }

  @Test
  void store_withNone_doesNotFsyncEachHint() throws IOException {
    FaultInjectingFileSystem fileSystem = new FaultInjectingFileSystem();
    HintConfig config = HintStoreContract.SMALL.withDurability(Durability.NONE);
    HintStore store = HintStore.open(fileSystem, DIRECTORY, config);
    store.store(N1, key("first"), HintStoreContract.value(0), NOW);
    long syncsBefore = fileSystem.syncCount();

    for (int i = 1; i < 10; i++) {
      store.store(N1, key(HintStoreContract.name(i)), HintStoreContract.value(i), NOW);
    }

    assertThat(fileSystem.syncCount()).isEqualTo(syncsBefore);
    store.close();
  }

  @Test
  void failedFsync_failsTheStoreAndLaterHintsGoToANewSegment() throws IOException {
    FaultInjectingFileSystem fileSystem = new FaultInjectingFileSystem();
    HintConfig config = HintStoreContract.SMALL;
    HintStore store = HintStore.open(fileSystem, DIRECTORY, config);
    store.store(N1, key("before"), HintStoreContract.value(0), NOW);
    fileSystem.failNextSyncs(1);

    assertThatThrownBy(() -> store.store(N1, key("failed"), HintStoreContract.value(1), NOW))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("n1")
        .hasMessageContaining("fsync failed");
    assertThat(store.store(N1, key("after"), HintStoreContract.value(2), NOW)).isTrue();
    assertThat(store.segmentCount(N1)).isEqualTo(2);

    fileSystem.powerLoss();
    HintStore recovered = HintStore.open(fileSystem, DIRECTORY, config);
    List<String> keys = drain(recovered, N1, 4096, NOW).stream().map(Stored::key).toList();
    assertThat(keys).startsWith("before").endsWith("after");
    assertThat(recovered.stats().corrupt()).isZero();
    recovered.close();
  }

  @Test
  void tornWrite_failsTheStoreAndIsCutOnOpenWithoutCountingDamage() throws IOException {
    FaultInjectingFileSystem fileSystem = new FaultInjectingFileSystem();
    HintConfig config = HintStoreContract.SMALL;
    HintStore store = HintStore.open(fileSystem, DIRECTORY, config);
    store.store(N1, key("before"), HintStoreContract.value(0), NOW);
    Path segment = DIRECTORY.resolve("n1").resolve(HintFormat.segmentName(1));
    long goodBytes = fileSystem.size(segment);
    fileSystem.tearNextWrite(segment, 11);

    assertThatThrownBy(() -> store.store(N1, key("torn"), HintStoreContract.value(1), NOW))
        .isInstanceOf(IOException.class);
    assertThat(store.store(N1, key("after"), HintStoreContract.value(2), NOW)).isTrue();
    assertThat(fileSystem.size(segment)).isEqualTo(goodBytes + 11);
    store.close();

    HintStore reopened = HintStore.open(fileSystem, DIRECTORY, config);
    assertThat(fileSystem.size(segment)).isEqualTo(goodBytes);
    assertThat(reopened.stats().corrupt()).isZero();
    assertThat(drain(reopened, N1, 4096, NOW).stream().map(Stored::key))
        .containsExactly("before", "after");
    reopened.close();
  }

  @Test
  void fullDisk_failsTheStoreUntilThereIsRoom() throws IOException {
    FaultInjectingFileSystem fileSystem = new FaultInjectingFileSystem();
    HintConfig config = HintStoreContract.SMALL;
    HintStore store = HintStore.open(fileSystem, DIRECTORY, config);
    store.store(N1, key("before"), HintStoreContract.value(0), NOW);
    fileSystem.setCapacityBytes(fileSystem.usedBytes());

    assertThatThrownBy(() -> store.store(N1, key("refused"), HintStoreContract.value(1), NOW))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("No space left");
    assertThat(store.pendingBytes(N1))
        .isEqualTo(HintRecord.encodedBytes(key("before"), HintStoreContract.value(0)));

    fileSystem.setCapacityBytes(Long.MAX_VALUE);
    assertThat(store.store(N1, key("after"), HintStoreContract.value(2), NOW)).isTrue();
    assertThat(drain(store, N1, 4096, NOW).stream().map(Stored::key))
        .containsExactly("before", "after");
    store.close();
  }
}
