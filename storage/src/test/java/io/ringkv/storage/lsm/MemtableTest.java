package io.ringkv.storage.lsm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.storage.format.InternalIterator;
import io.ringkv.storage.format.InternalKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  /** One bucket (a plain skip list), a few, and many more buckets than entries. */
  @ParameterizedTest
  @ValueSource(longs = {16, 4_000, 1 << 24})
  void iterator_seekAndScan_yieldsEncodedInternalKeysInOrder(long expectedEntries)
      throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Memtable memtable = new Memtable(1, expectedEntries);
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

      for (int probe = 0; probe < 200; probe++) {
        byte[] target = expected.get(random.nextInt(expected.size()));
        iterator.seek(target);
        assertThat(iterator.key()).as("seed %d", seed).isEqualTo(target);
        // A key between entries: the next entry, across buckets too.
        byte[] between = Arrays.copyOf(target, target.length + 1);
        int index = Collections.binarySearch(expected, between, InternalKey::compare);
        int insertion = -index - 1;
        iterator.seek(between);
        if (insertion == expected.size()) {
          assertThat(iterator.isValid()).as("seed %d", seed).isFalse();
        } else {
          assertThat(iterator.key()).as("seed %d", seed).isEqualTo(expected.get(insertion));
        }
      }
      iterator.seek(InternalKey.encode(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, 0, 0));
      while (iterator.isValid()) {
        assertThat(InternalKey.userKey(iterator.key())[0]).isEqualTo((byte) 0xFF);
        iterator.next();
      }
    }
  }

  @Test
  void get_randomVersionsAtRandomSnapshots_matchesAModel() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Memtable memtable = new Memtable(1, 4_000);
    List<byte[]> keys = new ArrayList<>();
    List<Long> sequences = new ArrayList<>();
    for (int sequence = 1; sequence <= 4_000; sequence++) {
      byte[] key =
          !keys.isEmpty() && random.nextInt(3) == 0
              ? keys.get(random.nextInt(keys.size()))
              : randomKey(random);
      memtable.add(key, sequence, InternalKey.KIND_VALUE, Integer.toString(sequence).getBytes());
      keys.add(key);
      sequences.add((long) sequence);
    }
    for (int probe = 0; probe < 4_000; probe++) {
      byte[] key = random.nextInt(8) == 0 ? randomKey(random) : keys.get(random.nextInt(4_000));
      long snapshot = 1 + random.nextInt(4_100);
      long newest = -1;
      for (int i = 0; i < keys.size(); i++) {
        if (Arrays.equals(keys.get(i), key) && sequences.get(i) <= snapshot) {
          newest = Math.max(newest, sequences.get(i));
        }
      }
      byte[] expected = newest < 0 ? null : Long.toString(newest).getBytes();
      assertThat(memtable.get(key, snapshot))
          .as("seed %d: %s at %d", seed, Arrays.toString(key), snapshot)
          .isEqualTo(expected);
    }
    assertThat(memtable.entryCount()).isEqualTo(4_000);
  }

  @ParameterizedTest
  @ValueSource(longs = {16, 1 << 20})
  void add_whileReadersIterate_readersSeeWholeEntriesInOrder(long expectedEntries)
      throws Exception {
    long seed = System.nanoTime();
    Memtable memtable = new Memtable(1, expectedEntries);
    int entries = 60_000;
    java.util.concurrent.atomic.AtomicLong published = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Runnable reader =
        () -> {
          try {
            Random random = new Random(seed + 1);
            while (published.get() < entries) {
              long seen = published.get();
              int count = 0;
              byte[] previous = null;
              try (InternalIterator iterator = memtable.iterator()) {
                for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
                  byte[] key = iterator.key();
                  if (previous != null && InternalKey.compare(previous, key) >= 0) {
                    throw new AssertionError("out of order after " + count + " entries");
                  }
                  if (iterator.value() == null || iterator.value().length != 8) {
                    throw new AssertionError("entry without its value");
                  }
                  previous = key;
                  count++;
                }
              }
              if (count < seen) {
                throw new AssertionError("saw " + count + " entries of " + seen + " published");
              }
              long sequence = 1 + random.nextInt((int) Math.max(1, seen));
              if (seen > 0 && memtable.get(keyOf(sequence), Long.MAX_VALUE >>> 8) == null) {
                throw new AssertionError("published key " + sequence + " not found");
              }
            }
          } catch (Throwable t) {
            failure.compareAndSet(null, t);
            published.set(entries);
          }
        };
    Thread first = new Thread(reader);
    Thread second = new Thread(reader);
    first.start();
    second.start();
    for (int sequence = 1; sequence <= entries && failure.get() == null; sequence++) {
      memtable.add(
          keyOf(sequence),
          sequence,
          InternalKey.KIND_VALUE,
          java.nio.ByteBuffer.allocate(8).putLong(sequence).array());
      published.set(sequence);
    }
    published.set(entries);
    first.join();
    second.join();
    assertThat(failure.get()).as("seed %d", seed).isNull();
    assertThat(memtable.entryCount()).isEqualTo(entries);
  }

  /** Keys in an order unrelated to their sequence, spread over their first bytes like tokens. */
  private static byte[] keyOf(long sequence) {
    return java.nio.ByteBuffer.allocate(12)
        .putLong(sequence * 0x9E3779B97F4A7C15L)
        .putInt((int) sequence)
        .array();
  }
}
