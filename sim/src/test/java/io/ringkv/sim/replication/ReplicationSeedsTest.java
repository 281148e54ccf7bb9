package io.ringkv.sim.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.sim.SimTime;
import io.ringkv.sim.Trace;
import io.ringkv.sim.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The replication simulation of issue 6 over many seeds (see docs/design/simulator.md): the seeds
 * that ever failed first, then {@value #SEEDS_DEFAULT} fresh ones ({@code -Dsim.replication.seeds=}
 * for more, {@code -Dsim.replication.seedBase=} to start elsewhere than 1; {@code
 * -Dringkv.long=true} runs {@value #SEEDS_LONG}). Every {@value #TWICE_EVERY}th seed runs twice and
 * must give the same trace hash. {@code -Dsim.replication.seed=} replays one seed, printing its
 * whole trace; {@code -Dsim.replication.verbose=true} prints every seed's figures rather than every
 * {@value #PRINT_EVERY}th. Seeds run on two threads ({@code -Dsim.replication.threads=}); each run
 * is single-threaded and deterministic, and the results are reported in seed order.
 *
 * <p>A failing seed prints the command that replays it, its plan, its violations and the tail of
 * its trace; add it to {@link #REGRESSION_SEEDS} with a comment once the cause is fixed.
 */
class ReplicationSeedsTest {
  /** Seeds that once failed, run first whatever the settings; each names what it caught. */
  static final long[] REGRESSION_SEEDS = {
    1599, // ReadCoordination took a late digest answer for the full cell during read repair: a
    // QUORUM read older than an acknowledged write and than an earlier QUORUM read (found first as
    // seed 663, before the plan drew more)
    1973, // the same
    9608, // the same
    1352, // checker: a tombstone matched to a later unanswered delete, not one sent before the read
    8966, // checker: backward clock jumps compound (two of 9 s held a refusal's conviction 23 s)
  };

  static final int SEEDS_DEFAULT = 1_000;
  static final int SEEDS_LONG = 10_000;
  static final int TWICE_EVERY = 50;
  static final int PRINT_EVERY = 100;
  static final int TAIL_LINES_PRINTED = 60;

  @Test
  void seeds_regressionListThenFreshSeeds_noViolationsAndReplaysMatch() {
    String replay = System.getProperty("sim.replication.seed");
    if (replay != null && !replay.isBlank()) {
      replayOne(Long.decode(replay.trim()));
      return;
    }
    int count =
        Integer.getInteger(
            "sim.replication.seeds",
            Boolean.getBoolean("ringkv.long") ? SEEDS_LONG : SEEDS_DEFAULT);
    long base = Long.getLong("sim.replication.seedBase", 1L);
    boolean verbose = Boolean.getBoolean("sim.replication.verbose");
    List<Long> seeds = new ArrayList<>();
    for (long seed : REGRESSION_SEEDS) {
      seeds.add(seed);
    }
    for (long i = 0; i < count; i++) {
      seeds.add(base + i);
    }

    Summary summary = new Summary();
    List<String> failures = new ArrayList<>();
    long started = System.nanoTime();
    int threads =
        Integer.getInteger(
            "sim.replication.threads", Math.min(2, Runtime.getRuntime().availableProcessors()));
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    List<Future<Outcome>> outcomes = new ArrayList<>();
    for (int i = 0; i < seeds.size(); i++) {
      long seed = seeds.get(i);
      boolean twice = i % TWICE_EVERY == 0;
      outcomes.add(executor.submit(() -> Outcome.of(seed, twice)));
    }
    executor.shutdown();
    for (int i = 0; i < seeds.size(); i++) {
      long seed = seeds.get(i);
      Outcome outcome = get(outcomes.get(i));
      ReplicationResult result = outcome.result();
      summary.add(result);
      boolean twice = outcome.replayHash() != null;
      if (twice) {
        summary.replays++;
        String again = outcome.replayHash();
        if (!again.equals(result.traceHash())) {
          failures.add(
              seed + ": trace hash " + again + " on replay, " + result.traceHash() + " first");
          System.out.println(
              "replication seed "
                  + seed
                  + " NOT DETERMINISTIC: "
                  + result.traceHash()
                  + " then "
                  + again);
        }
      }
      if (!result.passed()) {
        failures.add(
            seed + ": " + result.violations().get(0).message().lines().findFirst().orElse(""));
        printFailure(result);
      } else if (i % PRINT_EVERY == 0 || verbose) {
        System.out.println(
            "replication seed "
                + seed
                + (twice ? " (twice, same hash)" : "")
                + ": "
                + result.plan()
                + "\n  "
                + result.figures().describe());
      }
    }
    long elapsed = System.nanoTime() - started;
    System.out.println(summary.describe(seeds.size(), failures.size(), elapsed));
    assertThat(failures).as("failing seeds (replay each with the command printed above)").isEmpty();
    assertThat(summary.lost).as("acknowledged writes lost where data could not be lost").isZero();
  }

  /** A run, and the hash of its replay if it was run twice (each run on its own thread). */
  private record Outcome(ReplicationResult result, String replayHash) {
    static Outcome of(long seed, boolean twice) {
      ReplicationResult result = ReplicationRun.run(seed);
      return new Outcome(result, twice ? ReplicationRun.run(seed).traceHash() : null);
    }
  }

  private static Outcome get(Future<Outcome> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a run threw outside the simulation", e.getCause());
    }
  }

  private static void replayOne(long seed) {
    System.out.println("replication replay of seed " + seed + ", every trace line follows");
    ReplicationResult result = ReplicationRun.run(seed, new Trace(System.out::println));
    System.out.println("plan: " + result.plan());
    System.out.println("figures: " + result.figures().describe());
    result.violations().forEach(violation -> System.out.println("VIOLATION " + violation));
    String again = ReplicationRun.run(seed).traceHash();
    System.out.println("trace hash " + result.traceHash() + ", on replay " + again);
    assertThat(again).as("the same seed gives the same trace").isEqualTo(result.traceHash());
    assertThat(result.violations()).as("violations of seed %d", seed).isEmpty();
  }

  /** The command that replays {@code seed} alone, with every trace line. */
  static String replayCommand(long seed) {
    return "mvn -B -pl sim -am verify -Dsim.replication.seed="
        + seed
        + " -Dtest=ReplicationSeedsTest -Dsurefire.failIfNoSpecifiedTests=false";
  }

  private static void printFailure(ReplicationResult result) {
    StringBuilder out = new StringBuilder();
    out.append("replication seed ")
        .append(result.seed())
        .append(" FAILED; replay: ")
        .append(replayCommand(result.seed()))
        .append('\n');
    out.append("  plan: ").append(result.plan()).append('\n');
    out.append("  figures: ").append(result.figures().describe()).append('\n');
    for (Violation violation : result.violations()) {
      out.append("  VIOLATION ").append(violation).append('\n');
    }
    List<String> tail = result.traceTail();
    out.append("  last ")
        .append(Math.min(TAIL_LINES_PRINTED, tail.size()))
        .append(" trace lines:\n");
    for (String line : tail.subList(Math.max(0, tail.size() - TAIL_LINES_PRINTED), tail.size())) {
      out.append("    ").append(line).append('\n');
    }
    System.out.print(out);
  }

  /** Figures over all seeds. */
  private static final class Summary {
    long runs;
    long replays;
    long violations;
    long operations;
    long acknowledged;
    long lost;
    long lostWhereLossPossible;
    long indeterminate;
    long notAttempted;
    long unavailable;
    long timedOut;
    long sessionReads;
    long quiet;
    long readRepairs;
    long repairWrites;
    long speculative;
    long standIns;
    long hintsStored;
    long hintsDelivered;
    long hintsNotKept;
    long hintsExpired;
    long drainedMax;
    long messages;
    long crashes;
    long freezes;
    long lenient;
    long simulatedNanos;

    void add(ReplicationResult result) {
      ReplicationFigures f = result.figures();
      runs++;
      violations += result.violations().size();
      operations += f.operations();
      acknowledged += f.acknowledged();
      if (f.strict()) {
        lost += f.lost();
      } else {
        lostWhereLossPossible += f.lost();
      }
      indeterminate += f.indeterminate();
      notAttempted += f.notAttempted();
      unavailable += f.unavailable();
      timedOut += f.timedOut();
      sessionReads += f.sessionReadsJudged();
      quiet += f.quietOperations();
      readRepairs += f.readRepairs();
      repairWrites += f.repairWrites();
      speculative += f.speculativeReads();
      standIns += f.standInWrites();
      hintsStored += f.hintsStored();
      hintsDelivered += f.hintsDelivered();
      hintsNotKept += f.hintsNotKept();
      hintsExpired += f.hintsExpired();
      drainedMax = Math.max(drainedMax, f.hintsDrainedNanos());
      messages += f.messages();
      crashes += f.crashes();
      freezes += f.freezes();
      lenient += f.strict() ? 0 : 1;
      simulatedNanos += f.simulatedNanos();
    }

    String describe(int seeds, int failingSeeds, long elapsedNanos) {
      return String.format(
          Locale.ROOT,
          "replication summary: %d seeds (%d run twice, same hashes), %d failing, %d violations;"
              + " %d operations, %d acknowledged writes, %d writes lost, %d indeterminate writes,"
              + " %d not attempted; %d unavailable, %d timed out; %d session reads judged,"
              + " %d operations in quiet windows; %d read repairs (%d repair writes),"
              + " %d speculative reads, %d stand-in writes; hints %d stored, %d delivered,"
              + " %d not kept, %d expired, max drain after healing %s; %.1f h simulated,"
              + " %d messages, %d crashes, %d freezes; %d runs where data loss was possible"
              + " (nodes without SYNC lost power: loss and session checks counted only, %d writes"
              + " not read back there); took %.1f s",
          seeds,
          replays,
          failingSeeds,
          violations,
          operations,
          acknowledged,
          lost,
          indeterminate,
          notAttempted,
          unavailable,
          timedOut,
          sessionReads,
          quiet,
          readRepairs,
          repairWrites,
          speculative,
          standIns,
          hintsStored,
          hintsDelivered,
          hintsNotKept,
          hintsExpired,
          SimTime.formatShort(drainedMax),
          simulatedNanos / 3.6e12,
          messages,
          crashes,
          freezes,
          lenient,
          lostWhereLossPossible,
          elapsedNanos / 1e9);
    }
  }
}
