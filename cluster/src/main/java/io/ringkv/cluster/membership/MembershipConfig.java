package io.ringkv.cluster.membership;

import io.ringkv.cluster.ring.TokenAllocator;
import java.util.Objects;

/**
 * Settings of {@link ClusterMembership}, with their relations checked here.
 *
 * @param gossip gossip's own settings and bounds
 * @param numTokens tokens of a node of weight 1 (1 to {@link TokenAllocator#NUM_TOKENS_MAX})
 * @param allocationReplicationFactor the replication factor token allocation balances for
 * @param ringDelayNanos how long a new node listens to gossip before choosing tokens, so that it
 *     knows the ring it joins (Cassandra's ring delay)
 * @param joinWaitMaxNanos how long a new node lets joining nodes with smaller ids choose their
 *     tokens first; past it, it chooses anyway (balance suffers a little, nothing else)
 */
public record MembershipConfig(
    GossipConfig gossip,
    int numTokens,
    int allocationReplicationFactor,
    long ringDelayNanos,
    long joinWaitMaxNanos) {

  private static final long SECOND_NANOS = 1_000_000_000L;

  /** The longest ring delay or join wait accepted: one hour. */
  public static final long WAIT_LIMIT_NANOS = 3_600 * SECOND_NANOS;

  public MembershipConfig {
    Objects.requireNonNull(gossip, "gossip");
    if (numTokens < 1 || numTokens > TokenAllocator.NUM_TOKENS_MAX) {
      throw new IllegalArgumentException(
          "numTokens must be in [1, " + TokenAllocator.NUM_TOKENS_MAX + "], was " + numTokens);
    }
    if (allocationReplicationFactor < 1 || allocationReplicationFactor > 16) {
      throw new IllegalArgumentException(
          "allocationReplicationFactor must be in [1, 16], was " + allocationReplicationFactor);
    }
    if (ringDelayNanos < 0 || ringDelayNanos > WAIT_LIMIT_NANOS) {
      throw new IllegalArgumentException(
          "ringDelayNanos must be in [0, " + WAIT_LIMIT_NANOS + "], was " + ringDelayNanos);
    }
    if (joinWaitMaxNanos < ringDelayNanos || joinWaitMaxNanos > WAIT_LIMIT_NANOS) {
      throw new IllegalArgumentException(
          "joinWaitMaxNanos must be in [ringDelayNanos ("
              + ringDelayNanos
              + "), "
              + WAIT_LIMIT_NANOS
              + "], was "
              + joinWaitMaxNanos);
    }
  }

  /** Gossip's defaults, 16 tokens balanced for RF 3, a 2 s ring delay, a 30 s join wait. */
  public static MembershipConfig defaults() {
    return new MembershipConfig(
        GossipConfig.defaults(),
        TokenAllocator.NUM_TOKENS_DEFAULT,
        TokenAllocator.REPLICATION_FACTOR_DEFAULT,
        2 * SECOND_NANOS,
        30 * SECOND_NANOS);
  }

  /** This config with other gossip settings. */
  public MembershipConfig withGossip(GossipConfig newGossip) {
    return new MembershipConfig(
        newGossip, numTokens, allocationReplicationFactor, ringDelayNanos, joinWaitMaxNanos);
  }

  /** This config with another ring delay and join wait. */
  public MembershipConfig withJoinTimes(long newRingDelayNanos, long newJoinWaitMaxNanos) {
    return new MembershipConfig(
        gossip, numTokens, allocationReplicationFactor, newRingDelayNanos, newJoinWaitMaxNanos);
  }
}
