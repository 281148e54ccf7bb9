package io.ringkv.client;

/** How a keyspace resolves concurrent writes to a key (docs/design/causal.md). */
public enum ConflictMode {
  /** Last write wins on timestamps: of concurrent writes all but one are lost. */
  LWW,
  /** Concurrent writes become siblings with a causal context; counters and sets merge. */
  CAUSAL
}
