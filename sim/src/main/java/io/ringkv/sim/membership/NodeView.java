package io.ringkv.sim.membership;

import io.ringkv.cluster.membership.ClusterMembership;
import io.ringkv.cluster.membership.EndpointState;
import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.Token;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one running node sees at one moment: who is up, at which generation, with which tokens, and
 * its {@code ringkv status}. A snapshot for assertions, read straight from the node's {@link
 * ClusterMembership}.
 */
public final class NodeView {
  private final String observer;
  private final ClusterMembership membership;
  private final long localNowNanos;

  NodeView(String observer, ClusterMembership membership, long localNowNanos) {
    this.observer = observer;
    this.membership = membership;
    this.localNowNanos = localNowNanos;
  }

  /** Whether the observer considers {@code node} alive (a node always considers itself so). */
  public boolean isUp(String node) {
    return membership.gossip().isUp(node);
  }

  /** Whether the observer does not consider {@code node} alive (unknown counts as down). */
  public boolean isDown(String node) {
    return !isUp(node);
  }

  /** The generation the observer knows {@code node} by, if it knows it. */
  public OptionalLong generationOf(String node) {
    return membership
        .gossip()
        .endpointState(node)
        .map(state -> OptionalLong.of(state.generation()))
        .orElse(OptionalLong.empty());
  }

  /** The tokens {@code node} holds in the observer's metadata (none if it is not a member). */
  public List<Token> tokensOf(String node) {
    return metadata().member(NodeId.of(node)).map(Member::tokens).orElse(List.of());
  }

  /** The observer's metadata snapshot. */
  public ClusterMetadata metadata() {
    return membership.current();
  }

  /** The observer's {@code ringkv status} lines. */
  public List<ClusterMembership.MemberStatus> status() {
    return membership.status(localNowNanos);
  }

  public ClusterMembership.JoinPhase joinPhase() {
    return membership.joinPhase();
  }

  /** Everything the observer's gossip knows of {@code node}, if anything. */
  public Optional<EndpointState> stateOf(String node) {
    return membership.gossip().endpointState(node);
  }

  @Override
  public String toString() {
    return observer + "'s view at epoch " + metadata().epoch();
  }
}
