package io.ringkv.cluster.metadata;

import static io.ringkv.cluster.metadata.MetadataFixtures.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.metadata.Member.Status;
import io.ringkv.cluster.ring.Token;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Validation of node ids, addresses and members: each refusal names the field, value and limit. */
class MemberTest {

  @Test
  void nodeId_acceptsNamesAndRefusesOthers() {
    assertThat(NodeId.of("node-1").value()).isEqualTo("node-1");
    assertThat(NodeId.of("a.b_c-9").toString()).isEqualTo("a.b_c-9");
    for (String bad : List.of("", "-x", "has space", "x/y", "é", "a".repeat(65))) {
      assertThatThrownBy(() -> NodeId.of(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("node id '" + bad + "'")
          .hasMessageContaining("1 to 64");
    }
    assertThat(NodeId.of("a".repeat(64)).value()).hasSize(64);
    assertThat(NodeId.of("b")).isGreaterThan(NodeId.of("a"));
  }

  @Test
  void address_refusesPortsOutOfRange() {
    assertThatThrownBy(() -> new Address("h", 0, 6379, 8080, 9090))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("internode port must be in [1, 65535], was 0");
    assertThatThrownBy(() -> new Address("h", 7000, 70_000, 8080, 9090))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("resp port must be in [0, 65535], was 70000");
    assertThatThrownBy(() -> new Address("a host", 7000, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("whitespace");
    assertThat(new Address("h", 7000, 0, 0, 0).respPort()).isZero(); // front ends disabled
  }

  @Test
  void address_localFollowsTheDesignPorts() {
    assertThat(Address.local("127.0.0.1", 3))
        .isEqualTo(new Address("127.0.0.1", 7002, 6381, 8082, 9092));
  }

  @Test
  void member_sortsTokensAndRefusesDuplicatesAndTheMinimum() {
    assertThat(member("a", 30, -5, 10).tokens())
        .containsExactly(Token.of(-5), Token.of(10), Token.of(30));
    assertThatThrownBy(() -> member("a", 10, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("member a lists token 10 twice");
    assertThatThrownBy(() -> member("a", Long.MIN_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved minimum token");
  }

  @Test
  void member_thatOwnsRangesNeedsTokens() {
    assertThatThrownBy(() -> member("a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("member a is NORMAL but has no tokens; it needs at least 1");
    assertThat(member("a", 1).withStatus(Status.LEFT).withTokens(List.of()).tokens()).isEmpty();
    assertThat(Member.joining(NodeId.of("j"), Address.local("h", 1)).tokens()).isEmpty();
  }

  @Test
  void member_boundsWeightAndTokens() {
    assertThatThrownBy(() -> member("a", 1).withWeight(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weight must be in [0.015625, 64.0], was 0.0");
    assertThatThrownBy(() -> member("a", 1).withWeight(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    List<Token> tooMany = new ArrayList<>();
    for (int i = 1; i <= Member.TOKENS_MAX + 1; i++) {
      tooMany.add(Token.of(i));
    }
    assertThatThrownBy(() -> member("a", 1).withTokens(tooMany))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("member a has 4097 tokens; at most 4096");
  }

  @Test
  void member_refusesBadPlaces() {
    assertThatThrownBy(() -> member("a", 1).withPlace("dc 1", "r1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("datacenter 'dc 1'");
    assertThatThrownBy(() -> member("a", 1).withPlace("dc1", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rack ''");
  }

  @Test
  void status_transitions() {
    assertThat(Status.JOINING.canBecome(Status.NORMAL)).isTrue();
    assertThat(Status.JOINING.canBecome(Status.LEAVING)).isFalse();
    assertThat(Status.NORMAL.canBecome(Status.LEAVING)).isTrue();
    assertThat(Status.NORMAL.canBecome(Status.JOINING)).isFalse();
    assertThat(Status.LEAVING.canBecome(Status.NORMAL)).isTrue();
    assertThat(Status.LEFT.canBecome(Status.JOINING)).isTrue();
    assertThat(Status.LEFT.canBecome(Status.NORMAL)).isFalse();
    assertThat(Status.NORMAL.ownsRanges()).isTrue();
    assertThat(Status.LEAVING.ownsRanges()).isTrue();
    assertThat(Status.JOINING.ownsRanges()).isFalse();
    assertThat(Status.LEFT.ownsRanges()).isFalse();
  }
}
