package io.ringkv.storage.lsm;

import io.ringkv.common.ManualClock;
import io.ringkv.storage.Cell;
import io.ringkv.storage.CellIterator;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.KeyRange;
import io.ringkv.storage.ScanMode;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.fs.FileSystem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeMap;

/** Small options and helpers shared by the LSM engine's tests. */
final class LsmTestSupport {
  private LsmTestSupport() {}

  /** Options small enough that a few thousand writes flush and compact several times. */
  static EngineOptions smallOptions(Path dir, FileSystem fs, ManualClock clock) {
    return EngineOptions.defaults(dir).toBuilder()
        .fileSystem(fs)
        .clock(clock)
        .memtableBytes(64 << 10)
        .walSegmentBytes(256 << 10)
        .blockBytes(1 << 10)
        .levelBaseBytes(1 << 20)
        .targetFileBytes(64 << 10)
        .level0CompactionTrigger(2)
        .level0SlowdownTrigger(8)
        .level0StopTrigger(12)
        .keyBytesMax(1 << 10)
        .valueBytesMax(64 << 10)
        .build()
        .validate();
  }

  static ManualClock clock() {
    return new ManualClock(0, 1_700_000_000_000L);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static TreeMap<byte[], Cell> newModel() {
    return new TreeMap<>(Arrays::compareUnsigned);
  }

  /** Every cell of the engine (tombstones included) as a sorted map. */
  static TreeMap<byte[], Cell> contents(StorageEngine engine) throws StorageException {
    TreeMap<byte[], Cell> all = newModel();
    try (CellIterator it = engine.scan(KeyRange.ALL, ScanMode.ALL)) {
      while (it.hasNext()) {
        CellIterator.KeyCell next = it.next();
        all.put(next.key(), next.cell());
      }
    }
    return all;
  }

  /** True if both maps hold equal keys with equal cells, byte for byte. */
  static boolean sameContents(TreeMap<byte[], Cell> a, TreeMap<byte[], Cell> b) {
    if (a.size() != b.size()) {
      return false;
    }
    var ia = a.entrySet().iterator();
    var ib = b.entrySet().iterator();
    while (ia.hasNext()) {
      var ea = ia.next();
      var eb = ib.next();
      if (!Arrays.equals(ea.getKey(), eb.getKey()) || !ea.getValue().equals(eb.getValue())) {
        return false;
      }
    }
    return true;
  }

  /** Renders a map for assertion messages (long values abbreviated). */
  static String describe(TreeMap<byte[], Cell> map) {
    StringBuilder s = new StringBuilder("{");
    map.forEach(
        (k, v) ->
            s.append(new String(k, StandardCharsets.UTF_8)).append('=').append(v).append(", "));
    return s.append('}').toString();
  }
}
