package io.ringkv.bench;

import io.ringkv.cluster.replication.LocalReplica;
import io.ringkv.cluster.replication.ReplicaReply;
import io.ringkv.cluster.replication.ReplicaRequest;
import io.ringkv.cluster.version.Actor;
import io.ringkv.cluster.version.CausalCells;
import io.ringkv.cluster.version.CausalOperation;
import io.ringkv.cluster.version.DvvSet;
import io.ringkv.common.Rng;
import io.ringkv.common.SystemClock;
import io.ringkv.storage.Cell;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The write-path cost of causal mode against last-write-wins on one replica (issue 7), on the LSM
 * engine through {@link LocalReplica}, the code a replica runs for every write:
 *
 * <ul>
 *   <li>{@code lww}: {@code apply} of an LWW cell (read the key, keep the newer, write);
 *   <li>{@code causal-dot}: a blind causal write at the dot replica ({@code CausalUpdate}: read,
 *       decode, update the DVV set, encode, write);
 *   <li>{@code causal-join}: {@code apply} of a causal cell another dot replica made (read, decode
 *       both, join, encode, write), what every other replica, read repair and hints do.
 * </ul>
 *
 * Each workload writes {@code --num} values to keys drawn uniformly from {@code --num / 2} keys
 * (half the writes overwrite), on a fresh engine, durability NONE (the engine's fsync is not what
 * is compared). The workloads alternate within a round and swap order every other round; the table
 * shows the median ops/s, then {@code ratio <workload> <ops/s / lww ops/s>} lines.
 */
@Command(
    name = "replica-write-bench",
    mixinStandardHelpOptions = true,
    description = "Compares a replica's write path in causal mode with last-write-wins.")
public final class ReplicaWriteBench implements Callable<Integer> {
  private static final List<String> WORKLOADS = List.of("lww", "causal-dot", "causal-join");

  @Option(names = "--num", description = "Writes per workload (default ${DEFAULT-VALUE}).")
  int num = 200_000;

  @Option(names = "--value-size", description = "Value bytes (default ${DEFAULT-VALUE}).")
  int valueBytes = 100;

  @Option(
      names = "--rounds",
      description = "Rounds; the median is shown (default ${DEFAULT-VALUE}).")
  int rounds = 3;

  @Option(names = "--seed", description = "Seed of the keys and values (default ${DEFAULT-VALUE}).")
  long seed = 1;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ReplicaWriteBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (num < 2 || valueBytes < 1 || rounds < 1) {
      throw new CommandLine.ParameterException(
          new CommandLine(this),
          "--num must be >= 2, --value-size and --rounds >= 1; were "
              + num
              + ", "
              + valueBytes
              + ", "
              + rounds);
    }
    PrintStream out = System.out;
    out.printf(
        Locale.ROOT,
        "replica write path: %,d writes over %,d keys, %d-byte values, %d rounds, durability NONE%n",
        num,
        num / 2,
        valueBytes,
        rounds);
    Inputs inputs = new Inputs(num, valueBytes, seed);
    List<List<Double>> opsPerSecond = new ArrayList<>();
    for (int w = 0; w < WORKLOADS.size(); w++) {
      opsPerSecond.add(new ArrayList<>());
    }
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < WORKLOADS.size(); i++) {
        int w = round % 2 == 0 ? i : WORKLOADS.size() - 1 - i;
        opsPerSecond.get(w).add(run(WORKLOADS.get(w), inputs));
      }
    }
    out.printf(Locale.ROOT, "%-12s %14s%n", "workload", "ops/s (median)");
    double[] medians = new double[WORKLOADS.size()];
    for (int w = 0; w < WORKLOADS.size(); w++) {
      List<Double> sorted = new ArrayList<>(opsPerSecond.get(w));
      sorted.sort(Comparator.naturalOrder());
      medians[w] = sorted.get(sorted.size() / 2);
      out.printf(Locale.ROOT, "%-12s %,14.0f%n", WORKLOADS.get(w), medians[w]);
    }
    for (int w = 1; w < WORKLOADS.size(); w++) {
      out.printf(Locale.ROOT, "ratio %s %.2f%n", WORKLOADS.get(w), medians[w] / medians[0]);
    }
    return 0;
  }

  /** Keys, values and the causal cells a remote dot replica would send, made before timing. */
  private static final class Inputs {
    final byte[][] keys;
    final byte[][] values;
    final Cell[] remoteCells;

    Inputs(int num, int valueBytes, long seed) {
      Rng rng = new Rng(seed);
      int keyCount = num / 2;
      keys = new byte[num][];
      values = new byte[num][];
      remoteCells = new Cell[num];
      DvvSet[] remote = new DvvSet[keyCount];
      Actor remoteActor = Actor.of("remote", 0);
      for (int i = 0; i < num; i++) {
        int k = rng.nextInt(keyCount);
        keys[i] =
            String.format(Locale.ROOT, "key%013d", k)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        values[i] = new byte[valueBytes];
        rng.nextBytes(values[i]);
        DvvSet state = remote[k] == null ? DvvSet.empty() : remote[k];
        remote[k] = state.update(null, remoteActor, 1_000L + i, values[i]);
        remoteCells[i] = CausalCells.registerCell(remote[k]);
      }
    }
  }

  private double run(String workload, Inputs inputs) throws Exception {
    Path directory = Files.createTempDirectory("ringkv-replica-write-bench");
    try {
      EngineOptions options =
          EngineOptions.defaults(directory).toBuilder().clock(SystemClock.INSTANCE).build();
      try (StorageEngine engine = StorageEngines.open(options)) {
        LocalReplica replica =
            new LocalReplica(
                engine,
                Durability.NONE,
                (target, key, cell, now) -> false,
                () -> 0L,
                LocalReplica.DEFAULT_SCAN_REPLY_BYTES_MAX,
                Actor.of("local", 0),
                DvvSet.SIBLINGS_MAX_DEFAULT,
                CausalCells.OBJECT_BYTES_MAX_DEFAULT);
        long start = System.nanoTime();
        for (int i = 0; i < inputs.keys.length; i++) {
          switch (workload) {
            case "lww" -> replica.apply(inputs.keys[i], Cell.value(inputs.values[i], 1_000L + i));
            case "causal-dot" -> {
              ReplicaReply reply =
                  replica.handle(
                      new ReplicaRequest.CausalUpdate(
                          inputs.keys[i],
                          new CausalOperation.Put(null, inputs.values[i]),
                          1_000L + i));
              if (!(reply instanceof ReplicaReply.CausalApplied)) {
                throw new IllegalStateException("a blind causal write was refused: " + reply);
              }
            }
            case "causal-join" -> replica.apply(inputs.keys[i], inputs.remoteCells[i]);
            default -> throw new IllegalArgumentException("unknown workload " + workload);
          }
        }
        long nanos = System.nanoTime() - start;
        return inputs.keys.length * 1e9 / nanos;
      }
    } finally {
      deleteRecursively(directory);
    }
  }

  private static void deleteRecursively(Path directory) throws IOException {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
