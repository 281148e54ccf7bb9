package io.ringkv.cluster.ring;

import static io.ringkv.cluster.metadata.MetadataFixtures.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.metadata.NodeId;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenRingTest {
  private static final TokenRing RING =
      TokenRing.of(
          List.of(
              member("b", "dc1", "r2", 20, -100),
              member("a", "dc1", "r1", 10),
              member("c", "dc2", "r1", 30)));

  @Test
  void of_sortsTokensAndNodes() {
    assertThat(RING.size()).isEqualTo(4);
    assertThat(RING.asMap().keySet())
        .containsExactly(Token.of(-100), Token.of(10), Token.of(20), Token.of(30));
    assertThat(RING.nodes()).containsExactly(NodeId.of("a"), NodeId.of("b"), NodeId.of("c"));
    assertThat(RING.tokensOf(NodeId.of("b"))).containsExactly(Token.of(-100), Token.of(20));
    assertThat(RING.tokensOf(NodeId.of("zz"))).isEmpty();
  }

  @Test
  void rangeIndexOf_findsTheFirstTokenAtOrAfterAndWraps() {
    assertThat(RING.rangeIndexOf(Token.of(10))).isEqualTo(1);
    assertThat(RING.rangeIndexOf(Token.of(11))).isEqualTo(2);
    assertThat(RING.rangeIndexOf(Token.of(31))).isZero();
    assertThat(RING.rangeIndexOf(Token.MAX)).isZero();
    assertThat(RING.rangeIndexOf(Token.MIN)).isZero();
    assertThat(RING.primaryOwner(Token.of(25))).isEqualTo(NodeId.of("c"));
    assertThat(RING.primaryOwner(Token.of(31))).isEqualTo(NodeId.of("b"));
  }

  @Test
  void range_ofTheFirstTokenWrapsFromTheLast() {
    assertThat(RING.range(0)).isEqualTo(TokenRange.of(30, -100));
    assertThat(RING.range(2)).isEqualTo(TokenRange.of(10, 20));
  }

  @Test
  void topology_countsNodesAndRacksPerDatacenter() {
    assertThat(RING.datacenters()).containsExactly("dc1", "dc2");
    assertThat(RING.nodeCount("dc1")).isEqualTo(2);
    assertThat(RING.rackCount("dc1")).isEqualTo(2);
    assertThat(RING.rackCount("dc2")).isEqualTo(1);
    assertThat(RING.nodeCount("dc9")).isZero();
    assertThat(RING.rack(NodeId.of("b"))).isEqualTo("r2");
    assertThatThrownBy(() -> RING.datacenter(NodeId.of("zz")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("node zz is not on the ring");
  }

  @Test
  void of_refusesATokenClaimedTwice() {
    assertThatThrownBy(() -> TokenRing.of(List.of(member("a", 5), member("b", 6, 5))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("token 5 is claimed by both a and b");
  }

  @Test
  void empty_hasNoRanges() {
    assertThat(TokenRing.EMPTY.isEmpty()).isTrue();
    assertThat(new SimpleStrategy(3).replicas(TokenRing.EMPTY, Token.of(1))).isEmpty();
    assertThatThrownBy(() -> TokenRing.EMPTY.rangeIndexOf(Token.of(1)))
        .isInstanceOf(IllegalStateException.class);
  }
}
