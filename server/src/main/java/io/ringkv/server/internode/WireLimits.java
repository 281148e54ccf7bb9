package io.ringkv.server.internode;

import io.ringkv.cluster.membership.GossipConfig;

/**
 * The gossip bounds (docs/design/gossip.md, "Bounds") that the codec enforces on the wire, in both
 * directions: a message over them is refused by the encoder (a programmer error: gossip never
 * builds one) and by the decoder (the frame is corrupt or the peer misconfigured, and its
 * connection is closed). Every node of a cluster must use the same gossip bounds.
 *
 * @param digestsMax digests per SYN and requests per ACK ({@link GossipConfig#synDigestsMax()})
 * @param deltasMax endpoint states per ACK or ACK2 ({@link GossipConfig#deltasPerMessageMax()})
 * @param valueCharsMax characters per application state value ({@link
 *     GossipConfig#valueCharsMax()})
 */
public record WireLimits(int digestsMax, int deltasMax, int valueCharsMax) {
  public WireLimits {
    InternodeConfig.checkRange("digestsMax", digestsMax, 1, GossipConfig.COUNT_LIMIT);
    InternodeConfig.checkRange("deltasMax", deltasMax, 1, GossipConfig.COUNT_LIMIT);
    InternodeConfig.checkRange("valueCharsMax", valueCharsMax, 1, GossipConfig.VALUE_CHARS_LIMIT);
  }

  /** The bounds of a node running gossip with {@code config}. */
  public static WireLimits of(GossipConfig config) {
    return new WireLimits(
        config.synDigestsMax(), config.deltasPerMessageMax(), config.valueCharsMax());
  }

  /** The bounds of {@link GossipConfig#defaults()}: 512 digests, 64 deltas, 16,384 chars. */
  public static WireLimits defaults() {
    return of(GossipConfig.defaults());
  }
}
