package io.ringkv.cluster.version;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How far this node's wall clock is from its peers', from round trips: a probe sent at local time
 * {@code t0}, answered with the peer's time {@code p}, received back at {@code t1}, puts the peer's
 * clock {@code p - (t0 + t1) / 2} ahead of ours, give or take half the round trip. Each peer's
 * offset counts only beyond that uncertainty (a slow network is not a skewed clock), and only while
 * its sample is fresh.
 *
 * <p>The node's skew is the median of its peers' offsets (of two middle values, the one nearer
 * zero), so a single peer with a bad clock does not make the good nodes refuse writes, while the
 * node with the bad clock sees every peer off and refuses ({@link #refusal}). With one peer there
 * is no majority to tell who is wrong: both refuse. A timestamp stamped by a clock running ahead
 * would win over later writes from correct clocks (LWW), and one behind would lose to earlier
 * writes; the bound is what LWW's users accept (CockroachDB's max offset plays the same part).
 *
 * <p>Pure: times are arguments. Not thread-safe.
 */
public final class PeerClocks {
  private record Sample(long offsetMillis, long takenAtNanos) {}

  private final long maxSkewMillis;
  private final long sampleMaxAgeNanos;
  private final Map<String, Sample> samples = new TreeMap<>();

  /**
   * @param maxSkewMillis the largest skew at which the node still coordinates writes
   * @param sampleMaxAgeNanos how long a sample counts (a peer not heard from drops out)
   */
  public PeerClocks(long maxSkewMillis, long sampleMaxAgeNanos) {
    if (maxSkewMillis <= 0 || sampleMaxAgeNanos <= 0) {
      throw new IllegalArgumentException(
          "max skew and sample age must be positive, were "
              + maxSkewMillis
              + " ms and "
              + sampleMaxAgeNanos
              + " ns");
    }
    this.maxSkewMillis = maxSkewMillis;
    this.sampleMaxAgeNanos = sampleMaxAgeNanos;
  }

  /**
   * Records a round trip to {@code peer}: sent at local wall time {@code sentMillis}, answered with
   * the peer's wall time {@code peerMillis}, received at local wall time {@code receivedMillis}, at
   * monotonic time {@code nowNanos}.
   */
  public void sample(
      String peer, long sentMillis, long peerMillis, long receivedMillis, long nowNanos) {
    long roundTrip = Math.max(0, receivedMillis - sentMillis);
    long offset = peerMillis - (sentMillis + receivedMillis) / 2;
    long beyondUncertainty = Math.max(0, Math.abs(offset) - (roundTrip + 1) / 2);
    samples.put(peer, new Sample(Long.signum(offset) * beyondUncertainty, nowNanos));
  }

  /** Drops what is known of {@code peer} (it left). */
  public void forget(String peer) {
    samples.remove(peer);
  }

  /** The fresh peer offsets, in milliseconds (positive: the peer is ahead). */
  public Map<String, Long> offsets(long nowNanos) {
    Map<String, Long> fresh = new TreeMap<>();
    for (Map.Entry<String, Sample> entry : samples.entrySet()) {
      if (nowNanos - entry.getValue().takenAtNanos() <= sampleMaxAgeNanos) {
        fresh.put(entry.getKey(), entry.getValue().offsetMillis());
      }
    }
    return fresh;
  }

  /**
   * This node's skew from its peers in milliseconds: positive if its clock is ahead of theirs, 0
   * when no peer has a fresh sample.
   */
  public long skewMillis(long nowNanos) {
    List<Long> offsets = new ArrayList<>(offsets(nowNanos).values());
    if (offsets.isEmpty()) {
      return 0;
    }
    offsets.sort(null);
    int n = offsets.size();
    long median;
    if (n % 2 == 1) {
      median = offsets.get(n / 2);
    } else {
      long low = offsets.get(n / 2 - 1);
      long high = offsets.get(n / 2);
      median = Math.abs(low) <= Math.abs(high) ? low : high;
    }
    return -median;
  }

  /** Why the node must not coordinate writes now, or empty if its clock is within the bound. */
  public Optional<String> refusal(long nowNanos) {
    long skew = skewMillis(nowNanos);
    if (Math.abs(skew) <= maxSkewMillis) {
      return Optional.empty();
    }
    return Optional.of(
        "this node's clock is "
            + Math.abs(skew)
            + " ms "
            + (skew > 0 ? "ahead of" : "behind")
            + " its peers' (median of "
            + offsets(nowNanos).size()
            + "), beyond replication.max_clock_skew_millis "
            + maxSkewMillis
            + "; it refuses to coordinate writes until the clocks agree (check NTP)");
  }

  public long maxSkewMillis() {
    return maxSkewMillis;
  }
}
