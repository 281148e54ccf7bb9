package io.ringkv.cluster.membership;

import java.util.Objects;

/**
 * Settings and bounds of {@link Gossip}, all in one place (STYLE.md §4), with the relations between
 * them checked here at start-up. Every collection gossip keeps or sends has its bound below; a
 * message's size in bytes follows from them (docs/design/gossip.md, "Bounds").
 *
 * @param clusterName SYNs from another cluster are ignored (1 to {@value #CLUSTER_NAME_CHARS_MAX}
 *     characters)
 * @param synDigestsMax digests per SYN, and requests per ACK; with more endpoints known, a SYN
 *     carries the sender's own digest and a random sample of the others, and a longer list received
 *     is truncated
 * @param deltasPerMessageMax endpoint states per ACK or ACK2; the most out-of-date go first, the
 *     rest wait for a later round
 * @param endpointsMax endpoints known, the node itself included; new ones beyond are ignored
 * @param valueCharsMax characters per application state value; a longer local value is refused, a
 *     remote state holding one is dropped whole
 * @param outboxMessagesMax messages waiting for {@link Gossip#ready()}; more are dropped and
 *     counted (gossip is lossy by design, a later round repairs)
 * @param eventsMax events waiting for {@link Gossip#ready()}; exceeding it means the caller does
 *     not drain the node, a programmer error
 * @param generationDifferenceMax a remote generation more than this above the known one is taken
 *     for corruption and ignored (Cassandra's one year, in seconds)
 * @param leftRetentionNanos how long a node whose STATUS says it left is remembered after its last
 *     heartbeat, so that every node hears of its departure before it is forgotten
 * @param quarantineNanos how long a forgotten node's states are ignored, so that late messages do
 *     not bring it back
 * @param failureDetector the phi accrual detector's settings
 */
