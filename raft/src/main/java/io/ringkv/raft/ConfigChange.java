package io.ringkv.raft;

/**
 * A change of one member, proposed with {@link RaftNode#proposeConfigChange}. The leader turns it
 * into the whole new {@link Configuration} and appends that as an entry.
 */
public sealed interface ConfigChange {
  /** The member the change is about. */
  long nodeId();

  /** Adds a voter, or promotes a learner to voter. */
  record AddVoter(long nodeId) implements ConfigChange {}

  /** Adds a learner, or demotes a voter to learner. */
  record AddLearner(long nodeId) implements ConfigChange {}

  /** Removes a voter or learner. */
  record RemoveMember(long nodeId) implements ConfigChange {}
}
