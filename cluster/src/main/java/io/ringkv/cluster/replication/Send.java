package io.ringkv.cluster.replication;

import io.ringkv.cluster.metadata.NodeId;
import java.util.Objects;

/**
 * A request for the driver to send to {@code to} (possibly this node itself, which the driver
 * answers from its {@link LocalReplica}); the answer, or the failure, goes back to the handler that
 * asked.
 */
public record Send(NodeId to, ReplicaRequest request) {
  public Send {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(request, "request");
  }
}
