package io.ringkv.bench;

import io.ringkv.common.SystemClock;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.EngineStats;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A db_bench-like side-by-side benchmark of the storage engines, opened through {@link
 * StorageEngines}: our LSM engine ({@code lsm}) against RocksDB ({@code rocksdb}), with the same
 * {@link EngineOptions} for both (block cache, memtable, bloom bits, compression).
 *
 * <p>Why side by side: absolute numbers depend on the machine, the disk and the JIT; a ratio
 * measured in one run, the engines alternating workload by workload (and swapping who goes first
 * every other round), is what can be compared across machines (DESIGN.md, "Measured, not
 * asserted"). The output is a table, then one line per workload {@code ratio <workload> <lsm ops/s
 * / rocksdb ops/s>} (higher is better for ringkv), from the median over rounds.
 *
 * <p>Each workload opens its engine, runs (timed), reads the engine's counters and the bytes in its
 * directory, does any untimed upkeep (flush and compaction after fills of the read database) and
 * closes the engine, so that one engine's background work never runs during the other's timing. See
 * {@link Workload} for what each workload does.
 */
@Command(
    name = "engine-bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Runs db_bench-like workloads on the storage engines side by side and prints ratios.")
public final class EngineBench implements Callable<Integer> {
  private static final String RINGKV_ENGINE = EngineOptions.ENGINE_LSM;
  private static final String PEER_ENGINE = EngineOptions.ENGINE_ROCKSDB;

  @Option(
      names = "--num",
      description = "Operations per workload, and keys in the database (default ${DEFAULT-VALUE}).")
  long num = 1_000_000;

  @Option(names = "--key-size", description = "Key bytes (default ${DEFAULT-VALUE}).")
  int keyBytes = 16;

  @Option(names = "--value-size", description = "Value bytes (default ${DEFAULT-VALUE}).")
  int valueBytes = 100;

  @Option(
      names = "--threads",
      description = "Threads sharing each workload's operations (default ${DEFAULT-VALUE}).")
  int threads = 1;

  @Option(
      names = "--engines",
      split = ",",
      description = "Engines to run, in order (default ${DEFAULT-VALUE}).")
  List<String> engines = List.of(RINGKV_ENGINE, PEER_ENGINE);

  @Option(
      names = "--workloads",
      split = ",",
      description =
          "Workloads to run, in order (default: fillseq,fillrandom,overwrite,readrandom,"
              + "readmissing,seekrandom,readseq).")
  List<String> workloads = List.of(Workload.labels());

  @Option(
      names = "--durability",
      description =
          "Durability of every write: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE},"
              + " like db_bench's sync=false).")
  Durability durability = Durability.NONE;

  @Option(
      names = "--rounds",
      description =
          "Times to run every workload on every engine; ratios use the median"
              + " (default ${DEFAULT-VALUE}).")
  int rounds = 1;

  @Option(
      names = "--seek-nexts",
      description = "Entries read after each seek in seekrandom (default ${DEFAULT-VALUE}).")
  int seekNexts = 10;

  @Option(
      names = "--block-cache-mb",
      description = "Block cache MiB for each engine (default: the engine default).")
  Long blockCacheMiB;

  @Option(
      names = "--memtable-mb",
      description = "Memtable MiB for each engine (default: the engine default).")
  Long memtableMiB;

  @Option(
      names = "--bloom-bits",
      description = "Bloom filter bits per key (default: the engine default).")
  Integer bloomBitsPerKey;

  @Option(
      names = "--compression",
      description = "Block compression: ${COMPLETION-CANDIDATES} (default: the engine default).")
  EngineOptions.Compression compression;

  @Option(names = "--seed", description = "Seed of every random choice (default ${DEFAULT-VALUE}).")
  long seed = 301;

  @Option(
      names = "--data-dir",
      description = "Where the databases go (default: a temporary directory, deleted at the end).")
  Path dataDirectory;

  /** One workload on one engine in one round. */
  record Result(
      Workload workload,
      String engine,
      int round,
      WorkloadRunner.Measurement measurement,
      long diskBytes,
      EngineStats stats) {}

  public static void main(String[] args) {
    int exitCode =
        new CommandLine(new EngineBench())
            .setExecutionExceptionHandler(
                (exception, commandLine, parseResult) -> {
                  // An engine's operating error (say, an engine missing from this build) is a
                  // message for the user; anything else is a bug and keeps its stack trace.
                  if (exception instanceof StorageException) {
                    commandLine.getErr().println("engine-bench: " + exception.getMessage());
                  } else {
                    exception.printStackTrace(commandLine.getErr());
                  }
                  return 2;
                })
            .execute(args);
    System.exit(exitCode);
  }

