package io.ringkv.cluster.version;

import io.ringkv.cluster.metadata.NodeId;
import java.util.Objects;

/**
 * Who assigns dots in causal mode: a node in one incarnation. A node's incarnation goes up, and is
 * stored durably, before it coordinates its first causal write after a start that cannot prove its
 * previous run's writes were all synced (docs/design/causal.md, "Actors"). A node that crashed and
 * lost unsynced writes could otherwise hand out a dot it already gave to a value that reached other
 * replicas; they would take the new, different value for one they already hold and drop it. With a
 * fresh incarnation every dot the node assigns is new.
 *
 * <p>Immutable; ordered by node id, then incarnation, so every replica iterates actors the same
 * way.
 *
 * @param node the node
 * @param incarnation 0 or more; a new one per start after which unsynced writes may be lost
 */
public record Actor(NodeId node, long incarnation) implements Comparable<Actor> {
  public Actor {
    Objects.requireNonNull(node, "node");
    if (incarnation < 0) {
      throw new IllegalArgumentException(
          "actor incarnation must be >= 0, was " + incarnation + " (node " + node + ")");
    }
  }

  /** The actor of {@code node} in {@code incarnation}. */
  public static Actor of(String node, long incarnation) {
    return new Actor(NodeId.of(node), incarnation);
  }

  @Override
  public int compareTo(Actor other) {
    int byNode = node.compareTo(other.node);
    return byNode != 0 ? byNode : Long.compare(incarnation, other.incarnation);
  }

  @Override
  public String toString() {
    return node + "#" + incarnation;
  }
}
