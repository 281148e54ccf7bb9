package io.ringkv.sim.membership;

import io.ringkv.cluster.membership.ClusterMembership;
import io.ringkv.cluster.membership.EndpointState;
import io.ringkv.cluster.membership.MemberValues;
import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.Ownership;
import io.ringkv.cluster.ring.Token;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The convergence predicate of issue 5: every node runs and has joined (Normal, with tokens); every
 * node's {@link ClusterMetadata} holds every node, each exactly as that node announces itself
 * (status, tokens, address, datacenter, rack, weight: the dumb model is each node's own state);
 * every node knows every other at that node's own current generation and considers it up; nobody
 * leaves a member out for clashing tokens; tokens are distinct and primary ownership sums to
 * exactly 100%.
 *
 * <p>Stateless and thread-safe (it only reads the cluster it is given, on the caller's thread).
 */
public final class Convergence {
  private static final BigInteger RING_SIZE = BigInteger.ONE.shiftLeft(64);

  private Convergence() {}

  /** Why {@code cluster} has not converged, or empty if it has. */
  public static Optional<String> whyNot(SimCluster cluster) {
    TreeMap<NodeId, Member> truth = new TreeMap<>();
    for (SimNode node : cluster.nodes()) {
      if (!node.isRunning()) {
        return Optional.of(node.name() + " is " + node.state());
      }
      ClusterMembership membership = node.membership().orElseThrow();
      if (membership.joinPhase() != ClusterMembership.JoinPhase.JOINED) {
        return Optional.of(node.name() + " has not joined: " + membership.joinPhase());
      }
      Optional<Member> self = MemberValues.decode(membership.gossip().localState());
      if (self.isEmpty() || self.get().status() != Member.Status.NORMAL) {
        return Optional.of(node.name() + " does not announce itself Normal: " + self);
      }
      truth.put(self.get().id(), self.get());
    }
    for (SimNode observer : cluster.nodes()) {
      ClusterMembership membership = observer.membership().orElseThrow();
      if (membership.tokenConflicts() > 0) {
        return Optional.of(
            observer.name()
                + " leaves out "
                + membership.tokenConflicts()
                + " members whose tokens clash");
      }
      ClusterMetadata metadata = membership.current();
      if (!metadata.members().keySet().equals(truth.keySet())) {
        return Optional.of(
            observer.name()
                + " knows members "
                + metadata.members().keySet()
                + ", not "
                + truth.keySet());
      }
      for (SimNode subject : cluster.nodes()) {
        NodeId id = NodeId.of(subject.name());
        Member seen = metadata.members().get(id);
        if (!seen.equals(truth.get(id))) {
          return Optional.of(
              observer.name()
                  + " sees "
                  + seen
                  + " but "
                  + subject.name()
                  + " is "
                  + truth.get(id));
        }
        EndpointState state = membership.gossip().endpointState(subject.name()).orElseThrow();
        if (state.generation() != subject.generation()) {
          return Optional.of(
              observer.name()
                  + " knows "
                  + subject.name()
                  + " at generation "
                  + state.generation()
                  + ", but it runs generation "
                  + subject.generation());
        }
        if (!membership.gossip().isUp(subject.name())) {
          return Optional.of(observer.name() + " sees " + subject.name() + " down");
        }
      }
    }
    ClusterMetadata any = cluster.nodes().iterator().next().membership().orElseThrow().current();
    Set<Token> tokens = new HashSet<>();
    int count = 0;
    for (Member member : any.members().values()) {
      tokens.addAll(member.tokens());
      count += member.tokens().size();
    }
    if (tokens.size() != count) {
      return Optional.of((count - tokens.size()) + " tokens are held twice");
    }
    Ownership primary = Ownership.primary(any.ring());
    if (!primary.total().equals(RING_SIZE)) {
      return Optional.of("primary ownership sums to " + primary.total() + " tokens, not 2^64");
    }
    if (!new TreeSet<>(primary.tokenCounts().keySet()).equals(truth.navigableKeySet())) {
      return Optional.of("the ring holds " + primary.tokenCounts().keySet());
    }
    return Optional.empty();
  }
}
