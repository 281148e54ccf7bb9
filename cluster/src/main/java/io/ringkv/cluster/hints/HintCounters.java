package io.ringkv.cluster.hints;

import java.util.concurrent.atomic.AtomicLong;

/** The counters of one {@link HintStore}, shared with its target logs. Thread-safe. */
final class HintCounters {
  final AtomicLong stored = new AtomicLong();
  final AtomicLong delivered = new AtomicLong();
  final AtomicLong droppedFull = new AtomicLong();
  final AtomicLong droppedExpired = new AtomicLong();
  final AtomicLong corrupt = new AtomicLong();
}
