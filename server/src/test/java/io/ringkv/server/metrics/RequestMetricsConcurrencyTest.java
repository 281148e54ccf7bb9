package io.ringkv.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.ringkv.common.ConsistencyLevel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Request metrics recorded from many threads at once, Netty threads (owned stripes) and plain ones
 * (shared stripes) mixed: a scrape after they finish sees exactly what was recorded.
 */
class RequestMetricsConcurrencyTest {
  private static final int RECORDS_PER_THREAD = 20_000;

  @Test
  void recordRequest_fromNettyAndPlainThreads_scrapeSeesEveryRequest() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    NodeMetrics metrics = new NodeMetrics();
    ThreadFactory nettyThreads = new DefaultThreadFactory("metrics-test");
    List<Thread> threads = new ArrayList<>();
    long[] expectedSumNanos = new long[1];
    int nettyCount = 2 + random.nextInt(4);
    int plainCount = 1 + random.nextInt(3);
    for (int t = 0; t < nettyCount + plainCount; t++) {
      long nanos = 1 + random.nextInt(10_000_000);
      expectedSumNanos[0] += nanos * RECORDS_PER_THREAD;
      boolean handle = t % 2 == 0;
      Runnable work =
          () -> {
            NodeMetrics.RequestSeries series = metrics.requestSeries("resp", "get");
            for (int i = 0; i < RECORDS_PER_THREAD; i++) {
              if (handle) {
                series.record(nanos, false);
              } else {
                metrics.recordRequest("resp", "get", nanos, false);
              }
              metrics
                  .replication()
                  .recordRequest(
                      ReplicationMetrics.Operation.READ,
                      ConsistencyLevel.ONE,
                      ReplicationMetrics.Outcome.OK,
                      nanos);
            }
          };
      Thread thread = t < nettyCount ? nettyThreads.newThread(work) : new Thread(work);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }

    String text = metrics.scrape();
    long total = (long) threads.size() * RECORDS_PER_THREAD;
    String description = "seed " + seed + ", " + nettyCount + " Netty and " + plainCount + " plain";
    assertThat(figure(text, "ringkv_requests_seconds_count\\{frontend=\"resp\",operation=\"get\""))
        .as(description)
        .isEqualTo(total);
    assertThat(figure(text, "ringkv_requests_seconds_bucket\\{frontend=\"resp\",.*le=\"\\+Inf\""))
        .as(description)
        .isEqualTo(total);
    assertThat(figure(text, "ringkv_replication_requests_seconds_count\\{level=\"ONE\""))
        .as(description)
        .isEqualTo(total);
    double sumSeconds = figureDouble(text, "ringkv_requests_seconds_sum\\{frontend=\"resp\"");
    assertThat(sumSeconds).as(description).isCloseTo(expectedSumNanos[0] / 1e9, within(1e-3));
  }

  @Test
  void record_nettyThreadsComingAndGoing_slotsAreReusedAndKeepTheirCounts() throws Exception {
    LatencyHistogram histogram = new LatencyHistogram();
    ThreadFactory nettyThreads = new DefaultThreadFactory("metrics-reuse-test");
    int generations = LatencyHistogram.OWNED_SLOTS_MAX * 2 + 3;
    for (int generation = 0; generation < generations; generation++) {
      Thread thread =
          nettyThreads.newThread(
              () -> {
                for (int i = 0; i < 100; i++) {
                  histogram.record(2_000);
                }
              });
      thread.start();
      thread.join();
    }
    LatencyHistogram.Snapshot snapshot = histogram.snapshot();
    assertThat(snapshot.count()).isEqualTo(generations * 100L);
    assertThat(snapshot.buckets()[LatencyHistogram.bucketOf(2_000)]).isEqualTo(generations * 100L);
  }

  private static org.assertj.core.data.Offset<Double> within(double offset) {
    return org.assertj.core.data.Offset.offset(offset);
  }

  private static long figure(String text, String seriesPattern) {
    return (long) figureDouble(text, seriesPattern);
  }

  private static double figureDouble(String text, String seriesPattern) {
    Matcher matcher = Pattern.compile("(?m)^" + seriesPattern + "[^}]*\\} (\\S+)$").matcher(text);
    assertThat(matcher.find()).as("series %s in%n%s", seriesPattern, text).isTrue();
    return Double.parseDouble(matcher.group(1));
  }
}
