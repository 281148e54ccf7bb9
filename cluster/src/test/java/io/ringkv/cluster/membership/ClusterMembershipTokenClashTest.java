package io.ringkv.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.Address;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.Token;
import io.ringkv.common.Rng;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Two nodes that choose their tokens at the same moment against the same ring choose the same ones
 * (the allocator is deterministic). The member with the smaller id keeps them in every snapshot;
 * the other must choose again, or it stays out of the ring for good. Found by the simulator (sim/,
 * regression seed 5: n3 and n4 joined 0.2 s apart, n4 never became a member).
 */
class ClusterMembershipTokenClashTest {
  private static final long SECOND_NANOS = 1_000_000_000L;

  /**
   * One token per node, so that both joiners split the one range at the same point; a ring delay
   * long enough for both to hear of n1 first, and no wait for earlier joiners after it.
   */
  private static final MembershipConfig CONFIG =
      new MembershipConfig(GossipConfig.defaults(), 1, 3, 6 * SECOND_NANOS, 6 * SECOND_NANOS);

  private final TreeMap<String, ClusterMembership> nodes = new TreeMap<>();
  private final ArrayDeque<GossipMessage> inFlight = new ArrayDeque<>();

  @Test
  void derive_twoNodesChoseTheSameTokensAtOnce_theLargerIdChoosesAgainAndAllConverge() {
    start("n1", 1, 0);
    for (long second = 1; second <= 8; second++) {
      round(second * SECOND_NANOS);
    }
    assertThat(nodes.get("n1").joinPhase()).isEqualTo(ClusterMembership.JoinPhase.JOINED);

    // n2 and n3 start together and both choose in the same round, before either hears of the
    // other's tokens.
    start("n2", 2, 10 * SECOND_NANOS);
    start("n3", 3, 10 * SECOND_NANOS);
    long second = 10;
    while (SimpleView.tokens(nodes.get("n2")).isEmpty() && second < 30) {
      deliver(second * SECOND_NANOS);
      tickAll(++second * SECOND_NANOS);
    }
    List<Token> n2Tokens = SimpleView.tokens(nodes.get("n2"));
    assertThat(n2Tokens).hasSize(1).isEqualTo(SimpleView.tokens(nodes.get("n3")));

    deliver(second * SECOND_NANOS);
    for (long end = second + 20; second < end; ) {
      round(++second * SECOND_NANOS);
    }

    for (ClusterMembership node : nodes.values()) {
      assertThat(node.tokenConflicts()).as("%s conflicts", node.self()).isZero();
      assertThat(node.current().members().keySet())
          .as("%s members", node.self())
          .containsExactly(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
      assertThat(node.current().normalMemberCount()).isEqualTo(3);
      assertThat(node.current().members().get(NodeId.of("n3")).tokens())
          .isEqualTo(SimpleView.tokens(nodes.get("n3")));
    }
    assertThat(nodes.get("n3").tokensRechosen()).isEqualTo(1);
    assertThat(nodes.get("n2").tokensRechosen()).isZero();
    assertThat(SimpleView.tokens(nodes.get("n2"))).isEqualTo(n2Tokens);
    assertThat(SimpleView.tokens(nodes.get("n3"))).isNotEqualTo(n2Tokens);
  }

  private void start(String name, int number, long nowNanos) {
    Member self = Member.joining(NodeId.of(name), Address.local("127.0.0.1", number));
    ClusterMembership node =
        new ClusterMembership(
            CONFIG, self, Optional.empty(), 1, List.of("n1"), name.equals("n1"), new Rng(number));
    nodes.put(name, node);
    node.tick(nowNanos);
    drain(node);
  }

  /** Every node ticks, then every message is delivered (and the answers, until none is left). */
  private void round(long nowNanos) {
    tickAll(nowNanos);
    deliver(nowNanos);
  }

  private void tickAll(long nowNanos) {
    for (ClusterMembership node : nodes.values()) {
      node.tick(nowNanos);
      drain(node);
    }
  }

  private void deliver(long nowNanos) {
    while (!inFlight.isEmpty()) {
      GossipMessage message = inFlight.removeFirst();
      ClusterMembership to = nodes.get(message.to());
      to.step(message, nowNanos);
      drain(to);
    }
  }

  private void drain(ClusterMembership node) {
    Gossip.Ready ready = node.ready();
    inFlight.addAll(ready.messages());
    node.advance(ready);
  }

  /** The tokens a node announces for itself. */
  private static final class SimpleView {
    static List<Token> tokens(ClusterMembership node) {
      return node.gossip()
          .localState()
          .value(ApplicationState.TOKENS)
          .map(MemberValues::decodeTokens)
          .orElse(List.of());
    }
  }
}
