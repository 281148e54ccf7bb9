package io.ringkv.cluster.ring;

import static io.ringkv.cluster.metadata.MetadataFixtures.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.NodeId;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class OwnershipTest {
  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");
  private static final NodeId C = NodeId.of("c");

  @Test
  void primary_wrappingRangeCountsBothEnds() {
    // Sorted: a at -2^62, c at -2^61, b at 0. a owns (0, -2^62], from 0 past MAX to -2^62:
    // three quarters; c owns (-2^62, -2^61] and b (-2^61, 0], an eighth each.
    ClusterMetadata metadata =
        ClusterMetadata.of(
            1,
            List.of(member("a", Long.MIN_VALUE / 2), member("b", 0), member("c", -1L << 61)),
            List.of());
    Ownership ownership = Ownership.primary(metadata.ring());
    assertThat(ownership.fraction(A)).isEqualTo(0.75);
    assertThat(ownership.fraction(C)).isEqualTo(0.125);
    assertThat(ownership.fraction(B)).isEqualTo(0.125);
    assertThat(ownership.total()).isEqualTo(BigInteger.ONE.shiftLeft(64));
    assertThat(ownership.fraction(NodeId.of("nobody"))).isZero();
  }

  @Test
  void primary_singleTokenOwnsTheWholeRing() {
    ClusterMetadata metadata = ClusterMetadata.of(1, List.of(member("a", 12345)), List.of());
    assertThat(Ownership.primary(metadata.ring()).fraction(A)).isEqualTo(1.0);
  }

  @Test
  void effective_replicationFactorThreeOnThreeNodesIsEverything() {
    ClusterMetadata metadata =
        ClusterMetadata.of(
            1,
            List.of(member("a", 10, 40), member("b", 20), member("c", 30)),
            List.of(Keyspace.defaultKeyspace(3)));
    Ownership effective = Ownership.effective(metadata, Keyspace.DEFAULT_NAME);
    assertThat(effective.fractions().values()).containsOnly(1.0);
    assertThat(effective.total())
        .isEqualTo(BigInteger.ONE.shiftLeft(64).multiply(BigInteger.valueOf(3)));
    assertThatThrownBy(() -> Ownership.effective(metadata, "nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no keyspace nope at epoch 1");
  }

  @Test
  void effective_moreReplicasThanNodesCountsEachNodeOnce() {
    ClusterMetadata metadata =
        ClusterMetadata.of(1, List.of(member("a", 10), member("b", 20)), List.of());
    Ownership effective = Ownership.effective(metadata.ring(), new SimpleStrategy(3));
    assertThat(effective.fractions().values()).containsOnly(1.0);
    assertThat(new SimpleStrategy(3).effectiveReplicationFactor(metadata.ring())).isEqualTo(2);
  }
}
