package io.ringkv.cluster.replication;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.Token;
import io.ringkv.cluster.ring.TokenRing;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Sloppy quorum's stand-ins for a token: the nodes met walking the ring clockwise from the token,
 * after (and apart from) its natural replicas, in the order met. Dynamo's preference list beyond
 * the first N. Stateless.
 */
public final class StandIns {
  private StandIns() {}

  /** The non-replica nodes of {@code ring} in clockwise order from {@code token}. */
  public static List<NodeId> of(TokenRing ring, Token token, Collection<NodeId> replicas) {
    if (ring.isEmpty()) {
      return List.of();
    }
    Set<NodeId> seen = new LinkedHashSet<>(replicas);
    List<NodeId> standIns = new ArrayList<>();
    int start = ring.rangeIndexOf(token);
    int size = ring.size();
    for (int i = 0; i < size && seen.size() < ring.nodeCount(); i++) {
      NodeId owner = ring.owner((start + i) % size);
      if (seen.add(owner)) {
        standIns.add(owner);
      }
    }
    return standIns;
  }
}