  @Override
  public Integer call() throws Exception {
    List<Workload> chosen = workloads.stream().map(Workload::parse).toList();
    checkArguments();
    boolean temporary = dataDirectory == null;
    Path root = temporary ? Files.createTempDirectory("ringkv-engine-bench") : dataDirectory;
    Files.createDirectories(root);
    PrintStream out = System.out;
    printSettings(out, root);
    WorkloadRunner runner =
        new WorkloadRunner(
            new WorkloadRunner.Config(
                num, keyBytes, valueBytes, threads, durability, seekNexts, seed));
    List<Result> results = new ArrayList<>();
    Set<String> filled = new HashSet<>();
    try {
      for (int round = 1; round <= rounds; round++) {
        // Who goes first alternates by round, so that neither engine always meets a cold or
        // a warm machine first.
        List<String> order = new ArrayList<>(engines);
        if (round % 2 == 0) {
          Collections.reverse(order);
        }
        for (Workload workload : chosen) {
          for (String engine : order) {
            Result result = runOne(runner, workload, engine, round, root, filled);
            results.add(result);
            System.err.printf(
                Locale.ROOT,
                "%-11s %-8s round %d: %,.0f ops/s%n",
                workload.label(),
                engine,
                round,
                result.measurement().opsPerSecond());
          }
        }
      }
    } finally {
      if (temporary) {
        deleteRecursively(root);
      }
    }
    printTable(out, results);
    printRatios(out, chosen, results);
    return 0;
  }

