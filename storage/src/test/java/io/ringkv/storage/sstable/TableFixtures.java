package io.ringkv.storage.sstable;

import io.ringkv.common.Rng;
import io.ringkv.storage.Cell;
import io.ringkv.storage.format.CellCodec;
import io.ringkv.storage.format.InternalKey;
import io.ringkv.storage.fs.LocalFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/** Builds models of tables (internal key -> encoded cell) and writes and opens them. */
final class TableFixtures {
  static final LocalFileSystem FS = new LocalFileSystem();

  /** The bytes user keys are drawn from: many shared prefixes, and both extremes of a byte. */
  private static final byte[] ALPHABET = {
    0x00, 0x01, 0x61, 0x62, 0x7F, (byte) 0x80, (byte) 0xFE, (byte) 0xFF
  };

  private TableFixtures() {}

  static TreeMap<byte[], byte[]> newModel() {
    return new TreeMap<>(InternalKey::compare);
  }

  /**
   * A random table of {@code userKeys} user keys with 1 to 4 versions each (a fifth of them
   * tombstones), binary keys full of 0x00 and 0xFF, empty values, and, if {@code largeValues}, a
   * few values of up to 64 KiB. Values are half random, half repetitive (so LZ4 has work).
   */
  static TreeMap<byte[], byte[]> randomModel(Rng rng, int userKeys, boolean largeValues) {
    TreeSet<byte[]> users = new TreeSet<>(Arrays::compareUnsigned);
    while (users.size() < userKeys) {
      users.add(randomUserKey(rng));
    }
    TreeMap<byte[], byte[]> model = newModel();
    for (byte[] user : users) {
      int versions = rng.nextInt(1, 5);
      for (int v = 0; v < versions; v++) {
        long sequence = rng.nextInt(1, 5_000);
        boolean tombstone = rng.chance(0.2);
        byte[] key =
            InternalKey.encode(
                user, sequence, tombstone ? InternalKey.KIND_TOMBSTONE : InternalKey.KIND_VALUE);
        model.put(
            key,
            tombstone ? CellCodec.encode(Cell.tombstone(sequence)) : randomCell(rng, largeValues));
      }
    }
    return model;
  }

  static byte[] randomUserKey(Rng rng) {
    if (rng.chance(0.1)) {
      byte[] key = new byte[rng.nextInt(1, 40)];
      rng.nextBytes(key);
      return key;
    }
    byte[] key = new byte[rng.nextInt(0, 10)];
    for (int i = 0; i < key.length; i++) {
      key[i] = ALPHABET[rng.nextInt(ALPHABET.length)];
    }
    return key;
  }

  static byte[] randomCell(Rng rng, boolean largeValues) {
    int length;
    double p = rng.nextDouble();
    if (p < 0.15) {
      length = 0;
    } else if (p < 0.55) {
      length = rng.nextInt(1, 16);
    } else if (p < 0.97 || !largeValues) {
      length = rng.nextInt(16, 300);
    } else {
      length = rng.nextInt(4 << 10, (64 << 10) + 1);
    }
    byte[] value = new byte[length];
    if (rng.nextBoolean()) {
      rng.nextBytes(value);
    } else {
      byte[] pattern = new byte[rng.nextInt(1, 9)];
      rng.nextBytes(pattern);
      for (int i = 0; i < length; i++) {
        value[i] = pattern[i % pattern.length];
      }
    }
    Cell cell = Cell.value(value, rng.nextLong());
    if (rng.chance(0.1)) {
      cell = cell.withExpiry(rng.nextInt(1, Integer.MAX_VALUE));
    }
    if (rng.chance(0.1)) {
      byte[] version = new byte[rng.nextInt(1, 12)];
      rng.nextBytes(version);
      cell = cell.withVersion(version);
    }
    return CellCodec.encode(cell);
  }

  /** Writes {@code model} as a table at {@code path}. */
  static SstableSummary write(Path path, SstableOptions options, NavigableMap<byte[], byte[]> model)
      throws IOException {
    try (SstableWriter writer = new SstableWriter(FS.create(path), path, options)) {
      for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
        writer.add(e.getKey(), e.getValue());
      }
      return writer.finish();
    }
  }

  static SstableReader open(Path path, BlockCache cache) throws IOException {
    return SstableReader.open(7, path, FS.openRead(path), cache);
  }

  /** What get(userKey, snapshot) must answer according to the model. */
  static byte[] expectedGet(NavigableMap<byte[], byte[]> model, byte[] userKey, long snapshot) {
    Map.Entry<byte[], byte[]> e = model.ceilingEntry(InternalKey.seekKey(userKey, snapshot));
    if (e == null || InternalKey.compareUserKey(e.getKey(), userKey) != 0) {
      return null;
    }
    return e.getValue();
  }

  static long seed(long fallback) {
    return Long.getLong("ringkv.test.seed", fallback);
  }
}
