package io.ringkv.sim.replication;

import io.ringkv.sim.membership.StopKind;

/** Hears what happens to a {@link ReplicatedCluster}'s nodes and links; every method optional. */
public interface ReplicationListener {
  /** A process started (a restart if the node ran before). */
  default void onStarted(ReplicaNode node, boolean restart) {}

  /** The node stopped: a crash of some kind, or a freeze. */
  default void onStopped(ReplicaNode node, StopKind kind) {}

  /** A frozen node resumed (before it takes the messages that waited). */
  default void onThawed(ReplicaNode node) {}

  /** The node's monotonic clock jumped by {@code deltaNanos}. */
  default void onClockJumped(ReplicaNode node, long deltaNanos) {}

  /** A link was cut, restored, or changed its loss, or the network's loss changed. */
  default void onLinkChanged(String from, String to) {}
}
