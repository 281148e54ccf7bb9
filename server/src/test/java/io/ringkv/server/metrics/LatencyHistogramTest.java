package io.ringkv.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  @Test
  void bucketOf_everyValueFallsUnderItsBucketsUpperBoundAndAboveTheOneBefore() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int i = 0; i < 100_000; i++) {
      long nanos = random.nextLong(1L << random.nextInt(40));
      int bucket = LatencyHistogram.bucketOf(nanos);
      assertThat(nanos).as("seed %d", seed).isLessThan(LatencyHistogram.upperBoundNanos(bucket));
      if (bucket > 0) {
        assertThat(nanos)
            .as("seed %d", seed)
            .isGreaterThanOrEqualTo(LatencyHistogram.upperBoundNanos(bucket - 1));
      }
    }
    assertThat(LatencyHistogram.bucketOf(Long.MAX_VALUE)).isEqualTo(LatencyHistogram.BUCKETS - 1);
    double[] bounds = LatencyHistogram.upperBoundsSeconds();
    for (int i = 1; i < bounds.length; i++) {
      assertThat(bounds[i]).isGreaterThan(bounds[i - 1]);
    }
    assertThat(bounds[bounds.length - 1]).isInfinite();
  }

  @Test
  void record_fromManyThreads_countsEveryRecord() throws Exception {
    LatencyHistogram histogram = new LatencyHistogram();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 12; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 10_000; i++) {
                  histogram.record(2_000);
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    LatencyHistogram.Snapshot snapshot = histogram.snapshot();
    assertThat(snapshot.count()).isEqualTo(120_000);
    assertThat(snapshot.sumNanos()).isEqualTo(240_000_000L);
    assertThat(snapshot.buckets()[LatencyHistogram.bucketOf(2_000)]).isEqualTo(120_000);
  }

  @Test
  void scrape_showsRequestsAsAPrometheusHistogram() {
    NodeMetrics metrics = new NodeMetrics();
    metrics.recordRequest("resp", "get", 3_000, false);
    metrics.recordRequest("resp", "get", 5_000_000, false);
    metrics.recordRequest("resp", "set", 1, true);

    String text = metrics.scrape();
    assertThat(text)
        .containsPattern(
            "ringkv_requests_seconds_count\\{frontend=\"resp\",operation=\"get\",outcome=\"ok\"\\} 2")
        .containsPattern(
            "ringkv_requests_seconds_bucket\\{frontend=\"resp\",operation=\"get\",outcome=\"ok\",le=\"\\+Inf\"\\} 2")
        .containsPattern(
            "ringkv_requests_seconds_count\\{frontend=\"resp\",operation=\"set\",outcome=\"error\"\\} 1")
        .doesNotContainPattern("operation=\"set\",outcome=\"ok\"");
  }
}
