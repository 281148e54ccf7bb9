package io.ringkv.cluster.replication;

import io.ringkv.cluster.metadata.NodeId;

/**
 * The shape every coordination handler shares, so that a driver (the server's replication service,
 * the simulator's node process) treats writes, reads and scan pages alike: inputs in, {@link
 * Effects} out. Pure; not thread-safe: the driver serialises calls to one handler.
 */
public sealed interface RequestCoordination
    permits WriteCoordination, ReadCoordination, RangeScanCoordination {

  /** Sends the first requests; may decide at once. Called once, first. */
  Effects start();

  /** {@code from} answered; an answer of the wrong kind counts as a failure of {@code from}. */
  Effects onAnswer(NodeId from, ReplicaReply reply);

  /** Sending to {@code from} failed, or it answered with an error. */
  Effects onFailed(NodeId from, String reason);

  /** The request's timeout passed. */
  Effects onTimeout();

  /** The speculative-retry delay passed (only reads do anything). */
  default Effects onSpeculate() {
    return Effects.none();
  }

  /** True once nothing more is expected: the driver may forget the handler. */
  boolean isFinished();
}
