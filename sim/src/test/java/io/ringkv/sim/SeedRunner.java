package io.ringkv.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * Runs one simulator over many seeds, the machinery its seed test would otherwise repeat: the
 * regression seeds first, then {@value #SEEDS_DEFAULT} fresh ones ({@code -D<prefix>.seeds=} for
 * more, {@code -D<prefix>.seedBase=} to start elsewhere than 1; {@code -Dringkv.long=true} runs
 * {@value #SEEDS_LONG}). Every {@value #TWICE_EVERY}th seed runs twice and must give the same trace
 * hash. {@code -D<prefix>.seed=} replays one seed, printing its whole trace; {@code
 * -D<prefix>.verbose=true} prints every seed's figures rather than every {@value #PRINT_EVERY}th.
 * With {@link #onThreads}, seeds run on {@code -D<prefix>.threads=} threads; each run is
 * single-threaded and deterministic, and the results are reported in seed order.
 *
 * <p>It lives in the test tree, not in main: it reads system properties, prints, times itself, runs
 * threads and asserts with AssertJ, none of which the deterministic simulator may do.
 *
 * <p>Not thread-safe: one test builds and runs it.
 *
 * @param <R> the simulator's result
 */
public final class SeedRunner<R extends SeedResult> {
  public static final int SEEDS_DEFAULT = 1_000;
  public static final int SEEDS_LONG = 10_000;
  public static final int TWICE_EVERY = 50;
  public static final int PRINT_EVERY = 100;

  /**
   * Figures over all seeds, printed as the last line between what every runner counts (seeds,
   * replays, failing seeds, violations) and the time taken.
   */
  public interface Summary<R> {
    void add(R result);

    /** The simulator's own figures over the seeds added, in one line's middle. */
    String describe();
  }

  private final String propertyPrefix;
  private final String label;
  private final String testClass;
  private final long[] regressionSeeds;
  private final LongFunction<R> run;
  private final BiFunction<Long, Trace, R> tracedRun;
  private int tailLinesPrinted = 60;
  private int threadsDefault = 0;
  private int seedsDefault = SEEDS_DEFAULT;
  private Function<Violation, String> failureText = Violation::message;
  private Function<R, List<String>> replayNotes = result -> List.of();

  /**
   * @param propertyPrefix the flags' prefix: {@code sim} reads {@code -Dsim.seed=} and so on
   * @param label the output lines' first words ({@code "<label> seed 5: ..."})
   * @param testClass the seed test's simple name, for the replay command
   * @param regressionSeeds seeds that once failed, run first whatever the settings
   * @param run runs one seed
   * @param tracedRun runs one seed, every trace line to the given trace
   */
  public SeedRunner(
      String propertyPrefix,
      String label,
      String testClass,
      long[] regressionSeeds,
      LongFunction<R> run,
      BiFunction<Long, Trace, R> tracedRun) {
    this.propertyPrefix = propertyPrefix;
    this.label = label;
    this.testClass = testClass;
    this.regressionSeeds = regressionSeeds.clone();
    this.run = run;
    this.tracedRun = tracedRun;
  }

  /**
   * How many fresh seeds run without {@code -D<prefix>.seeds=} ({@value #SEEDS_DEFAULT} unless
   * set): for a simulator whose seeds cost more, so that {@code mvn verify} stays quick.
   */
  public SeedRunner<R> seedsDefault(int seeds) {
    this.seedsDefault = seeds;
    return this;
  }

  /** How many of a failing run's last trace lines to print (60 unless set). */
  public SeedRunner<R> tailLinesPrinted(int lines) {
    this.tailLinesPrinted = lines;
    return this;
  }

  /**
   * Runs seeds on {@code -D<prefix>.threads=} threads, {@code min(threadsDefault, processors)}
   * unless set; without this call they run one after another on the test's thread.
   */
  public SeedRunner<R> onThreads(int threadsDefault) {
    this.threadsDefault = threadsDefault;
    return this;
  }

  /** How a failing seed's first violation is named in the failure list (its message unless set). */
  public SeedRunner<R> failureText(Function<Violation, String> text) {
    this.failureText = text;
    return this;
  }

  /** Lines a replay prints after the figures, before the violations (none unless set). */
  public SeedRunner<R> replayNotes(Function<R, List<String>> notes) {
    this.replayNotes = notes;
    return this;
  }

  /**
   * Replays {@code -D<prefix>.seed=} if given, otherwise runs the regression and fresh seeds into
   * {@code summary}, prints it and asserts that no seed failed.
   */
  public void run(Summary<R> summary) {
    String replay = System.getProperty(propertyPrefix + ".seed");
    if (replay != null && !replay.isBlank()) {
      replayOne(Long.decode(replay.trim()));
      return;
    }
    int count =
        Integer.getInteger(
            propertyPrefix + ".seeds",
            Boolean.getBoolean("ringkv.long") ? SEEDS_LONG : seedsDefault);
    long base = Long.getLong(propertyPrefix + ".seedBase", 1L);
    boolean verbose = Boolean.getBoolean(propertyPrefix + ".verbose");
    List<Long> seeds = new ArrayList<>();
    for (long seed : regressionSeeds) {
      seeds.add(seed);
    }
    for (long i = 0; i < count; i++) {
      seeds.add(base + i);
    }

    long replays = 0;
    long violations = 0;
    List<String> failures = new ArrayList<>();
    long started = System.nanoTime();
    List<Future<Outcome<R>>> outcomes = threadsDefault > 0 ? submitAll(seeds) : null;
    for (int i = 0; i < seeds.size(); i++) {
      long seed = seeds.get(i);
      boolean twice = i % TWICE_EVERY == 0;
      Outcome<R> outcome = outcomes != null ? get(outcomes.get(i)) : outcome(seed, twice);
      R result = outcome.result();
      summary.add(result);
      violations += result.violations().size();
      if (twice) {
        replays++;
        String again = outcome.replayHash();
        if (!again.equals(result.traceHash())) {
          failures.add(
              seed + ": trace hash " + again + " on replay, " + result.traceHash() + " first");
          System.out.println(
              label
                  + " seed "
                  + seed
                  + " NOT DETERMINISTIC: "
                  + result.traceHash()
                  + " then "
                  + again);
        }
      }
      if (!result.passed()) {
        failures.add(
            seed
                + ": "
                + failureText.apply(result.violations().get(0)).lines().findFirst().orElse(""));
        printFailure(result);
      } else if (i % PRINT_EVERY == 0 || verbose) {
        System.out.println(
            label
                + " seed "
                + seed
                + (twice ? " (twice, same hash)" : "")
                + ": "
                + result.plan()
                + "\n  "
                + result.describeFigures());
      }
    }
    long elapsed = System.nanoTime() - started;
    System.out.println(
        String.format(
            Locale.ROOT,
            "%s summary: %d seeds (%d run twice, same hashes), %d failing, %d violations; %s;"
                + " took %.1f s",
            label,
            seeds.size(),
            replays,
            failures.size(),
            violations,
            summary.describe(),
            elapsed / 1e9));
    assertThat(failures).as("failing seeds (replay each with the command printed above)").isEmpty();
  }

  /** The command that replays {@code seed} alone, with every trace line. */
  public String replayCommand(long seed) {
    return "mvn -B -pl sim -am verify -D"
        + propertyPrefix
        + ".seed="
        + seed
        + " -Dtest="
        + testClass
        + " -Dsurefire.failIfNoSpecifiedTests=false";
  }

  /** A run, and the hash of its replay if it was run twice. */
  private record Outcome<R>(R result, String replayHash) {}

  private Outcome<R> outcome(long seed, boolean twice) {
    R result = run.apply(seed);
    return new Outcome<>(result, twice ? run.apply(seed).traceHash() : null);
  }

  private List<Future<Outcome<R>>> submitAll(List<Long> seeds) {
    int threads =
        Integer.getInteger(
            propertyPrefix + ".threads",
            Math.min(threadsDefault, Runtime.getRuntime().availableProcessors()));
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    List<Future<Outcome<R>>> outcomes = new ArrayList<>();
    for (int i = 0; i < seeds.size(); i++) {
      long seed = seeds.get(i);
      boolean twice = i % TWICE_EVERY == 0;
      outcomes.add(executor.submit(() -> outcome(seed, twice)));
    }
    executor.shutdown();
    return outcomes;
  }

  private static <T> T get(Future<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a run threw outside the simulation", e.getCause());
    }
  }

  private void replayOne(long seed) {
    System.out.println(label + " replay of seed " + seed + ", every trace line follows");
    R result = tracedRun.apply(seed, new Trace(System.out::println));
    System.out.println("plan: " + result.plan());
    System.out.println("figures: " + result.describeFigures());
    replayNotes.apply(result).forEach(System.out::println);
    result.violations().forEach(violation -> System.out.println("VIOLATION " + violation));
    String again = run.apply(seed).traceHash();
    System.out.println("trace hash " + result.traceHash() + ", on replay " + again);
    assertThat(again).as("the same seed gives the same trace").isEqualTo(result.traceHash());
    assertThat(result.violations()).as("violations of seed %d", seed).isEmpty();
  }

  private void printFailure(R result) {
    StringBuilder out = new StringBuilder();
    out.append(label)
        .append(" seed ")
        .append(result.seed())
        .append(" FAILED; replay: ")
        .append(replayCommand(result.seed()))
        .append('\n');
    out.append("  plan: ").append(result.plan()).append('\n');
    out.append("  figures: ").append(result.describeFigures()).append('\n');
    for (Violation violation : result.violations()) {
      out.append("  VIOLATION ").append(violation).append('\n');
    }
    List<String> tail = result.traceTail();
    out.append("  last ").append(Math.min(tailLinesPrinted, tail.size())).append(" trace lines:\n");
    for (String line : tail.subList(Math.max(0, tail.size() - tailLinesPrinted), tail.size())) {
      out.append("    ").append(line).append('\n');
    }
    System.out.print(out);
  }
}
