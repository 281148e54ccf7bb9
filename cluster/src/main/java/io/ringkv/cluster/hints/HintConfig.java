package io.ringkv.cluster.hints;

import io.ringkv.storage.Durability;

/**
 * Settings of a {@link HintStore}, validated here with messages that name the config key ({@code
 * hints.*} in conf/ringkv.yaml), the value and the limit.
 *
 * @param enabled whether the node keeps hints at all ({@code hints.enabled}); if not, a write a
 *     replica missed is left to read repair and anti-entropy
 * @param windowMillis how long a hint is worth delivering ({@code hints.window_millis}): one stored
 *     longer ago is dropped unsent, as the replica has been down so long that repair must bring it
 *     up to date anyway
 * @param maxBytesPerTarget the most bytes of hints kept for one target ({@code
 *     hints.max_bytes_per_target}); a hint past it is refused
 * @param segmentBytes the size at which a target's log starts a new segment file ({@code
 *     hints.segment_bytes}); a single hint must fit in one segment
 * @param durability when a stored hint is fsynced ({@code hints.durability}): SYNC before {@link
 *     HintStore#store} returns; PERIODIC and NONE when {@link HintStore#sync} is called, a segment
 *     is sealed, or the store is closed
 */
public record HintConfig(
    boolean enabled,
    long windowMillis,
    long maxBytesPerTarget,
    long segmentBytes,
    Durability durability) {

  /** The longest window accepted: 30 days. */
  public static final long WINDOW_MILLIS_LIMIT = 30L * 24 * 3_600_000;

  /** The smallest segment accepted: a few small hints. */
  public static final long SEGMENT_BYTES_MIN = 256;

  /** The largest segment accepted: 1 GiB (the format's limit). */
  public static final long SEGMENT_BYTES_LIMIT = HintFormat.SEGMENT_BYTES_LIMIT;

  /** The largest bound per target accepted: 1 TiB. */
  public static final long MAX_BYTES_PER_TARGET_LIMIT = 1L << 40;

  public HintConfig {
    if (windowMillis < 1 || windowMillis > WINDOW_MILLIS_LIMIT) {
      throw new IllegalArgumentException(
          "hints.window_millis must be in [1, " + WINDOW_MILLIS_LIMIT + "], was " + windowMillis);
    }
    if (segmentBytes < SEGMENT_BYTES_MIN || segmentBytes > SEGMENT_BYTES_LIMIT) {
      throw new IllegalArgumentException(
          "hints.segment_bytes must be in ["
              + SEGMENT_BYTES_MIN
              + ", "
              + SEGMENT_BYTES_LIMIT
              + "], was "
              + segmentBytes);
    }
    if (maxBytesPerTarget < segmentBytes || maxBytesPerTarget > MAX_BYTES_PER_TARGET_LIMIT) {
      throw new IllegalArgumentException(
          "hints.max_bytes_per_target must be in [hints.segment_bytes ("
              + segmentBytes
              + "), "
              + MAX_BYTES_PER_TARGET_LIMIT
              + "], was "
              + maxBytesPerTarget);
    }
    if (durability == null) {
      throw new IllegalArgumentException("hints.durability must be given (SYNC, PERIODIC or NONE)");
    }
  }

  /** Enabled, a 3 h window, 1 GiB per target, 8 MiB segments, fsync before acknowledging. */
  public static HintConfig defaults() {
    return new HintConfig(true, 3L * 3_600_000, 1L << 30, 8L << 20, Durability.SYNC);
  }

  /** This config, enabled or not. */
  public HintConfig withEnabled(boolean newEnabled) {
    return new HintConfig(newEnabled, windowMillis, maxBytesPerTarget, segmentBytes, durability);
  }

  /** This config with another window. */
  public HintConfig withWindowMillis(long newWindowMillis) {
    return new HintConfig(enabled, newWindowMillis, maxBytesPerTarget, segmentBytes, durability);
  }

  /** This config with other sizes. */
  public HintConfig withSizes(long newMaxBytesPerTarget, long newSegmentBytes) {
    return new HintConfig(enabled, windowMillis, newMaxBytesPerTarget, newSegmentBytes, durability);
  }

  /** This config with another fsync policy. */
  public HintConfig withDurability(Durability newDurability) {
    return new HintConfig(enabled, windowMillis, maxBytesPerTarget, segmentBytes, newDurability);
  }
}
