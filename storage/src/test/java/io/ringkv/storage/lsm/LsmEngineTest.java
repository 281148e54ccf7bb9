package io.ringkv.storage.lsm;

import static io.ringkv.storage.lsm.LsmTestSupport.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.ManualClock;
import io.ringkv.storage.Cell;
import io.ringkv.storage.CellIterator;
import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.EngineStats;
import io.ringkv.storage.KeyRange;
import io.ringkv.storage.ScanMode;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.fs.FaultInjectingFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Behaviour of the LSM engine beyond the shared contract: failures, compaction rules, files. */
class LsmEngineTest {
  private static final Path DIR = Path.of("/db");
  private final FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
  private final ManualClock clock = LsmTestSupport.clock();

  private EngineOptions options() {
    return LsmTestSupport.smallOptions(DIR, fs, clock);
  }

  private static byte[] value(int i, int size) {
    byte[] v = new byte[size];
    for (int j = 0; j < size; j++) {
      v[j] = (byte) (i * 31 + j);
    }
    return v;
  }

  @Test
  void failedFsync_makesEveryLaterWriteFailUntilReopen() throws Exception {
    LsmEngine engine = LsmEngine.open(options());
    engine.put(bytes("before"), Cell.value(bytes("1"), 1), Durability.SYNC);
    fs.failNextSyncs(1);
    assertThatThrownBy(() -> engine.put(bytes("a"), Cell.value(bytes("2"), 2), Durability.SYNC))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("refuses writes")
        .hasMessageContaining(".log");
    // The next fsync would work, but the log's state is unknown: the engine must stay refused.
    assertThatThrownBy(() -> engine.put(bytes("b"), Cell.value(bytes("3"), 3), Durability.NONE))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("refuses writes");
    assertThat(engine.get(bytes("before")).value()).isEqualTo(bytes("1"));
    try {
      engine.close();
    } catch (StorageException expected) {
      // close reports the earlier failure
    }
    try (LsmEngine reopened = LsmEngine.open(options())) {
      assertThat(reopened.get(bytes("before")).value()).isEqualTo(bytes("1"));
      reopened.put(bytes("c"), Cell.value(bytes("4"), 4), Durability.SYNC);
      assertThat(reopened.get(bytes("c")).value()).isEqualTo(bytes("4"));
    }
  }

  @Test
  void secondOpenOfSameDirectory_isRefused() throws Exception {
    try (LsmEngine engine = LsmEngine.open(options())) {
      assertThatThrownBy(() -> LsmEngine.open(options()))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("LOCK")
          .hasMessageContaining("locked");
      engine.put(bytes("k"), Cell.value(bytes("v"), 1), Durability.SYNC);
    }
    try (LsmEngine again = LsmEngine.open(options())) {
      assertThat(again.get(bytes("k")).value()).isEqualTo(bytes("v"));
    }
  }

  @Test
  void compaction_purgesTombstonesOnlyAtTheBottomAfterTheGracePeriod() throws Exception {
    EngineOptions options = options().toBuilder().tombstoneGraceMillis(60_000).build();
    try (LsmEngine engine = LsmEngine.open(options)) {
      for (int i = 0; i < 100; i++) {
        engine.put(bytes("k" + i), Cell.value(value(i, 50), 1), Durability.NONE);
      }
      engine.compact();
      for (int i = 0; i < 100; i += 2) {
        engine.delete(bytes("k" + i), 2, Durability.NONE);
      }
      engine.compact();
      // Within the grace period the tombstones stay, so repair can still see the deletes.
      Cell tombstone = engine.get(bytes("k0"));
      assertThat(tombstone.isTombstone()).isTrue();
      assertThat(tombstone.expiresAtMillis()).isEqualTo(clock.epochMillis());
      assertThat(engine.stats().filesPerLevel().stream().mapToInt(Integer::intValue).sum())
          .isPositive();

      clock.advanceNanos(60_000L * 1_000_000);
      engine.compact();
      assertThat(engine.get(bytes("k0"))).as("tombstone purged after grace").isNull();
      assertThat(engine.get(bytes("k1")).value()).isEqualTo(value(1, 50));
      assertThat(LsmTestSupport.contents(engine)).hasSize(50);
    }
  }

