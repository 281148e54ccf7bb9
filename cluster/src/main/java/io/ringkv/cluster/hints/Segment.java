package io.ringkv.cluster.hints;

import java.nio.file.Path;

/**
 * One segment file of a target's log. Its mutable fields are guarded by the owning {@link
 * TargetLog}'s monitor.
 */
final class Segment {
  final long sequence;
  final Path path;

  /** Where the readable records end: every record before it was written whole. */
  long end;

  /** No record will be added: the segment was filled, abandoned after a failure, or recovered. */
  boolean sealed;

  Segment(long sequence, Path path, long end, boolean sealed) {
    this.sequence = sequence;
    this.path = path;
    this.end = end;
    this.sealed = sealed;
  }

  @Override
  public String toString() {
    return path.getFileName().toString();
  }
}
