package io.ringkv.cluster.metadata;

import static io.ringkv.cluster.metadata.MetadataFixtures.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryMetadataSourceTest {

  @Test
  void propose_appliesAtOnceAndTellsListenersInOrder() {
    InMemoryMetadataSource source = new InMemoryMetadataSource(ClusterMetadata.empty());
    List<String> heard = new ArrayList<>();
    source.subscribe((previous, current) -> heard.add(previous.epoch() + "->" + current.epoch()));
    assertThat(source.propose(new MetadataChange.PutMember(member("a", 10)))).isTrue();
    assertThat(source.propose(new MetadataChange.PutKeyspace(Keyspace.defaultKeyspace(1))))
        .isTrue();
    assertThat(source.current().epoch()).isEqualTo(2);
    assertThat(heard).containsExactly("0->1", "1->2");
  }

  @Test
  void propose_noOpIsNotAnEpoch() {
    InMemoryMetadataSource source =
        new InMemoryMetadataSource(ClusterMetadata.empty().withMember(member("a", 10)));
    List<Long> heard = new ArrayList<>();
    source.subscribe((previous, current) -> heard.add(current.epoch()));
    source.propose(new MetadataChange.PutMember(member("a", 10)));
    assertThat(heard).isEmpty();
    assertThat(source.current().epoch()).isEqualTo(1);
  }

  @Test
  void propose_invalidChangeIsRefusedAndChangesNothing() {
    InMemoryMetadataSource source = new InMemoryMetadataSource(ClusterMetadata.empty());
    assertThatThrownBy(() -> source.propose(new MetadataChange.RemoveMember(NodeId.of("x"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no member x");
    assertThat(source.current()).isSameAs(ClusterMetadata.empty());
  }

  @Test
  void install_takesOnlyNewerEpochs() {
    ClusterMetadata start = ClusterMetadata.empty().withMember(member("a", 10));
    InMemoryMetadataSource source = new InMemoryMetadataSource(start);
    List<Long> heard = new ArrayList<>();
    source.subscribe((previous, current) -> heard.add(current.epoch()));
    ClusterMetadata learned = ClusterMetadata.of(9, start.members().values(), List.of());
    assertThat(source.install(learned)).isTrue();
    assertThat(source.install(start)).isFalse();
    assertThat(source.install(learned)).isFalse();
    assertThat(source.current()).isSameAs(learned);
    assertThat(heard).containsExactly(9L);
  }

  @Test
  void subscribe_isBounded() {
    InMemoryMetadataSource source = new InMemoryMetadataSource(ClusterMetadata.empty());
    for (int i = 0; i < InMemoryMetadataSource.LISTENERS_MAX; i++) {
      source.subscribe((previous, current) -> {});
    }
    assertThatThrownBy(() -> source.subscribe((previous, current) -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("32 listeners");
  }
}
