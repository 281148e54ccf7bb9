package io.ringkv.cluster.metadata;

import static io.ringkv.cluster.metadata.MetadataFixtures.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.metadata.Member.Status;
import io.ringkv.cluster.ring.NetworkTopologyStrategy;
import io.ringkv.cluster.ring.SimpleStrategy;
import io.ringkv.cluster.ring.TestSeeds;
import io.ringkv.cluster.ring.Token;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ClusterMetadataTest {
  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");

  @Test
  void empty_isEpochZero() {
    ClusterMetadata empty = ClusterMetadata.empty();
    assertThat(empty.epoch()).isZero();
    assertThat(empty.members()).isEmpty();
    assertThat(empty.keyspaces()).isEmpty();
    assertThat(empty.ring().isEmpty()).isTrue();
  }

  @Test
  void everyChange_bumpsTheEpochByOne() {
    ClusterMetadata m0 = ClusterMetadata.empty();
    ClusterMetadata m1 = m0.withMember(member("a", 10, 20).withStatus(Status.JOINING));
    ClusterMetadata m2 = m1.withStatus(A, Status.NORMAL);
    ClusterMetadata m3 = m2.withTokens(A, List.of(Token.of(30)));
    ClusterMetadata m4 = m3.withKeyspace(Keyspace.defaultKeyspace(1));
    ClusterMetadata m5 = m4.withMember(member("b", 40));
    ClusterMetadata m6 = m5.withStatus(B, Status.LEAVING);
    ClusterMetadata m7 = m6.withStatus(B, Status.LEFT);
    ClusterMetadata m8 = m7.withoutMember(B);
    ClusterMetadata m9 = m8.withoutKeyspace(Keyspace.DEFAULT_NAME);
    List<ClusterMetadata> chain = List.of(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9);
    for (int i = 0; i < chain.size(); i++) {
      assertThat(chain.get(i).epoch()).isEqualTo(i);
    }
    assertThat(m0.members()).isEmpty(); // earlier snapshots never change
    assertThat(m2.member(A).orElseThrow().tokens()).containsExactly(Token.of(10), Token.of(20));
  }

  @Test
  void noOpChange_returnsTheSameSnapshot() {
    ClusterMetadata metadata =
        ClusterMetadata.empty()
            .withMember(member("a", 10))
            .withKeyspace(Keyspace.defaultKeyspace(1));
    assertThat(metadata.withMember(member("a", 10))).isSameAs(metadata);
    assertThat(metadata.withStatus(A, Status.NORMAL)).isSameAs(metadata);
    assertThat(metadata.withKeyspace(Keyspace.defaultKeyspace(1))).isSameAs(metadata);
    assertThat(metadata.apply(new MetadataChange.PutMember(member("a", 10)))).isSameAs(metadata);
  }

  @Test
  void ring_holdsOnlyMembersThatOwnRanges() {
    ClusterMetadata metadata =
        ClusterMetadata.of(
            7,
            List.of(
                member("a", 10),
                member("b", 20).withStatus(Status.JOINING),
                member("c", 30).withStatus(Status.LEAVING),
                member("d", 40).withStatus(Status.LEFT)),
            List.of());
    assertThat(metadata.ring().nodes()).containsExactly(A, NodeId.of("c"));
    assertThat(metadata.ring().asMap().keySet()).containsExactly(Token.of(10), Token.of(30));
    assertThat(metadata.normalMemberCount()).isEqualTo(1);
  }

  @Test
  void withMember_rejectsATokenClaimedTwice() {
    ClusterMetadata metadata = ClusterMetadata.empty().withMember(member("a", 10, 20));
    assertThatThrownBy(() -> metadata.withMember(member("b", 20)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("token 20")
        .hasMessageContaining("a")
        .hasMessageContaining("b");
    // A Joining member reserves its tokens too.
    ClusterMetadata joining =
        ClusterMetadata.empty().withMember(member("a", 10).withStatus(Status.JOINING));
    assertThatThrownBy(() -> joining.withMember(member("b", 10)))
        .isInstanceOf(IllegalArgumentException.class);
    // A Left member's tokens are free again.
    ClusterMetadata left =
        ClusterMetadata.empty().withMember(member("a", 10).withStatus(Status.LEFT));
    assertThat(left.withMember(member("b", 10)).ring().primaryOwner(Token.of(5))).isEqualTo(B);
  }

  @Test
  void withStatus_refusesTransitionsOutOfOrder() {
    ClusterMetadata metadata = ClusterMetadata.empty().withMember(member("a", 10));
    assertThatThrownBy(() -> metadata.withStatus(A, Status.JOINING))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot go from NORMAL to JOINING");
    ClusterMetadata left = metadata.withStatus(A, Status.LEFT);
    assertThatThrownBy(() -> left.withStatus(A, Status.NORMAL))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(left.withStatus(A, Status.JOINING).member(A).orElseThrow().status())
        .isEqualTo(Status.JOINING);
    assertThatThrownBy(() -> metadata.withStatus(B, Status.LEFT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no member b");
  }

  @Test
  void of_rejectsDuplicatesAndNegativeEpochs() {
    assertThatThrownBy(
            () -> ClusterMetadata.of(1, List.of(member("a", 1), member("a", 2)), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("member a is given twice");
    assertThatThrownBy(() -> ClusterMetadata.of(-1, List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("epoch must be >= 0, was -1");
    assertThatThrownBy(
            () ->
                ClusterMetadata.of(
                    1,
                    List.of(),
                    List.of(Keyspace.defaultKeyspace(1), Keyspace.defaultKeyspace(2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyspace default is given twice");
  }

  @Test
  void of_boundsTheNumberOfMembers() {
    List<Member> members = new ArrayList<>();
    for (int i = 0; i <= ClusterMetadata.MEMBERS_MAX; i++) {
      members.add(member("n" + i, i + 1));
    }
    assertThatThrownBy(() -> ClusterMetadata.of(1, members, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1025 members; at most 1024");
  }

  @Test
  void changes_applyLikeTheWithMethods() {
    ClusterMetadata base = ClusterMetadata.empty().withMember(member("a", 10));
    Keyspace keyspace =
        new Keyspace(
            "orders",
            NetworkTopologyStrategy.of(Map.of("dc1", 3)),
            ConsistencyLevel.LOCAL_QUORUM,
            ConsistencyLevel.LOCAL_QUORUM);
    assertThat(base.apply(new MetadataChange.PutKeyspace(keyspace)))
        .isEqualTo(base.withKeyspace(keyspace));
    assertThat(base.apply(new MetadataChange.SetStatus(A, Status.LEAVING)))
        .isEqualTo(base.withStatus(A, Status.LEAVING));
    assertThat(base.apply(new MetadataChange.RemoveMember(A))).isEqualTo(base.withoutMember(A));
    ClusterMetadata withKeyspace = base.withKeyspace(keyspace);
    assertThat(withKeyspace.apply(new MetadataChange.DropKeyspace("orders")))
        .isEqualTo(withKeyspace.withoutKeyspace("orders"));
  }

  static Stream<Long> seeds() {
    return TestSeeds.seeds(0xE90C_0000L, 5);
  }

  /**
   * Random changes: each one that is accepted bumps the epoch by exactly one or is a no-op that
   * returns the same snapshot; a refused one leaves nothing changed; a snapshot rebuilt from its
   * parts in shuffled order is equal, hashes the same and prints the same, and iterates in id
   * order.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomChanges_keepEpochEqualityAndOrder(long seed) {
    Rng rng = new Rng(seed);
    ClusterMetadata metadata = ClusterMetadata.empty();
    int accepted = 0;
    for (int step = 0; step < 400; step++) {
      MetadataChange change = randomChange(rng, metadata);
      String where = TestSeeds.replay(seed) + " step " + step + " " + change;
      ClusterMetadata next;
      try {
        next = metadata.apply(change);
      } catch (IllegalArgumentException refused) {
        continue;
      }
      if (next != metadata) {
        assertThat(next.epoch()).as(where).isEqualTo(metadata.epoch() + 1);
        assertThat(next).as(where).isNotEqualTo(metadata);
        accepted++;
      }
      metadata = next;

      List<Member> members = new ArrayList<>(metadata.members().values());
      List<Keyspace> keyspaces = new ArrayList<>(metadata.keyspaces().values());
      shuffle(rng, members);
      shuffle(rng, keyspaces);
      ClusterMetadata rebuilt = ClusterMetadata.of(metadata.epoch(), members, keyspaces);
      assertThat(rebuilt).as(where).isEqualTo(metadata);
      assertThat(rebuilt.hashCode()).as(where).isEqualTo(metadata.hashCode());
      assertThat(rebuilt.toString()).as(where).isEqualTo(metadata.toString());
      assertThat(rebuilt.ring().asMap()).as(where).isEqualTo(metadata.ring().asMap());
      assertThat(new ArrayList<>(rebuilt.members().keySet()))
          .as(where)
          .isSortedAccordingTo(NodeId::compareTo);
    }
    assertThat(metadata.epoch()).as(TestSeeds.replay(seed)).isEqualTo(accepted);
    assertThat(accepted).as(TestSeeds.replay(seed)).isGreaterThan(100);
  }

  private static MetadataChange randomChange(Rng rng, ClusterMetadata metadata) {
    String id = "n" + rng.nextInt(8);
    NodeId nodeId = NodeId.of(id);
    Status[] statuses = Status.values();
    return switch (rng.nextInt(6)) {
      case 0, 1 -> {
        Member current = metadata.member(nodeId).orElse(null);
        long[] tokens = MetadataFixtures.randomTokens(rng, rng.nextInt(1, 4), new TreeSet<>());
        Member member = member(id, "dc" + rng.nextInt(2), "r" + rng.nextInt(2), tokens);
        yield new MetadataChange.PutMember(
            current == null
                ? member.withStatus(Status.JOINING)
                : member.withStatus(current.status()));
      }
      case 2 -> new MetadataChange.SetStatus(nodeId, statuses[rng.nextInt(statuses.length)]);
      case 3 -> new MetadataChange.RemoveMember(nodeId);
      case 4 ->
          new MetadataChange.PutKeyspace(
              new Keyspace(
                  "ks" + rng.nextInt(3),
                  new SimpleStrategy(rng.nextInt(1, 4)),
                  ConsistencyLevel.QUORUM,
                  ConsistencyLevel.ONE));
      default -> new MetadataChange.DropKeyspace("ks" + rng.nextInt(3));
    };
  }

  private static <T> void shuffle(Rng rng, List<T> list) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      T swap = list.get(i);
      list.set(i, list.get(j));
      list.set(j, swap);
    }
  }
}
