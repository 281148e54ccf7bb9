package io.ringkv.server.config;

import java.util.List;
import java.util.Objects;

/**
 * The {@code cluster} section: which cluster the node belongs to, how it finds it, where it stands
 * in it, and the gossip and failure detection settings.
 *
 * @param name the cluster's name; nodes of another cluster are refused at the handshake
 * @param seeds internode addresses of the nodes a new node contacts first; a node whose own
 *     internode address is listed may found the cluster alone
 * @param datacenter the node's datacenter (NetworkTopologyStrategy)
 * @param rack the node's rack within its datacenter
 * @param weight the node's capacity relative to a standard node: it gets round(num_tokens × weight)
 *     tokens
 * @param numTokens ring tokens of a node of weight 1
 * @param advertiseHost the host other nodes and clients reach this node at; empty: the internode
 *     listen host
 * @param phiConvictThreshold the failure detector's threshold
 * @param gossipIntervalMillis how often the node gossips
 * @param ringDelayMillis how long a new node listens before choosing its tokens
 * @param joinWaitMaxMillis how long a new node lets joining nodes with smaller ids go first
 * @param metadata where the cluster metadata is authoritative: {@code gossip} (derived from what
 *     nodes gossip) or {@code raft} (a Raft log among 3 or 5 voters,
 *     docs/design/metadata-on-raft.md)
 */
public record ClusterSection(
    String name,
    List<HostPort> seeds,
    String datacenter,
    String rack,
    double weight,
    int numTokens,
    String advertiseHost,
    double phiConvictThreshold,
    long gossipIntervalMillis,
    long ringDelayMillis,
    long joinWaitMaxMillis,
    String metadata) {
  /** {@code cluster.metadata}: the metadata derived from gossip. */
  public static final String METADATA_GOSSIP = "gossip";

  /** {@code cluster.metadata}: the metadata in a Raft log. */
  public static final String METADATA_RAFT = "raft";

  public ClusterSection {
    Objects.requireNonNull(name, "name");
    seeds = List.copyOf(seeds);
    Objects.requireNonNull(datacenter, "datacenter");
    Objects.requireNonNull(rack, "rack");
    Objects.requireNonNull(advertiseHost, "advertiseHost");
    if (!METADATA_GOSSIP.equals(metadata) && !METADATA_RAFT.equals(metadata)) {
      throw new IllegalArgumentException(
          "cluster.metadata must be "
              + METADATA_GOSSIP
              + " or "
              + METADATA_RAFT
              + ", was "
              + metadata);
    }
  }

  /** True if the metadata lives in a Raft log ({@code cluster.metadata: raft}). */
  public boolean metadataOnRaft() {
    return METADATA_RAFT.equals(metadata);
  }

  /** This section with {@code newSeeds}. */
  public ClusterSection withSeeds(List<HostPort> newSeeds) {
    return new ClusterSection(
        name,
        newSeeds,
        datacenter,
        rack,
        weight,
        numTokens,
        advertiseHost,
        phiConvictThreshold,
        gossipIntervalMillis,
        ringDelayMillis,
        joinWaitMaxMillis,
        metadata);
  }

  /** This section with {@code cluster.metadata} set to {@code newMetadata}. */
  public ClusterSection withMetadata(String newMetadata) {
    return new ClusterSection(
        name,
        seeds,
        datacenter,
        rack,
        weight,
        numTokens,
        advertiseHost,
        phiConvictThreshold,
        gossipIntervalMillis,
        ringDelayMillis,
        joinWaitMaxMillis,
        newMetadata);
  }
}