public record GossipConfig(
    String clusterName,
    int synDigestsMax,
    int deltasPerMessageMax,
    int endpointsMax,
    int valueCharsMax,
    int outboxMessagesMax,
    int eventsMax,
    long generationDifferenceMax,
    long leftRetentionNanos,
    long quarantineNanos,
    FailureDetectorConfig failureDetector) {

  /** The longest cluster name accepted. */
  public static final int CLUSTER_NAME_CHARS_MAX = 128;

  /** The largest value accepted for any count bound. */
  public static final int COUNT_LIMIT = 1_000_000;

  /** The longest application state value accepted (1 MiB of characters). */
  public static final int VALUE_CHARS_LIMIT = 1 << 20;

  private static final long SECOND_NANOS = 1_000_000_000L;

  public GossipConfig {
    Objects.requireNonNull(clusterName, "clusterName");
    if (clusterName.isBlank() || clusterName.length() > CLUSTER_NAME_CHARS_MAX) {
      throw new IllegalArgumentException(
          "clusterName must be non-blank with at most "
              + CLUSTER_NAME_CHARS_MAX
              + " characters, was '"
              + clusterName
              + "'");
    }
    // A SYN holds the sender's own digest plus at least one other.
    checkRange("synDigestsMax", synDigestsMax, 2, COUNT_LIMIT);
    checkRange("deltasPerMessageMax", deltasPerMessageMax, 1, COUNT_LIMIT);
    checkRange("endpointsMax", endpointsMax, 2, COUNT_LIMIT);
    checkRange("valueCharsMax", valueCharsMax, 1, VALUE_CHARS_LIMIT);
    // A tick sends at most three SYNs.
    checkRange("outboxMessagesMax", outboxMessagesMax, 3, COUNT_LIMIT);
    checkRange("eventsMax", eventsMax, 1, COUNT_LIMIT);
    if (generationDifferenceMax <= 0) {
      throw new IllegalArgumentException(
          "generationDifferenceMax must be positive, was " + generationDifferenceMax);
    }
    if (leftRetentionNanos <= 0) {
      throw new IllegalArgumentException(
          "leftRetentionNanos must be positive, was " + leftRetentionNanos);
    }
    if (quarantineNanos <= 0) {
      throw new IllegalArgumentException(
          "quarantineNanos must be positive, was " + quarantineNanos);
    }
    Objects.requireNonNull(failureDetector, "failureDetector");
    if (failureDetector.endpointsMax() < endpointsMax) {
      throw new IllegalArgumentException(
          "failureDetector.endpointsMax ("
              + failureDetector.endpointsMax()
              + ") must be at least endpointsMax ("
              + endpointsMax
              + ")");
    }
    long eventsPerStepMax = eventsPerStepMax(deltasPerMessageMax, endpointsMax);
    if (eventsMax < eventsPerStepMax) {
      throw new IllegalArgumentException(
          "eventsMax ("
              + eventsMax
              + ") must hold one step's events: deltasPerMessageMax × (values + 1) + 2 ×"
              + " endpointsMax = "
              + eventsPerStepMax);
    }
  }

  /**
   * Cluster "ringkv"; 512 digests per SYN; 64 states per ACK; 1,024 endpoints; 16,384 characters
   * per value; 1,024 queued messages; 65,536 queued events; generations a year apart; LEFT nodes
   * kept three days; quarantine one minute; the detector's defaults.
   */
  public static GossipConfig defaults() {
    return new GossipConfig(
        "ringkv",
        512,
        64,
        1_024,
        16_384,
        1_024,
        65_536,
        365L * 24 * 3600,
        3L * 24 * 3600 * SECOND_NANOS,
        60 * SECOND_NANOS,
        FailureDetectorConfig.defaults());
  }

  /** This config with another cluster name. */
  public GossipConfig withClusterName(String name) {
    return new GossipConfig(
        name,
        synDigestsMax,
        deltasPerMessageMax,
        endpointsMax,
        valueCharsMax,
        outboxMessagesMax,
        eventsMax,
        generationDifferenceMax,
        leftRetentionNanos,
        quarantineNanos,
        failureDetector);
  }

  /** This config with other message bounds. */
  public GossipConfig withMessageBounds(int synDigests, int deltasPerMessage) {
    return new GossipConfig(
        clusterName,
        synDigests,
        deltasPerMessage,
        endpointsMax,
        valueCharsMax,
        outboxMessagesMax,
        eventsMax,
        generationDifferenceMax,
        leftRetentionNanos,
        quarantineNanos,
        failureDetector);
  }

  /** This config with another bound on known endpoints (the detector's follows it). */
  public GossipConfig withEndpointsMax(int max) {
    return new GossipConfig(
        clusterName,
        synDigestsMax,
        deltasPerMessageMax,
        max,
        valueCharsMax,
        outboxMessagesMax,
        eventsMax,
        generationDifferenceMax,
        leftRetentionNanos,
        quarantineNanos,
        failureDetector.withEndpointsMax(Math.max(max, failureDetector.endpointsMax())));
  }

  /** This config with other retention times for departed nodes. */
  public GossipConfig withRetention(long leftRetention, long quarantine) {
    return new GossipConfig(
        clusterName,
        synDigestsMax,
        deltasPerMessageMax,
        endpointsMax,
        valueCharsMax,
        outboxMessagesMax,
        eventsMax,
        generationDifferenceMax,
        leftRetention,
        quarantine,
        failureDetector);
  }

  /** This config with other failure detector settings. */
  public GossipConfig withFailureDetector(FailureDetectorConfig detector) {
    return new GossipConfig(
        clusterName,
        synDigestsMax,
        deltasPerMessageMax,
        endpointsMax,
        valueCharsMax,
        outboxMessagesMax,
        eventsMax,
        generationDifferenceMax,
        leftRetentionNanos,
        quarantineNanos,
        detector);
  }

  /**
   * The most events one tick or step can produce: each applied state yields at most one event per
   * value plus one (joined, restarted), and the detector and the expiry of departed nodes at most
   * one per endpoint each.
   */
  static long eventsPerStepMax(int deltasPerMessageMax, int endpointsMax) {
    return (long) deltasPerMessageMax * (ApplicationState.values().length + 1) + 2L * endpointsMax;
  }

  private static void checkRange(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "], was " + value);
    }
  }
}
