package io.ringkv.sim.replication;

import io.ringkv.cluster.membership.FailureDetectorConfig;
import io.ringkv.sim.SimTime;
import io.ringkv.storage.Durability;

/**
 * Every setting of a simulated replicating node, in one place with its bounds (STYLE.md §4). The
 * defaults are the server's defaults where it has them.
 *
 * @param writeTimeoutNanos how long a coordinator waits for write acknowledgements
 * @param readTimeoutNanos how long a coordinator waits for a read, full reads and repair included
 * @param pingIntervalNanos how often a node pings each peer (failure detection, clock skew)
 * @param refusalHoldNanos how long a refused connection holds a peer down (the server's rule)
 * @param detector the phi accrual detector's settings
 * @param maxClockSkewMillis a node refuses to coordinate writes while its wall clock is further
 *     than this from its peers' ({@code PeerClocks})
 * @param durability the node's fsync policy for replica writes
 * @param periodicSyncNanos the PERIODIC policy's sync interval
 * @param hintsEnabled whether nodes keep hints at all
 * @param hintWindowMillis how long a hint is worth delivering
 * @param hintBytesPerTargetMax the most hint bytes a node keeps for one target
 * @param hintSegmentBytes the hint log's segment size (hints are fsynced per {@code durability})
 * @param hintThrottleBytesPerSecond hint delivery's throttle, over all of a node's targets
 * @param hintBatchBytesMax the most hint bytes sent in one batch
 * @param hintRetryDelayNanos how long hint delivery to a target waits after a failed batch
 * @param hintTickNanos how often a node looks for hints to deliver
 * @param backgroundRepairChance the chance that a read also reads and repairs the other replicas
 * @param sloppyQuorum whether the keyspace lets live stand-ins count for down replicas
 * @param speculativePercentile the read latency percentile after which a backup read goes out
 * @param speculativeFloorNanos the shortest speculative delay
 * @param coordinationsMax requests a node coordinates at once; more are refused (overloaded)
 * @param clientHeldMax client requests a frozen node's sockets hold; more are lost
 */
