package io.ringkv.server.node;

import io.ringkv.server.config.FrontEndKind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which front ends a node runs and how each is made: the seam between the node's lifecycle and the
 * protocol implementations, so that {@link Node} never names a protocol class and tests can run a
 * node with front ends of their own. {@link DefaultWiring} is what {@code ringkv server} uses.
 *
 * <p>Front ends start in list order and stop together. Each kind appears at most once: its section
 * of the configuration says whether it is enabled and where it listens.
 *
 * @param frontEnds the front ends, in start order
 * @param cluster whether the node joins a cluster (gossip on the internode port); off for tests of
 *     a lone node's front ends and lifecycle
 */
public record NodeWiring(List<Binding> frontEnds, boolean cluster) {

  /** One front end: the section that configures it, and its factory. */
  public record Binding(FrontEndKind kind, FrontEndFactory factory) {
    public Binding {
      if (kind == null || factory == null) {
        throw new IllegalArgumentException("kind and factory must not be null");
      }
    }
  }

  public NodeWiring {
    frontEnds = List.copyOf(frontEnds);
    Set<FrontEndKind> seen = EnumSet.noneOf(FrontEndKind.class);
    for (Binding binding : frontEnds) {
      if (!seen.add(binding.kind())) {
        throw new IllegalArgumentException(
            "the " + binding.kind().section() + " front end is wired twice");
      }
    }
  }

  /** A wiring of these front ends, without the cluster. */
  public NodeWiring(List<Binding> frontEnds) {
    this(frontEnds, false);
  }

  /** A node with no front ends and no cluster (the storage and metrics only). */
  public static NodeWiring none() {
    return new NodeWiring(List.of(), false);
  }

  /** This wiring with the cluster service on or off. */
  public NodeWiring withCluster(boolean enabled) {
    return new NodeWiring(frontEnds, enabled);
  }

  /** This wiring with one more front end, started after the others. */
  public NodeWiring with(FrontEndKind kind, FrontEndFactory factory) {
    List<Binding> more = new ArrayList<>(frontEnds);
    more.add(new Binding(kind, factory));
    return new NodeWiring(more, cluster);
  }
}
