package io.ringkv.bench;

import io.ringkv.common.Rng;
import io.ringkv.storage.Cell;
import io.ringkv.storage.CellIterator;
import io.ringkv.storage.Durability;
import io.ringkv.storage.KeyRange;
import io.ringkv.storage.ScanMode;
import io.ringkv.storage.StorageEngine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.HdrHistogram.Histogram;

/**
 * Runs one {@link Workload} on one open engine with {@code threads} threads and measures it: wall
 * time from the moment all threads are released to the moment the last one ends, and the latency of
 * every operation in an HdrHistogram.
 *
 * <p>Keys are {@code keyBytes} ASCII decimal digits, zero-padded (db_bench's format): stored key
 * number {@code i} is the number {@code 2i}, and the keys {@link Workload#READMISSING} looks for
 * are the odd numbers between them, so misses interleave with hits instead of all sorting past the
 * end. Values are {@code valueBytes} random bytes copied from a per-thread pool. Every random
 * choice comes from a {@link Rng} seeded from {@code seed}, the workload and the thread, so both
 * engines see the same keys in the same order.
 *
 * <p>Each write allocates its key and value: the engine may keep them (the API does not copy).
 * Reads reuse one key array per thread.
 */
final class WorkloadRunner {
  /** Latencies above an hour are clamped; nothing in a benchmark should take that long. */
  private static final long LATENCY_NANOS_MAX = 3_600_000_000_000L;

  private static final int VALUE_POOL_BYTES = 1 << 20;

  /** What the runner is asked to do. */
  record Config(
      long num,
      int keyBytes,
      int valueBytes,
      int threads,
      Durability durability,
      int seekNexts,
      long seed) {}

  /**
   * What one run measured.
   *
   * @param ops operations done
   * @param elapsedNanos wall time of the timed part
   * @param latencyNanos every operation's latency
   * @param found reads that found a cell (point reads), seeks that found at least one entry, or
   *     entries read (readseq); 0 for writes
   */
  record Measurement(long ops, long elapsedNanos, Histogram latencyNanos, long found) {
    double opsPerSecond() {
      return elapsedNanos == 0 ? 0 : ops * 1e9 / elapsedNanos;
    }
  }

  private final Config config;

  /** Stored key numbers in the order {@link Workload#FILLRANDOM} writes them. */
  private final int[] fillOrder;

  WorkloadRunner(Config config) {
    this.config = config;
    if (config.num() > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("--num must be below " + (Integer.MAX_VALUE - 8));
    }
    this.fillOrder = shuffledKeyNumbers((int) config.num(), new Rng(config.seed()));
  }

  /** The smallest key size that holds every key number of {@code num} keys. */
  static int keyBytesNeeded(long num) {
    return Long.toString(2 * num + 1).length();
  }

