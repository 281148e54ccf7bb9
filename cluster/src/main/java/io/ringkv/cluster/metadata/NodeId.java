package io.ringkv.cluster.metadata;

/**
 * A node's identity in the cluster: a name chosen by the operator (or {@code node-i} by {@code
 * ringkv up}) that stays with the node across restarts and address changes. 1 to 64 letters,
 * digits, '.', '_' or '-', starting with a letter or digit.
 *
 * <p>Immutable value; ordered by its text, so sorted maps of members iterate the same way on every
 * node.
 */
public record NodeId(String value) implements Comparable<NodeId> {
  public NodeId {
    Names.check("node id", value);
  }

  /** The node id {@code value}. */
  public static NodeId of(String value) {
    return new NodeId(value);
  }

  @Override
  public int compareTo(NodeId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