  @Test
  void compaction_purgesExpiredCellsAfterTheGracePeriod() throws Exception {
    EngineOptions options = options().toBuilder().tombstoneGraceMillis(1_000).build();
    try (LsmEngine engine = LsmEngine.open(options)) {
      long expiry = clock.epochMillis() + 5_000;
      engine.put(bytes("ttl"), Cell.value(bytes("v"), 1).withExpiry(expiry), Durability.NONE);
      engine.put(bytes("keep"), Cell.value(bytes("v"), 1), Durability.NONE);
      engine.compact();
      assertThat(engine.get(bytes("ttl"))).isNotNull();
      clock.advanceNanos(5_500L * 1_000_000);
      assertThat(engine.getLive(bytes("ttl"))).as("expired reads as absent").isNull();
      engine.compact();
      assertThat(engine.get(bytes("ttl"))).as("still within grace").isNotNull();
      clock.advanceNanos(1_000L * 1_000_000);
      engine.compact();
      assertThat(engine.get(bytes("ttl"))).as("purged after grace").isNull();
      assertThat(engine.get(bytes("keep"))).isNotNull();
    }
  }

  @Test
  void compaction_dropsOverwrittenVersions() throws Exception {
    try (LsmEngine engine = LsmEngine.open(options())) {
      for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 200; i++) {
          engine.put(bytes("k" + i), Cell.value(value(round, 200), round), Durability.NONE);
        }
      }
      engine.compact();
      EngineStats stats = engine.stats();
      long entries = 0;
      Version version = null;
      assertThat(stats.compactions()).isPositive();
      // 200 keys of ~220 bytes: one version each is well under 100 KiB on disk.
      assertThat(stats.liveDataBytes()).isLessThan(100 << 10);
      assertThat(engine.get(bytes("k7")).value()).isEqualTo(value(19, 200));
    }
  }

  @Test
  void openIterator_keepsItsViewWhileCompactionDeletesTheFilesItReads() throws Exception {
    try (LsmEngine engine = LsmEngine.open(options())) {
      for (int i = 0; i < 2_000; i++) {
        engine.put(bytes(String.format("k%05d", i)), Cell.value(value(i, 100), 1), Durability.NONE);
      }
      engine.flush();
      List<String> seen = new ArrayList<>();
      try (CellIterator it = engine.scan(KeyRange.ALL, ScanMode.LIVE)) {
        for (int i = 0; i < 10 && it.hasNext(); i++) {
          seen.add(new String(it.next().key()));
        }
        for (int i = 0; i < 2_000; i++) {
          engine.delete(bytes(String.format("k%05d", i)), 2, Durability.NONE);
        }
        engine.compact();
        while (it.hasNext()) {
          CellIterator.KeyCell next = it.next();
          assertThat(next.cell().isTombstone()).isFalse();
          seen.add(new String(next.key()));
        }
      }
      assertThat(seen).hasSize(2_000);
      try (CellIterator it = engine.scan(KeyRange.ALL, ScanMode.LIVE)) {
        assertThat(it.hasNext()).isFalse();
      }
    }
  }

  @Test
  void manyWrites_flushAndCompactIntoLevelsAndReadBack() throws Exception {
    try (LsmEngine engine = LsmEngine.open(options())) {
      for (int i = 0; i < 20_000; i++) {
        engine.put(
            bytes("key" + (i * 7919 % 20_000)), Cell.value(value(i, 120), i), Durability.NONE);
      }
      engine.flush();
      EngineStats stats = engine.stats();
      assertThat(stats.flushes()).isGreaterThan(10);
      assertThat(stats.compactions()).isPositive();
      assertThat(stats.filesPerLevel().subList(1, stats.filesPerLevel().size()))
          .anyMatch(n -> n > 0);
      assertThat(stats.writeAmplification()).isGreaterThan(1.0);
    }
    try (LsmEngine engine = LsmEngine.open(options())) {
      for (int i = 0; i < 20_000; i++) {
        Cell cell = engine.get(bytes("key" + (i * 7919 % 20_000)));
        assertThat(cell).as("key%d", i * 7919 % 20_000).isNotNull();
        assertThat(cell.value()).isEqualTo(value(i, 120));
      }
    }
  }

  @Test
  void missingCurrentWithTables_isRefusedRatherThanStartedEmpty() throws Exception {
    try (LsmEngine engine = LsmEngine.open(options())) {
      engine.put(bytes("k"), Cell.value(bytes("v"), 1), Durability.SYNC);
      engine.flush();
    }
    fs.deleteRaw(DIR.resolve("CURRENT"));
    assertThatThrownBy(() -> LsmEngine.open(options()))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("CURRENT is missing");
  }

  @Test
  void corruptTable_isReportedNeverReturnedAsData() throws Exception {
    try (LsmEngine engine = LsmEngine.open(options())) {
      for (int i = 0; i < 500; i++) {
        engine.put(bytes("k" + i), Cell.value(value(i, 100), 1), Durability.NONE);
      }
      engine.compact();
    }
    Path table =
        fs.list(DIR).stream().filter(p -> p.toString().endsWith(".sst")).findFirst().orElseThrow();
    // Flip a bit in the first data block.
    fs.flipBit(table, 8 * 100 + 3);
    try (LsmEngine engine = LsmEngine.open(options())) {
      StorageException failure = null;
      int ok = 0;
      for (int i = 0; i < 500; i++) {
        try {
          Cell cell = engine.get(bytes("k" + i));
          assertThat(cell.value()).as("k%d is right or refused", i).isEqualTo(value(i, 100));
          ok++;
        } catch (StorageException e) {
          failure = e;
        }
      }
      assertThat(failure).isInstanceOf(CorruptionException.class);
      assertThat(failure.getMessage()).contains(table.getFileName().toString());
      assertThat(ok).isLessThan(500);
    }
  }

  @Test
  void tornLogTail_isCutAndTheEngineOpens() throws Exception {
    LsmEngine engine = LsmEngine.open(options());
    engine.put(bytes("synced"), Cell.value(bytes("1"), 1), Durability.SYNC);
    engine.put(bytes("unsynced"), Cell.value(bytes("2"), 2), Durability.NONE);
    Path log =
        fs.list(DIR).stream().filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
    // Keep the synced record and half of the next one, as a torn write would.
    long syncedLength = fs.syncedBytes(log).length;
    long all = fs.currentBytes(log).length;
    fs.truncateRaw(log, syncedLength + (all - syncedLength) / 2);
    fs.powerLoss();
    try {
      engine.close();
    } catch (StorageException expected) {
      // crashed
    }
    try (LsmEngine reopened = LsmEngine.open(options())) {
      assertThat(reopened.get(bytes("synced")).value()).isEqualTo(bytes("1"));
      assertThat(reopened.get(bytes("unsynced"))).isNull();
    }
  }

  @Test
  void damageInTheMiddleOfTheLog_refusesToOpenUnlessSalvaging() throws Exception {
    LsmEngine engine = LsmEngine.open(options());
    for (int i = 0; i < 10; i++) {
      engine.put(bytes("k" + i), Cell.value(value(i, 100), i), Durability.SYNC);
    }
    Path log =
        fs.list(DIR).stream().filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
    fs.flipBit(log, 8 * 300);
    fs.powerLoss();
    try {
      engine.close();
    } catch (StorageException expected) {
      // crashed
    }
    assertThatThrownBy(() -> LsmEngine.open(options()))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining(log.getFileName().toString())
        .hasMessageContaining("salvage");
    try (LsmEngine salvaged = LsmEngine.open(options().toBuilder().salvage(true).build())) {
      int present = 0;
      for (int i = 0; i < 10; i++) {
        Cell cell = salvaged.get(bytes("k" + i));
        if (cell != null) {
          assertThat(cell.value()).isEqualTo(value(i, 100));
          present++;
        }
      }
      assertThat(present).isBetween(8, 9);
    }
  }

  @Test
  void enospc_failsTheWriteCleanly() throws Exception {
    try (LsmEngine engine = LsmEngine.open(options())) {
      engine.put(bytes("k"), Cell.value(bytes("v"), 1), Durability.SYNC);
      fs.setCapacityBytes(fs.usedBytes() + 10);
      assertThatThrownBy(
              () -> engine.put(bytes("big"), Cell.value(value(1, 1_000), 2), Durability.SYNC))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("No space left on device");
      assertThat(engine.get(bytes("k")).value()).isEqualTo(bytes("v"));
      fs.setCapacityBytes(Long.MAX_VALUE);
    } catch (StorageException closeFailure) {
      // close may report the sticky error
    }
    try (LsmEngine reopened = LsmEngine.open(options())) {
      assertThat(reopened.get(bytes("k")).value()).isEqualTo(bytes("v"));
      assertThat(reopened.get(bytes("big"))).isNull();
    }
  }
}
