package io.ringkv.storage.lsm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.storage.format.InternalIterator;
import io.ringkv.storage.format.InternalKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MemtableTest {
  /** Keys around the 16 cached head bytes: short, exactly 8 and 16, long, shared prefixes, 0x00. */
  private static byte[] randomKey(Random random) {
    int length = random.nextInt(24);
    byte[] key = new byte[length];
    for (int i = 0; i < length; i++) {
      int pick = random.nextInt(4);
      key[i] = pick == 0 ? 0 : pick == 1 ? (byte) 0xFF : pick == 2 ? (byte) 'k' : (byte) 0x80;
    }
    return key;
  }

  @Test
  void memtableKeyCompare_randomKeys_ordersAsEncodedInternalKeys() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int i = 0; i < 200_000; i++) {
      byte[] a = randomKey(random);
      byte[] b = random.nextInt(4) == 0 ? a.clone() : randomKey(random);
      long aTrailer = ((long) random.nextInt(4) << 8) | random.nextInt(2);
      long bTrailer = ((long) random.nextInt(4) << 8) | random.nextInt(2);
      int expected =
          Integer.signum(
              InternalKey.compare(
                  InternalKey.encode(a, aTrailer >>> 8, (int) aTrailer & 0xFF),
                  InternalKey.encode(b, bTrailer >>> 8, (int) bTrailer & 0xFF)));
      int actual =
          Integer.signum(
              Memtable.MemtableKey.compare(
                  new Memtable.MemtableKey(a, aTrailer, null),
                  new Memtable.MemtableKey(b, bTrailer, null)));
      assertThat(actual)
          .as(
              "seed %d: %s@%d vs %s@%d",
              seed, Arrays.toString(a), aTrailer, Arrays.toString(b), bTrailer)
          .isEqualTo(expected);
    }
  }

  @Test
  void get_versionsAndSnapshots_returnsNewestVisibleVersion() {
    Memtable memtable = new Memtable(1);
    byte[] key = "key:000000000001".getBytes();
    memtable.add(key, 5, InternalKey.KIND_VALUE, new byte[] {5});
    memtable.add(key, 9, InternalKey.KIND_VALUE, new byte[] {9});
    memtable.add("key:000000000001x".getBytes(), 7, InternalKey.KIND_VALUE, new byte[] {7});

    assertThat(memtable.get(key, 100)).containsExactly(9);
    assertThat(memtable.get(key, 8)).containsExactly(5);
    assertThat(memtable.get(key, 4)).isNull();
    assertThat(memtable.get("key:000000000002".getBytes(), 100)).isNull();
    assertThat(memtable.get("key:".getBytes(), 100)).isNull();
  }

  @Test
  void iterator_seekAndScan_yieldsEncodedInternalKeysInOrder() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Memtable memtable = new Memtable(1);
    List<byte[]> expected = new ArrayList<>();
    for (int sequence = 1; sequence <= 2_000; sequence++) {
      byte[] key = randomKey(random);
      memtable.add(key, sequence, InternalKey.KIND_VALUE, new byte[] {1});
      expected.add(InternalKey.encode(key, sequence, InternalKey.KIND_VALUE));
    }
    expected.sort(InternalKey::compare);
    try (InternalIterator iterator = memtable.iterator()) {
      List<byte[]> actual = new ArrayList<>();
      for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
        actual.add(iterator.key());
      }
      assertThat(actual).as("seed %d", seed).containsExactlyElementsOf(expected);

      byte[] middle = expected.get(expected.size() / 2);
      iterator.seek(middle);
      assertThat(iterator.key()).as("seed %d", seed).isEqualTo(middle);
    }
  }
}
