package io.ringkv.storage.sstable;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.storage.format.InternalKey;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link KeyOrder#compareToTarget} against {@link InternalKey#compare} on built keys. */
class KeyOrderTest {
  @Test
  void agreesWithInternalKeyOrderOnRandomKeys() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int i = 0; i < 200_000; i++) {
      byte[] storedUser = randomKey(random);
      byte[] targetUser =
          random.nextInt(4) == 0 ? storedUser.clone() : mutate(random, storedUser.clone());
      long storedSequence = random.nextLong(1_000);
      int storedKind = random.nextInt(2);
      long targetSequence = random.nextLong(1_000);
      long targetTrailer = (targetSequence << 8) | InternalKey.KIND_SEEK;
      byte[] stored = InternalKey.encode(storedUser, storedSequence, storedKind);
      int offset = random.nextInt(4);
      byte[] padded = new byte[offset + stored.length + random.nextInt(4)];
      System.arraycopy(stored, 0, padded, offset, stored.length);
      int expected =
          Integer.signum(
              InternalKey.compare(stored, InternalKey.seekKey(targetUser, targetSequence)));
      int actual =
          Integer.signum(
              KeyOrder.compareToTarget(
                  padded, offset, stored.length, targetUser, targetUser.length, targetTrailer));
      assertThat(actual)
          .as("seed %d, case %d: %s vs %s", seed, i, hex(storedUser), hex(targetUser))
          .isEqualTo(expected);
    }
  }

  /** 0 to 20 bytes, biased towards bytes at the signed/unsigned edges. */
  private static byte[] randomKey(Random random) {
    byte[] key = new byte[random.nextInt(21)];
    for (int i = 0; i < key.length; i++) {
      key[i] = edgeByte(random);
    }
    return key;
  }

  private static byte[] mutate(Random random, byte[] key) {
    if (key.length == 0 || random.nextInt(5) == 0) {
      return randomKey(random);
    }
    if (random.nextInt(3) == 0) {
      return java.util.Arrays.copyOf(key, random.nextInt(key.length + 3));
    }
    key[random.nextInt(key.length)] = edgeByte(random);
    return key;
  }

  private static byte edgeByte(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> (byte) 0x00;
      case 1 -> (byte) 0x7f;
      case 2 -> (byte) 0x80;
      default -> (byte) random.nextInt(256);
    };
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }
}