public record NodeSettings(
    long writeTimeoutNanos,
    long readTimeoutNanos,
    long pingIntervalNanos,
    long refusalHoldNanos,
    FailureDetectorConfig detector,
    long maxClockSkewMillis,
    Durability durability,
    long periodicSyncNanos,
    boolean hintsEnabled,
    long hintWindowMillis,
    long hintBytesPerTargetMax,
    long hintSegmentBytes,
    long hintThrottleBytesPerSecond,
    int hintBatchBytesMax,
    long hintRetryDelayNanos,
    long hintTickNanos,
    double backgroundRepairChance,
    boolean sloppyQuorum,
    double speculativePercentile,
    long speculativeFloorNanos,
    int coordinationsMax,
    int clientHeldMax) {

  public NodeSettings {
    if (writeTimeoutNanos <= 0 || readTimeoutNanos <= 0 || pingIntervalNanos <= 0) {
      throw new IllegalArgumentException("timeouts and the ping interval must be positive");
    }
    if (!(backgroundRepairChance >= 0 && backgroundRepairChance <= 1)) {
      throw new IllegalArgumentException(
          "backgroundRepairChance must be in [0, 1], was " + backgroundRepairChance);
    }
    if (coordinationsMax < 1 || clientHeldMax < 0 || hintBatchBytesMax < 1) {
      throw new IllegalArgumentException("bounds must be positive");
    }
    if (speculativeFloorNanos > readTimeoutNanos) {
      throw new IllegalArgumentException("the speculative floor must not exceed the read timeout");
    }
  }

  /**
   * Write timeout 2 s, read timeout 5 s, pings every second, a 5 s refusal hold, the default
   * detector, a 500 ms skew bound, SYNC, default hints delivered at 1 MiB/s in 64 KiB batches,
   * background repair off, no sloppy quorum, speculation after the 99th percentile (at least 20
   * ms).
   */
  public static NodeSettings defaults() {
    return new NodeSettings(
        SimTime.seconds(2),
        SimTime.seconds(5),
        SimTime.SECOND_NANOS,
        SimTime.seconds(5),
        FailureDetectorConfig.defaults(),
        500,
        Durability.SYNC,
        SimTime.millis(100),
        true,
        3L * 3_600_000,
        1L << 30,
        8L << 20,
        1 << 20,
        64 << 10,
        SimTime.seconds(1),
        SimTime.millis(200),
        0,
        false,
        0.99,
        SimTime.millis(20),
        4_096,
        1_024);
  }

  /** These settings with other coordinator timeouts. */
  public NodeSettings withTimeouts(long newWriteTimeoutNanos, long newReadTimeoutNanos) {
    return new NodeSettings(
        newWriteTimeoutNanos,
        newReadTimeoutNanos,
        pingIntervalNanos,
        refusalHoldNanos,
        detector,
        maxClockSkewMillis,
        durability,
        periodicSyncNanos,
        hintsEnabled,
        hintWindowMillis,
        hintBytesPerTargetMax,
        hintSegmentBytes,
        hintThrottleBytesPerSecond,
        hintBatchBytesMax,
        hintRetryDelayNanos,
        hintTickNanos,
        backgroundRepairChance,
        sloppyQuorum,
        speculativePercentile,
        Math.min(speculativeFloorNanos, newReadTimeoutNanos),
        coordinationsMax,
        clientHeldMax);
  }

  public NodeSettings withDurability(Durability newDurability) {
    return new NodeSettings(
        writeTimeoutNanos,
        readTimeoutNanos,
        pingIntervalNanos,
        refusalHoldNanos,
        detector,
        maxClockSkewMillis,
        newDurability,
        periodicSyncNanos,
        hintsEnabled,
        hintWindowMillis,
        hintBytesPerTargetMax,
        hintSegmentBytes,
        hintThrottleBytesPerSecond,
        hintBatchBytesMax,
        hintRetryDelayNanos,
        hintTickNanos,
        backgroundRepairChance,
        sloppyQuorum,
        speculativePercentile,
        speculativeFloorNanos,
        coordinationsMax,
        clientHeldMax);
  }

  public NodeSettings withSloppyQuorum(boolean sloppy) {
    return new NodeSettings(
        writeTimeoutNanos,
        readTimeoutNanos,
        pingIntervalNanos,
        refusalHoldNanos,
        detector,
        maxClockSkewMillis,
        durability,
        periodicSyncNanos,
        hintsEnabled,
        hintWindowMillis,
        hintBytesPerTargetMax,
        hintSegmentBytes,
        hintThrottleBytesPerSecond,
        hintBatchBytesMax,
        hintRetryDelayNanos,
        hintTickNanos,
        backgroundRepairChance,
        sloppy,
        speculativePercentile,
        speculativeFloorNanos,
        coordinationsMax,
        clientHeldMax);
  }

  /** These settings with other hint settings (the segment is at most the bound per target). */
  public NodeSettings withHints(
      boolean enabled,
      long windowMillis,
      long bytesPerTargetMax,
      long segmentBytes,
      long throttleBytesPerSecond,
      int batchBytesMax,
      long retryDelayNanos) {
    return new NodeSettings(
        writeTimeoutNanos,
        readTimeoutNanos,
        pingIntervalNanos,
        refusalHoldNanos,
        detector,
        maxClockSkewMillis,
        durability,
        periodicSyncNanos,
        enabled,
        windowMillis,
        bytesPerTargetMax,
        Math.min(segmentBytes, bytesPerTargetMax),
        throttleBytesPerSecond,
        batchBytesMax,
        retryDelayNanos,
        hintTickNanos,
        backgroundRepairChance,
        sloppyQuorum,
        speculativePercentile,
        speculativeFloorNanos,
        coordinationsMax,
        clientHeldMax);
  }

  public NodeSettings withBackgroundRepairChance(double chance) {
    return new NodeSettings(
        writeTimeoutNanos,
        readTimeoutNanos,
        pingIntervalNanos,
        refusalHoldNanos,
        detector,
        maxClockSkewMillis,
        durability,
        periodicSyncNanos,
        hintsEnabled,
        hintWindowMillis,
        hintBytesPerTargetMax,
        hintSegmentBytes,
        hintThrottleBytesPerSecond,
        hintBatchBytesMax,
        hintRetryDelayNanos,
        hintTickNanos,
        chance,
        sloppyQuorum,
        speculativePercentile,
        speculativeFloorNanos,
        coordinationsMax,
        clientHeldMax);
  }

  public NodeSettings withDetector(FailureDetectorConfig newDetector) {
    return new NodeSettings(
        writeTimeoutNanos,
        readTimeoutNanos,
        pingIntervalNanos,
        refusalHoldNanos,
        newDetector,
        maxClockSkewMillis,
        durability,
        periodicSyncNanos,
        hintsEnabled,
        hintWindowMillis,
        hintBytesPerTargetMax,
        hintSegmentBytes,
        hintThrottleBytesPerSecond,
        hintBatchBytesMax,
        hintRetryDelayNanos,
        hintTickNanos,
        backgroundRepairChance,
        sloppyQuorum,
        speculativePercentile,
        speculativeFloorNanos,
        coordinationsMax,
        clientHeldMax);
  }
}
