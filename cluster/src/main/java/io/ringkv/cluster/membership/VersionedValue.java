package io.ringkv.cluster.membership;

import java.util.Objects;

/**
 * One application state value and the version its owner gave it. Versions come from the owner's
 * single counter (shared with its heartbeat), so within one generation a higher version is always a
 * later write, and a receiver keeps, per key, the value with the highest version.
 *
 * @param value the value, opaque to gossip; its length is bounded by {@link
 *     GossipConfig#valueCharsMax()}
 * @param version positive, increasing within the owner's generation
 */
public record VersionedValue(String value, long version) {
  public VersionedValue {
    Objects.requireNonNull(value, "value");
    if (version <= 0) {
      throw new IllegalArgumentException("version must be positive, was " + version);
    }
  }
}
