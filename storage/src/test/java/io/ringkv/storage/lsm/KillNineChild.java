package io.ringkv.storage.lsm;

import io.ringkv.storage.Cell;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.StorageException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child JVM of {@link KillNineIT}: writes keys with {@link Durability#SYNC} from several
 * threads until it is killed, printing {@code ACK <n>} on standard output after each write is
 * acknowledged. Key n's value is a function of n, so the parent can check it after the kill.
 *
 * <p>Arguments: data directory, first key number, writer threads.
 */
public final class KillNineChild {
  private KillNineChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long first = Long.parseLong(args[1]);
    int threads = Integer.parseInt(args[2]);
    EngineOptions options =
        EngineOptions.defaults(dir).toBuilder()
            .memtableBytes(128 << 10)
            .walSegmentBytes(512 << 10)
            .valueBytesMax(64 << 10)
            .targetFileBytes(128 << 10)
            .levelBaseBytes(1 << 20)
            .level0CompactionTrigger(2)
            .build();
    LsmEngine engine = LsmEngine.open(options);
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    out.println("READY");
    out.flush();
    Thread[] writers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int offset = t;
      writers[t] =
          new Thread(
              () -> {
                for (long n = first + offset; ; n += threads) {
                  try {
                    engine.put(key(n), Cell.value(value(n), n), Durability.SYNC);
                  } catch (StorageException e) {
                    e.printStackTrace();
                    System.exit(3);
                  }
                  synchronized (out) {
                    out.println("ACK " + n);
                    out.flush();
                  }
                }
              });
      writers[t].start();
    }
    for (Thread writer : writers) {
      writer.join();
    }
  }

  static byte[] key(long n) {
    return ("key-" + n).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] value(long n) {
    byte[] value = new byte[100 + (int) (n % 400)];
    long x = n * 0x9E3779B97F4A7C15L;
    for (int i = 0; i < value.length; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      value[i] = (byte) x;
    }
    return value;
  }
}
