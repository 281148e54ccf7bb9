package io.ringkv.server.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.ringkv.server.kv.ServiceStats;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * The node's metrics, exposed as Prometheus text at {@code GET /metrics}: requests, errors and
 * latency per front end and operation ({@code ringkv_requests_seconds}, a histogram), storage
 * engine figures ({@code ringkv_engine_*}), and the JVM's. Recording is cheap: a {@link
 * LatencyHistogram} per (front end, operation, outcome), created once and cached, striped by thread
 * (an event loop writes a stripe of its own) and merged only when scraped. A hot caller resolves
 * {@link #requestSeries} once (per connection or per command) and records into the handle, which
 * costs no map lookup; {@link #recordRequest} looks the series up each time. Thread-safe: the maps
 * are concurrent and each series' histograms are set once by compare-and-set.
 */
public final class NodeMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  static final String REQUESTS_NAME = "ringkv_requests_seconds";

  /**
   * Front end, then operation, then its {ok, error} histograms. Looked up by the callers' (usually
   * constant) strings, whose hash codes are cached: no key is built per request.
   */
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, RequestSeries>> histograms =
      new ConcurrentHashMap<>();

  private final ReplicationMetrics replication = new ReplicationMetrics(registry);

  public NodeMetrics() {
    registry.getPrometheusRegistry().register(this::collectRequests);
    registry.getPrometheusRegistry().register(replication::collect);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The replication coordinator's metrics ({@code ringkv_replication_*}). */
  public ReplicationMetrics replication() {
    return replication;
  }

  /** Records one request of {@code operation} (e.g. "get") on {@code frontEnd} (e.g. "resp"). */
  public void recordRequest(String frontEnd, String operation, long nanos, boolean error) {
    outcomesOf(frontEnd, operation).record(nanos, error);
  }

  /**
   * The requests of {@code operation} on {@code frontEnd}, resolved once: recording into the handle
   * is what {@link #recordRequest} does, without its two map lookups.
   */
  public RequestSeries requestSeries(String frontEnd, String operation) {
    return outcomesOf(frontEnd, operation);
  }

  private RequestSeries outcomesOf(String frontEnd, String operation) {
    ConcurrentHashMap<String, RequestSeries> byOperation = histograms.get(frontEnd);
    if (byOperation == null) {
      byOperation = histograms.computeIfAbsent(frontEnd, f -> new ConcurrentHashMap<>());
    }
    RequestSeries outcomes = byOperation.get(operation);
    if (outcomes == null) {
      outcomes = byOperation.computeIfAbsent(operation, o -> new RequestSeries());
    }
    return outcomes;
  }

  /**
   * The ok and error histograms of one (front end, operation). Thread-safe: each histogram is
   * created once, on first use, by compare-and-set.
   */
  public static final class RequestSeries {
    /** [ok, error]. */
    private final AtomicReferenceArray<LatencyHistogram> outcomes = new AtomicReferenceArray<>(2);

    private RequestSeries() {}

    /** Records one request that took {@code nanos} and failed or not. */
    public void record(long nanos, boolean error) {
      int index = error ? 1 : 0;
      LatencyHistogram histogram = outcomes.get(index);
      if (histogram == null) {
        // Created on first use, so that an operation that never failed shows no error series.
        outcomes.compareAndSet(index, null, new LatencyHistogram());
        histogram = outcomes.get(index);
      }
      histogram.record(nanos);
    }

    LatencyHistogram outcome(int index) {
      return outcomes.get(index);
    }
  }

  /** The request histograms as one Prometheus histogram family, merged at scrape time. */
  private HistogramSnapshot collectRequests() {
    HistogramSnapshot.Builder family =
        HistogramSnapshot.builder()
            .name(REQUESTS_NAME)
            .help("Client requests by front end, operation and outcome");
    double[] bounds = LatencyHistogram.upperBoundsSeconds();
    // Sorted, so that the exposition does not depend on hash order.
    new TreeMap<>(histograms)
        .forEach(
            (frontEnd, byOperation) ->
                new TreeMap<>(byOperation)
                    .forEach(
                        (operation, outcomes) -> {
                          for (int index = 0; index < 2; index++) {
                            LatencyHistogram histogram = outcomes.outcome(index);
                            if (histogram == null) {
                              continue;
                            }
                            LatencyHistogram.Snapshot snapshot = histogram.snapshot();
                            family.dataPoint(
                                HistogramSnapshot.HistogramDataPointSnapshot.builder()
                                    .labels(
                                        Labels.of(
                                            "frontend",
                                            frontEnd,
                                            "operation",
                                            operation,
                                            "outcome",
                                            index == 0 ? "ok" : "error"))
                                    .classicHistogramBuckets(
                                        ClassicHistogramBuckets.of(bounds, snapshot.buckets()))
                                    .sum(snapshot.sumNanos() / 1e9)
                                    .build());
                          }
                        }));
    return family.build();
  }

  /** Publishes the storage engine's figures as gauges read at scrape time. */
  public void bindService(Supplier<ServiceStats> stats) {
    gauge("ringkv.engine.keys.estimated", "Estimated live keys", () -> stats.get().estimatedKeys());
    gauge(
        "ringkv.engine.user.bytes.written",
        "Key and value bytes written by clients",
        () -> stats.get().engine().userBytesWritten());
    gauge(
        "ringkv.engine.wal.bytes.written",
        "Bytes appended to the write-ahead log",
        () -> stats.get().engine().walBytesWritten());
    gauge(
        "ringkv.engine.write.amplification",
        "Disk bytes written per user byte",
        () -> stats.get().engine().writeAmplification());
    gauge("ringkv.engine.flushes", "Memtable flushes", () -> stats.get().engine().flushes());
    gauge("ringkv.engine.compactions", "Compactions", () -> stats.get().engine().compactions());
    gauge(
        "ringkv.engine.write.stalls",
        "Writes stalled by back-pressure",
        () -> stats.get().engine().writeStalls());
    gauge(
        "ringkv.engine.block.cache.hit.rate",
        "Block cache hit rate",
        () -> stats.get().engine().blockCacheHitRate());
    gauge(
        "ringkv.engine.live.data.bytes",
        "Bytes of live tables",
        () -> stats.get().engine().liveDataBytes());
    gauge(
        "ringkv.engine.memtable.bytes",
        "Bytes in memtables",
        () -> stats.get().engine().memtableBytes());
  }

  private void gauge(String name, String description, Supplier<Number> value) {
    io.micrometer.core.instrument.Gauge.builder(name, value)
        .description(description)
        .register(registry);
  }

  /** The Prometheus text exposition of every metric. */
  public String scrape() {
    return registry.scrape();
  }
}
