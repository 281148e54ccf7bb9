package io.ringkv.server.cluster;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.NodeId;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a request coordinator needs to know of the cluster, as one immutable snapshot that the
 * cluster loop publishes after every change it makes (a volatile write) and any thread reads
 * without locking: the metadata, who is up, and whether this node's clock is fit to stamp writes.
 *
 * @param self this node
 * @param metadata the newest metadata snapshot this node has installed
 * @param up the nodes the failure detector holds Up, this node included
 * @param clockRefusal why this node must not coordinate writes now (its clock is skewed from its
 *     peers' beyond {@code replication.max_clock_skew_millis}), or empty
 * @param clockSkewMillis this node's measured skew from its peers (positive: ahead), 0 when unknown
 * @param started false until the cluster service has started (nothing is known yet)
 */
public record ClusterView(
    NodeId self,
    ClusterMetadata metadata,
    Set<NodeId> up,
    Optional<String> clockRefusal,
    long clockSkewMillis,
    boolean started) {

  public ClusterView {
    Objects.requireNonNull(self, "self");
    Objects.requireNonNull(metadata, "metadata");
    up = Set.copyOf(up);
    Objects.requireNonNull(clockRefusal, "clockRefusal");
  }

  /** The view before the cluster service has started: no metadata, only this node up. */
  public static ClusterView starting(NodeId self) {
    return new ClusterView(self, ClusterMetadata.empty(), Set.of(self), Optional.empty(), 0, false);
  }

  /** A started view of {@code metadata} with {@code up} alive and a clock fit to stamp writes. */
  public static ClusterView of(NodeId self, ClusterMetadata metadata, Set<NodeId> up) {
    return new ClusterView(self, metadata, up, Optional.empty(), 0, true);
  }

  /** True if the failure detector holds {@code node} Up. */
  public boolean isUp(NodeId node) {
    return up.contains(node);
  }
}
