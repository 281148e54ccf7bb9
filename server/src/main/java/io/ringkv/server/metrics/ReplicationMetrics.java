package io.ringkv.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.ringkv.common.ConsistencyLevel;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The replication coordinator's metrics: requests and latency per operation, consistency level and
 * outcome ({@code ringkv_replication_requests_seconds}, a histogram), and counters of what the
 * protocol did: unavailable and timed-out requests, digest mismatches, read-repair writes,
 * speculative retries, hints stored, delivered and dropped (repair debt), pending hint bytes; and
 * for causal keyspaces the writes the dot replica refused by reason ({@code
 * ringkv_causal_refusals_total{reason}}) and how many siblings causal register reads saw ({@code
 * ringkv_causal_read_siblings}, a histogram).
 *
 * <p>Recording a request is two array reads and a striped histogram update (no map lookup, no
 * allocation; on an event loop, plain stores into the loop's own stripe): a lone node's fast path
 * records every request. Thread-safe.
 */
public final class ReplicationMetrics {
  static final String REQUESTS_NAME = "ringkv_replication_requests_seconds";

  /** What a coordinated request was. */
  public enum Operation {
    READ,
    WRITE,
    SCAN
  }

  /** How it ended, as the client heard it. */
  public enum Outcome {
    OK,
    UNAVAILABLE,
    TIMEOUT,
    FAILED
  }

  private static final Operation[] OPERATIONS = Operation.values();
  private static final ConsistencyLevel[] LEVELS = ConsistencyLevel.values();
  private static final Outcome[] OUTCOMES = Outcome.values();

  /** [operation][level][outcome], created on first use so that unused series do not show. */
  private final AtomicReferenceArray<LatencyHistogram> histograms =
      new AtomicReferenceArray<>(OPERATIONS.length * LEVELS.length * OUTCOMES.length);

  private final MeterRegistry registry;
  private final Counter unavailable;
  private final Counter timeouts;
  private final Counter digestMismatches;
  private final Counter readRepairs;
  private final Counter speculativeRetries;
  private final Counter hintsStored;
  private final Counter hintsDelivered;
  private final Counter hintsRefused;
  private final Counter hintsFailed;

  /** Per refusal reason (the names of {@code CausalCells.Refusal}), registered on first use. */
  private final Map<String, Counter> causalRefusals = new ConcurrentHashMap<>();

  private final DistributionSummary causalSiblings;

  ReplicationMetrics(MeterRegistry registry) {
    this.registry = registry;
    unavailable =
        counter("ringkv.replication.unavailable", "Requests refused: too few live replicas");
    timeouts =
        counter(
            "ringkv.replication.timeouts",
            "Requests that did not get the answers their level needs in time");
    digestMismatches =
        counter("ringkv.replication.digest.mismatches", "Reads whose replicas' digests differed");
    readRepairs =
        counter(
            "ringkv.replication.read.repairs",
            "Repair writes sent by reads to replicas that were behind (blocking and background)");
    speculativeRetries =
        counter(
            "ringkv.replication.speculative.retries",
            "Backup data reads sent because a replica was slower than its recent percentile");
    hintsStored = counter("ringkv.replication.hints.stored", "Hints this node stored");
    hintsDelivered =
        counter("ringkv.replication.hints.delivered", "Hints delivered to their target");
    hintsRefused =
        counter(
            "ringkv.replication.hints.refused",
            "Hints not kept because hints are off or the target's bound is full (repair debt)");
    hintsFailed =
        counter("ringkv.replication.hints.failed", "Hints that could not be written (I/O errors)");
    causalSiblings =
        DistributionSummary.builder("ringkv.causal.read.siblings")
            .description("Siblings a read of a causal register returned (1 unless writes raced)")
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
            .register(registry);
  }

  /**
   * Counts a causal write the dot replica refused, by {@code reason} (WRONGTYPE, TOO_MANY_SIBLINGS,
   * OVERFLOW, TOO_LARGE, NOT_CAUSAL, DAMAGED): {@code ringkv_causal_refusals_total{reason}}.
   */
  public void causalRefused(String reason) {
    causalRefusals
        .computeIfAbsent(
            reason.toLowerCase(Locale.ROOT),
            name ->
                Counter.builder("ringkv.causal.refusals")
                    .description("Causal writes the dot replica refused, by reason")
                    .tag("reason", name)
                    .register(registry))
        .increment();
  }

  /** Records how many siblings one read of a causal register saw. */
  public void causalSiblingsRead(int siblings) {
    causalSiblings.record(siblings);
  }

  HistogramSnapshot collect() {
    HistogramSnapshot.Builder family =
        HistogramSnapshot.builder()
            .name(REQUESTS_NAME)
            .help("Coordinated requests by operation, consistency level and outcome");
    double[] bounds = LatencyHistogram.upperBoundsSeconds();
    for (int i = 0; i < histograms.length(); i++) {
      LatencyHistogram histogram = histograms.get(i);
      if (histogram == null) {
        continue;
      }
      Operation operation = OPERATIONS[i / (LEVELS.length * OUTCOMES.length)];
      ConsistencyLevel level = LEVELS[i / OUTCOMES.length % LEVELS.length];
      Outcome outcome = OUTCOMES[i % OUTCOMES.length];
      LatencyHistogram.Snapshot snapshot = histogram.snapshot();
      family.dataPoint(
          HistogramSnapshot.HistogramDataPointSnapshot.builder()
              .labels(
                  Labels.of(
                      "operation",
                      lower(operation),
                      "level",
                      level.name(),
                      "outcome",
                      lower(outcome)))
              .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, snapshot.buckets()))
              .sum(snapshot.sumNanos() / 1e9)
              .build());
    }
    return family.build();
  }

  /** Records one coordinated request. */
  public void recordRequest(
      Operation operation, ConsistencyLevel level, Outcome outcome, long nanos) {
    int index =
        (operation.ordinal() * LEVELS.length + level.ordinal()) * OUTCOMES.length
            + outcome.ordinal();
    LatencyHistogram histogram = histograms.get(index);
    if (histogram == null) {
      histograms.compareAndSet(index, null, new LatencyHistogram());
      histogram = histograms.get(index);
    }
    histogram.record(nanos);
    switch (outcome) {
      case UNAVAILABLE -> unavailable.increment();
      case TIMEOUT -> timeouts.increment();
      case OK, FAILED -> {}
    }
  }

  /** Records what a finished read did beyond answering. */
  public void recordRead(boolean digestMismatch, int repairWrites, boolean speculated) {
    if (digestMismatch) {
      digestMismatches.increment();
    }
    if (repairWrites > 0) {
      readRepairs.increment(repairWrites);
    }
    if (speculated) {
      speculativeRetries.increment();
    }
  }

  public void hintStored() {
    hintsStored.increment();
  }

  public void hintsDelivered(int count) {
    hintsDelivered.increment(count);
  }

  public void hintRefused() {
    hintsRefused.increment();
  }

  public void hintFailed() {
    hintsFailed.increment();
  }

  /**
   * Publishes the hint store's figures, read at scrape time: pending bytes and targets, and hints
   * dropped past their window or over their bound (repair debt) and found corrupt.
   */
  public <T> void bindHintStore(Supplier<T> stats, HintFigures<T> figures) {
    gauge(
        "ringkv.replication.hints.pending.bytes",
        "Hint bytes waiting for delivery",
        stats,
        figures.pendingBytes());
    gauge(
        "ringkv.replication.hints.pending.targets",
        "Nodes with hints waiting",
        stats,
        figures.pendingTargets());
    FunctionCounter.builder(
            "ringkv.replication.hints.dropped",
            stats,
            s -> figures.droppedExpired().applyAsDouble(s.get()))
        .tag("reason", "expired")
        .description("Hints dropped past the hint window (repair debt)")
        .register(registry);
    FunctionCounter.builder(
            "ringkv.replication.hints.dropped",
            stats,
            s -> figures.droppedFull().applyAsDouble(s.get()))
        .tag("reason", "full")
        .description("Hints dropped over the per-target bound (repair debt)")
        .register(registry);
    FunctionCounter.builder(
            "ringkv.replication.hints.corrupt",
            stats,
            s -> figures.corrupt().applyAsDouble(s.get()))
        .description("Hint records found corrupt and skipped")
        .register(registry);
  }

  /** How to read the figures out of a hint store's statistics. */
  public record HintFigures<T>(
      ToDoubleFunction<T> pendingBytes,
      ToDoubleFunction<T> pendingTargets,
      ToDoubleFunction<T> droppedExpired,
      ToDoubleFunction<T> droppedFull,
      ToDoubleFunction<T> corrupt) {}

  /** Counts so far, for tests and status. */
  public Counts counts() {
    return new Counts(
        (long) unavailable.count(),
        (long) timeouts.count(),
        (long) digestMismatches.count(),
        (long) readRepairs.count(),
        (long) speculativeRetries.count(),
        (long) hintsStored.count(),
        (long) hintsDelivered.count(),
        (long) hintsRefused.count(),
        (long) hintsFailed.count());
  }

  /** The counters' values. */
  public record Counts(
      long unavailable,
      long timeouts,
      long digestMismatches,
      long readRepairs,
      long speculativeRetries,
      long hintsStored,
      long hintsDelivered,
      long hintsRefused,
      long hintsFailed) {}

  private <T> void gauge(
      String name, String description, Supplier<T> stats, ToDoubleFunction<T> figure) {
    Gauge.builder(name, stats, s -> figure.applyAsDouble(s.get()))
        .description(description)
        .register(registry);
  }

  private Counter counter(String name, String description) {
    return Counter.builder(name).description(description).register(registry);
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
