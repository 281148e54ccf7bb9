package io.ringkv.cluster.membership;

import java.util.Objects;

/**
 * One line of a status display: what a node knows about one endpoint and whether it thinks it is
 * alive. An immutable snapshot, taken by {@link Gossip#view(long)}.
 *
 * @param endpoint the endpoint
 * @param self whether it is the node taking the snapshot
 * @param up whether it is considered alive (always true for the node itself)
 * @param phi the failure detector's suspicion level at the snapshot's time (0 for the node itself)
 * @param state its gossiped state
 */
public record EndpointView(
    String endpoint, boolean self, boolean up, double phi, EndpointState state) {
  public EndpointView {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(state, "state");
  }
}
