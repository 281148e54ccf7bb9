package io.ringkv.server.replication;

import io.ringkv.server.config.HintsSection;
import io.ringkv.server.config.NodeConfig;
import io.ringkv.server.config.ReplicationSection;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The node's replication settings, all in one place (the {@code replication.*} and {@code hints.*}
 * sections of the configuration, docs/configuration.md). Validated here: a bad value is refused
 * with a message naming the field, the value and the limit.
 *
 * @param writeTimeoutMillis how long a coordinator waits for the acknowledgements a write's level
 *     needs before it answers TIMEOUT (the write may or may not have applied)
 * @param readTimeoutMillis how long a coordinator waits for a read's (or scan page's) answers
 * @param readRepairChance the chance, in [0, 1], that a read also reads every other live replica
 *     and repairs those that differ, in the background (the answer does not wait for it)
 * @param speculativeRetry whether a read whose replica is slower than its recent percentile gets a
 *     backup data read to another replica
 * @param speculativeRetryPercentile that percentile, in (0, 1)
 * @param maxClockSkewMillis the node refuses to coordinate writes while its clock is further than
 *     this from its peers' (last-write-wins needs clocks that roughly agree)
 * @param sloppyQuorum whether writes to the default keyspace may count a live stand-in node for a
 *     replica that is down (Dynamo's sloppy quorum); a keyspace's own option also turns it on
 * @param hintsEnabled whether the coordinator keeps hints for replicas that miss writes
 * @param hintWindowMillis a hint older than this is dropped, and counted as repair debt
 * @param hintMaxBytesPerTarget hint bytes kept on disk per target node; beyond, new hints for it
 *     are dropped and counted as repair debt
 * @param hintThrottleBytesPerSecond hint delivery sends at most this many bytes per second to all
 *     targets together; 0 for no limit
 * @param hintDirectory where hints are kept (default {@code <node directory>/hints})
 */
public record ReplicationSettings(
    long writeTimeoutMillis,
    long readTimeoutMillis,
    double readRepairChance,
    boolean speculativeRetry,
    double speculativeRetryPercentile,
    long maxClockSkewMillis,
    boolean sloppyQuorum,
    boolean hintsEnabled,
    long hintWindowMillis,
    long hintMaxBytesPerTarget,
    long hintThrottleBytesPerSecond,
    Path hintDirectory) {

  /** The longest timeout accepted: one hour. */
  public static final long TIMEOUT_MILLIS_MAX = 3_600_000;

  /** The longest hint window accepted: 30 days. */
  public static final long HINT_WINDOW_MILLIS_MAX = 30L * 24 * 3_600_000;

  /** The default hint window: 3 hours. */
  public static final long DEFAULT_HINT_WINDOW_MILLIS = 3 * 3_600_000L;

  /** The name of the hint directory within the node's directory. */
  public static final String HINT_DIRECTORY = "hints";

  public ReplicationSettings {
    checkRange("writeTimeoutMillis", writeTimeoutMillis, 1, TIMEOUT_MILLIS_MAX);
    checkRange("readTimeoutMillis", readTimeoutMillis, 1, TIMEOUT_MILLIS_MAX);
    if (!(readRepairChance >= 0 && readRepairChance <= 1)) {
      throw new IllegalArgumentException(
          "readRepairChance must be in [0, 1], was " + readRepairChance);
    }
    if (!(speculativeRetryPercentile > 0 && speculativeRetryPercentile < 1)) {
      throw new IllegalArgumentException(
          "speculativeRetryPercentile must be in (0, 1), was " + speculativeRetryPercentile);
    }
    checkRange("maxClockSkewMillis", maxClockSkewMillis, 1, TIMEOUT_MILLIS_MAX);
    checkRange("hintWindowMillis", hintWindowMillis, 1, HINT_WINDOW_MILLIS_MAX);
    checkRange("hintMaxBytesPerTarget", hintMaxBytesPerTarget, 1, Long.MAX_VALUE);
    checkRange("hintThrottleBytesPerSecond", hintThrottleBytesPerSecond, 0, Long.MAX_VALUE);
    Objects.requireNonNull(hintDirectory, "hintDirectory");
  }

  /** The settings of {@code config}'s {@code replication.*} and {@code hints.*} sections. */
  public static ReplicationSettings of(NodeConfig config) {
    ReplicationSection replication = config.replication();
    HintsSection hints = config.hints();
    return new ReplicationSettings(
        replication.writeTimeoutMillis(),
        replication.readTimeoutMillis(),
        replication.readRepairChance(),
        replication.speculativeRetry(),
        0.99,
        replication.maxClockSkewMillis(),
        replication.sloppyQuorum(),
        hints.enabled(),
        hints.windowMillis(),
        hints.maxBytesPerTarget(),
        hints.throttleBytesPerSecond(),
        config.hintsDirectory());
  }

  /**
   * Writes and reads time out after 2 s; 10% of reads repair every replica in the background;
   * speculative retry at the 99th percentile; writes refused beyond 500 ms of clock skew; no sloppy
   * quorum; hints on, kept 3 hours, at most 1 GiB per target, delivered at 1 MiB/s, under {@code
   * <nodeDirectory>/hints}.
   */
  public static ReplicationSettings defaults(Path nodeDirectory) {
    return new ReplicationSettings(
        2_000,
        2_000,
        0.1,
        true,
        0.99,
        500,
        false,
        true,
        DEFAULT_HINT_WINDOW_MILLIS,
        1L << 30,
        1L << 20,
        nodeDirectory.resolve(HINT_DIRECTORY));
  }

  /** These settings with other timeouts. */
  public ReplicationSettings withTimeouts(long writeMillis, long readMillis) {
    return new ReplicationSettings(
        writeMillis,
        readMillis,
        readRepairChance,
        speculativeRetry,
        speculativeRetryPercentile,
        maxClockSkewMillis,
        sloppyQuorum,
        hintsEnabled,
        hintWindowMillis,
        hintMaxBytesPerTarget,
        hintThrottleBytesPerSecond,
        hintDirectory);
  }

  /** These settings with another background read repair chance. */
  public ReplicationSettings withReadRepairChance(double chance) {
    return new ReplicationSettings(
        writeTimeoutMillis,
        readTimeoutMillis,
        chance,
        speculativeRetry,
        speculativeRetryPercentile,
        maxClockSkewMillis,
        sloppyQuorum,
        hintsEnabled,
        hintWindowMillis,
        hintMaxBytesPerTarget,
        hintThrottleBytesPerSecond,
        hintDirectory);
  }

  /** These settings with hints on or off. */
  public ReplicationSettings withHints(boolean enabled) {
    return new ReplicationSettings(
        writeTimeoutMillis,
        readTimeoutMillis,
        readRepairChance,
        speculativeRetry,
        speculativeRetryPercentile,
        maxClockSkewMillis,
        sloppyQuorum,
        enabled,
        hintWindowMillis,
        hintMaxBytesPerTarget,
        hintThrottleBytesPerSecond,
        hintDirectory);
  }

  /** These settings with sloppy quorum on or off for the default keyspace. */
  public ReplicationSettings withSloppyQuorum(boolean sloppy) {
    return new ReplicationSettings(
        writeTimeoutMillis,
        readTimeoutMillis,
        readRepairChance,
        speculativeRetry,
        speculativeRetryPercentile,
        maxClockSkewMillis,
        sloppy,
        hintsEnabled,
        hintWindowMillis,
        hintMaxBytesPerTarget,
        hintThrottleBytesPerSecond,
        hintDirectory);
  }

  static void checkRange(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "], was " + value);
    }
  }
}
