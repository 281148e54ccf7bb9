package io.ringkv.cluster.metadata.raft;

import java.util.Objects;

/**
 * What applying one {@link MetadataCommand} did, as every member computes it: the proposer's
 * answer. A function of the metadata and the command only, so every member returns the same result
 * for the same entry.
 */
public sealed interface MetadataResult {

  /** The epoch of the metadata after the command. */
  long epoch();

  /** The command made a new epoch. */
  record Applied(long epoch) implements MetadataResult {}

  /** The command was valid but changed nothing (a retried join, a status the member has). */
  record Unchanged(long epoch) implements MetadataResult {}

  /**
   * The command was not applied.
   *
   * @param reason why, naming the member or keyspace and the rule
   */
  record Rejected(long epoch, String reason) implements MetadataResult {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** True unless the command was rejected. */
  default boolean accepted() {
    return !(this instanceof Rejected);
  }
}