  /** Runs {@code workload} on {@code engine} and returns what it measured. */
  Measurement run(Workload workload, StorageEngine engine) throws Exception {
    int threads = config.threads();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    Histogram[] histograms = new Histogram[threads];
    long[] found = new long[threads];
    long[] ops = new long[threads];
    Exception[] failures = new Exception[threads];
    for (int t = 0; t < threads; t++) {
      int thread = t;
      histograms[t] = new Histogram(LATENCY_NANOS_MAX, 3);
      Thread worker =
          new Thread(
              () -> {
                try {
                  start.await();
                  long[] result = runThread(workload, engine, thread, histograms[thread]);
                  ops[thread] = result[0];
                  found[thread] = result[1];
                } catch (Exception e) {
                  failures[thread] = e;
                }
              },
              "bench-" + workload.label() + "-" + t);
      workers.add(worker);
      worker.start();
    }
    long startNanos = System.nanoTime();
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }
    long elapsedNanos = System.nanoTime() - startNanos;
    for (Exception failure : failures) {
      if (failure != null) {
        throw failure;
      }
    }
    Histogram total = new Histogram(LATENCY_NANOS_MAX, 3);
    for (Histogram histogram : histograms) {
      total.add(histogram);
    }
    return new Measurement(
        Arrays.stream(ops).sum(), elapsedNanos, total, Arrays.stream(found).sum());
  }

  /** One thread's share: operations {@code [from, to)} of the workload. Returns {ops, found}. */
  private long[] runThread(Workload workload, StorageEngine engine, int thread, Histogram latency)
      throws Exception {
    long num = config.num();
    long from = num * thread / config.threads();
    long to = num * (thread + 1) / config.threads();
    Rng rng =
        new Rng(config.seed() ^ (0x9E3779B97F4A7C15L * (workload.ordinal() * 1_000L + thread + 1)));
    byte[] valuePool = new byte[VALUE_POOL_BYTES + config.valueBytes()];
    rng.nextBytes(valuePool);
    byte[] readKey = new byte[config.keyBytes()];
    Durability durability = config.durability();
    long found = 0;
    long ops = 0;
    switch (workload) {
      case FILLSEQ, FILLRANDOM, OVERWRITE -> {
        for (long i = from; i < to; i++) {
          long keyNumber =
              switch (workload) {
                case FILLSEQ -> i;
                case FILLRANDOM -> fillOrder[(int) i];
                default -> rng.nextLong(num);
              };
          byte[] key = new byte[config.keyBytes()];
          writeKey(key, 2 * keyNumber);
          int offset = rng.nextInt(VALUE_POOL_BYTES);
          byte[] value = Arrays.copyOfRange(valuePool, offset, offset + config.valueBytes());
          Cell cell = Cell.value(value, i);
          long began = System.nanoTime();
          engine.put(key, cell, durability);
          record(latency, System.nanoTime() - began);
        }
        ops = to - from;
      }
      case READRANDOM, READMISSING -> {
        long parity = workload == Workload.READRANDOM ? 0 : 1;
        for (long i = from; i < to; i++) {
          writeKey(readKey, 2 * rng.nextLong(num) + parity);
          long began = System.nanoTime();
          Cell cell = engine.get(readKey);
          record(latency, System.nanoTime() - began);
          if (cell != null) {
            found++;
          }
        }
        ops = to - from;
      }
      case SEEKRANDOM -> {
        KeyRange range = new KeyRange(readKey, null);
        for (long i = from; i < to; i++) {
          writeKey(readKey, 2 * rng.nextLong(num));
          long began = System.nanoTime();
          int read = 0;
          try (CellIterator iterator = engine.scan(range, ScanMode.LIVE)) {
            while (read < config.seekNexts() && iterator.hasNext()) {
              iterator.next();
              read++;
            }
          }
          record(latency, System.nanoTime() - began);
          if (read > 0) {
            found++;
          }
        }
        ops = to - from;
      }
      case READSEQ -> {
        byte[] first = new byte[config.keyBytes()];
        writeKey(first, 2 * from);
        byte[] end = null;
        if (to < num) {
          end = new byte[config.keyBytes()];
          writeKey(end, 2 * to);
        }
        try (CellIterator iterator = engine.scan(new KeyRange(first, end), ScanMode.LIVE)) {
          while (true) {
            long began = System.nanoTime();
            if (!iterator.hasNext()) {
              break;
            }
            iterator.next();
            record(latency, System.nanoTime() - began);
            ops++;
          }
        }
        found = ops;
      }
    }
    return new long[] {ops, found};
  }

  private static void record(Histogram histogram, long nanos) {
    histogram.recordValue(Math.min(nanos, LATENCY_NANOS_MAX));
  }

  /** Writes {@code number} as zero-padded decimal digits filling {@code key}. */
  static void writeKey(byte[] key, long number) {
    for (int i = key.length - 1; i >= 0; i--) {
      key[i] = (byte) ('0' + number % 10);
      number /= 10;
    }
    if (number != 0) {
      throw new IllegalArgumentException("key number does not fit in " + key.length + " digits");
    }
  }

  /** {@code 0 .. n-1} in a random order (Fisher-Yates). */
  private static int[] shuffledKeyNumbers(int n, Rng rng) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }
}
