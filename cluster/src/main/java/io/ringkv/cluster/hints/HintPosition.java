package io.ringkv.cluster.hints;

/**
 * Where a {@link HintBatch} ends in its target's log: opaque to callers, who only hand it back in
 * {@link HintStore#delivered}. Immutable.
 */
public final class HintPosition {
  /** The position of an empty batch: delivering it does nothing. */
  static final HintPosition NONE = new HintPosition(null, null, 0, 0);

  final TargetLog log;
  final Segment segment;
  final long offset;

  /** Hints between the batch's start and this position skipped as older than the window. */
  final int expired;

  HintPosition(TargetLog log, Segment segment, long offset, int expired) {
    this.log = log;
    this.segment = segment;
    this.offset = offset;
    this.expired = expired;
  }

  @Override
  public String toString() {
    return segment == null ? "HintPosition{none}" : "HintPosition{" + segment + "@" + offset + "}";
  }
}