  private void checkArguments() {
    if (num < 1) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--num is " + num + "; it must be >= 1");
    }
    if (threads < 1 || threads > num) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--threads is " + threads + "; it must be in [1, --num]");
    }
    if (rounds < 1) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--rounds is " + rounds + "; it must be >= 1");
    }
    if (valueBytes < 0 || seekNexts < 0) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--value-size and --seek-nexts must be >= 0");
    }
    int needed = WorkloadRunner.keyBytesNeeded(num);
    if (keyBytes < needed) {
      throw new CommandLine.ParameterException(
          new CommandLine(this),
          "--key-size is " + keyBytes + "; " + num + " keys need at least " + needed + " digits");
    }
    for (String engine : engines) {
      if (!engine.equals(RINGKV_ENGINE) && !engine.equals(PEER_ENGINE)) {
        throw new CommandLine.ParameterException(
            new CommandLine(this),
            "--engines names '" + engine + "'; known: " + RINGKV_ENGINE + ", " + PEER_ENGINE);
      }
    }
  }

  /** The options both engines get: the defaults with the flags applied, only the name differs. */
  EngineOptions options(String engine, Path directory) {
    EngineOptions defaults = EngineOptions.defaults(directory);
    EngineOptions.Builder builder =
        defaults.toBuilder()
            .engine(engine)
            .clock(SystemClock.INSTANCE)
            // Room for one key and value in a log segment, which validate() demands.
            .valueBytesMax(
                (int)
                    Math.min(
                        defaults.valueBytesMax(),
                        defaults.walSegmentBytes() - defaults.keyBytesMax()));
    if (blockCacheMiB != null) {
      builder.blockCacheBytes(blockCacheMiB << 20);
    }
    if (memtableMiB != null) {
      builder.memtableBytes(memtableMiB << 20);
    }
    if (bloomBitsPerKey != null) {
      builder.bloomBitsPerKey(bloomBitsPerKey);
    }
    if (compression != null) {
      builder.compression(compression);
    }
    return builder.build().validate();
  }

  private Result runOne(
      WorkloadRunner runner,
      Workload workload,
      String engine,
      int round,
      Path root,
      Set<String> filled)
      throws Exception {
    Path directory;
    if (workload.database == Workload.Database.FRESH) {
      directory = root.resolve(engine).resolve(workload.label());
      deleteRecursively(directory);
    } else {
      directory = root.resolve(engine).resolve("read");
      if (workload == Workload.FILLRANDOM) {
        deleteRecursively(directory);
        filled.remove(engine);
      } else if (!filled.contains(engine)) {
        // A read workload without a fillrandom before it: fill the database first, untimed.
        try (StorageEngine storage = StorageEngines.open(options(engine, directory))) {
          runner.run(Workload.FILLRANDOM, storage);
          storage.flush();
          storage.compact();
        }
        filled.add(engine);
      }
    }
    Result result;
    try (StorageEngine storage = StorageEngines.open(options(engine, directory))) {
      WorkloadRunner.Measurement measurement = runner.run(workload, storage);
      EngineStats stats = storage.stats();
      long diskBytes = directoryBytes(directory);
      result = new Result(workload, engine, round, measurement, diskBytes, stats);
      if (workload.database == Workload.Database.READ && workload.writes) {
        // Untimed: bring the read database to a steady state before the reads that follow.
        storage.flush();
        storage.compact();
      }
    }
    if (workload == Workload.FILLRANDOM) {
      filled.add(engine);
    }
    if (workload.database == Workload.Database.FRESH) {
      deleteRecursively(directory);
    }
    return result;
  }

  private void printSettings(PrintStream out, Path root) {
    EngineOptions options = options(PEER_ENGINE, root);
    out.printf(
        Locale.ROOT,
        "engine-bench: num=%,d key=%dB value=%dB threads=%d durability=%s rounds=%d seed=%d%n",
        num,
        keyBytes,
        valueBytes,
        threads,
        durability,
        rounds,
        seed);
    out.printf(
        Locale.ROOT,
        "options (both engines): block_cache=%dMiB memtable=%dMiB bloom_bits=%d compression=%s%n",
        options.blockCacheBytes() >> 20,
        options.memtableBytes() >> 20,
        options.bloomBitsPerKey(),
        options.compression());
    out.printf(
        Locale.ROOT,
        "java %s on %d cores, data in %s%n%n",
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        root);
  }

  private static void printTable(PrintStream out, List<Result> results) {
    String header =
        String.format(
            Locale.ROOT,
            "%-11s %-8s %5s %12s %12s %9s %9s %10s %6s %12s",
            "workload",
            "engine",
            "round",
            "ops",
            "ops/s",
            "p50 us",
            "p99 us",
            "disk MiB",
            "w-amp",
            "found");
    out.println(header);
    out.println("-".repeat(header.length()));
    for (Result result : results) {
      WorkloadRunner.Measurement m = result.measurement();
      out.printf(
          Locale.ROOT,
          "%-11s %-8s %5d %12d %12.0f %9.2f %9.2f %10.1f %6s %12s%n",
          result.workload().label(),
          result.engine(),
          result.round(),
          m.ops(),
          m.opsPerSecond(),
          m.latencyNanos().getValueAtPercentile(50) / 1_000.0,
          m.latencyNanos().getValueAtPercentile(99) / 1_000.0,
          result.diskBytes() / (double) (1 << 20),
          result.workload().writes
              ? String.format(Locale.ROOT, "%.2f", result.stats().writeAmplification())
              : "-",
          result.workload().writes ? "-" : Long.toString(m.found()));
    }
    out.println();
  }

  /** One line per workload run on both engines: ringkv ops/s over rocksdb ops/s, medians. */
  private static void printRatios(PrintStream out, List<Workload> chosen, List<Result> results) {
    boolean any = false;
    for (Workload workload : chosen) {
      double ringkv = medianOpsPerSecond(results, workload, RINGKV_ENGINE);
      double peer = medianOpsPerSecond(results, workload, PEER_ENGINE);
      if (ringkv > 0 && peer > 0) {
        out.printf(Locale.ROOT, "ratio %s %.2f%n", workload.label(), ringkv / peer);
        any = true;
      }
    }
    if (!any) {
      out.println(
          "# no ratios: they need both engines (--engines "
              + RINGKV_ENGINE
              + ","
              + PEER_ENGINE
              + ")");
    }
  }

  private static double medianOpsPerSecond(List<Result> results, Workload workload, String engine) {
    double[] values =
        results.stream()
            .filter(r -> r.workload() == workload && r.engine().equals(engine))
            .mapToDouble(r -> r.measurement().opsPerSecond())
            .sorted()
            .toArray();
    if (values.length == 0) {
      return 0;
    }
    int middle = values.length / 2;
    return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
  }

  /** Bytes of the regular files under {@code directory}. */
  private static long directoryBytes(Path directory) throws IOException {
    // A background compaction may delete a file while we walk; walking again sees the new state.
    for (int attempt = 1; ; attempt++) {
      try (Stream<Path> files = Files.walk(directory)) {
        return files.filter(Files::isRegularFile).mapToLong(EngineBench::sizeOrZero).sum();
      } catch (UncheckedIOException e) {
        if (attempt == 5) {
          throw e.getCause();
        }
      }
    }
  }

  private static long sizeOrZero(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      // Deleted since it was listed: it no longer takes space.
      return 0;
    }
  }

  private static void deleteRecursively(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              path -> {
                try {
                  Files.delete(path);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
