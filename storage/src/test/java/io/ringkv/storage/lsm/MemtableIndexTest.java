package io.ringkv.storage.lsm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.storage.lsm.Memtable.MemtableKey;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MemtableIndexTest {
  @Test
  void put_randomVersionsPastGrowth_keepsTheNewestPerUserKeyAsAMapWould() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    MemtableIndex index = new MemtableIndex(4); // grows many times
    Map<String, Long> model = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      String user = "key:" + random.nextInt(5_000);
      long trailer = ((long) random.nextInt(1 << 20) << 8) | 1;
      index.put(key(user, trailer));
      model.merge(user, trailer, Math::max);
    }
    for (int i = 0; i < 6_000; i++) {
      String user = "key:" + i;
      MemtableKey found = index.get(key(user, 0));
      Long expected = model.get(user);
      if (expected == null) {
        assertThat(found).as("seed %d %s", seed, user).isNull();
      } else {
        assertThat(found).as("seed %d %s", seed, user).isNotNull();
        assertThat(found.trailer).as("seed %d %s", seed, user).isEqualTo(expected);
      }
    }
  }

  private static MemtableKey key(String user, long trailer) {
    return new MemtableKey(user.getBytes(StandardCharsets.UTF_8), trailer, null);
  }
}
