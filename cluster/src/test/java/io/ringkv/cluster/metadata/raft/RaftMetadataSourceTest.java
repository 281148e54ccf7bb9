package io.ringkv.cluster.metadata.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.MetadataChange;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RaftMetadataSourceTest {
  private final List<byte[]> proposed = new ArrayList<>();
  private final RaftMetadataSource source =
      new RaftMetadataSource(
          command -> {
            proposed.add(command);
            return true;
          },
          8,
          3);
  private long index;

  /** Commits and applies what was proposed, as the log would. */
  private void commit() {
    for (byte[] command : proposed) {
      source.stateMachine().apply(++index, command);
    }
    proposed.clear();
  }

  private MetadataCommand proposedCommand(int i) {
    return MetadataCodec.decodeCommand(proposed.get(i));
  }

  @Test
  void propose_newMemberIsAJoinWithTheSourcesSettings() {
    Member joining = Member.joining(Commands.node(1), Commands.address(1));
    assertThat(source.propose(new MetadataChange.PutMember(joining))).isTrue();
    assertThat(proposedCommand(0))
        .isEqualTo(
            new MetadataCommand.Join(
                Commands.node(1), Commands.address(1), "dc1", "rack1", 1.0, 8, 3));
    assertThat(source.current().epoch()).isZero(); // not before it commits
    commit();
    assertThat(source.current().member(Commands.node(1)).orElseThrow().tokens()).hasSize(8);
  }

  @Test
  void propose_knownMemberWithNewAddressAndStatusIsTwoCommands() {
    source.propose(
        new MetadataChange.PutMember(Member.joining(Commands.node(1), Commands.address(1))));
    commit();
    Member member = source.current().member(Commands.node(1)).orElseThrow();
    source.propose(
        new MetadataChange.PutMember(
            member.withAddress(Commands.address(2)).withStatus(Member.Status.NORMAL)));
    assertThat(proposed).hasSize(2);
    assertThat(proposedCommand(0))
        .isEqualTo(new MetadataCommand.SetAddress(Commands.node(1), Commands.address(2)));
    assertThat(proposedCommand(1))
        .isEqualTo(new MetadataCommand.SetStatus(Commands.node(1), Member.Status.NORMAL));
  }

  @Test
  void propose_tokensOfAKnownMemberCannotChange() {
    source.propose(
        new MetadataChange.PutMember(Member.joining(Commands.node(1), Commands.address(1))));
    commit();
    Member member = source.current().member(Commands.node(1)).orElseThrow();
    assertThatThrownBy(
            () ->
                source.propose(
                    new MetadataChange.PutMember(member.withTokens(member.tokens().subList(0, 1)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot change its place, weight or tokens");
  }

  @Test
  void propose_invalidAgainstCurrentIsRefusedWithTheReason() {
    assertThatThrownBy(() -> source.propose(new MetadataChange.DropKeyspace("users")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no keyspace users at epoch 0");
    assertThat(proposed).isEmpty();
  }

  @Test
  void propose_unchangedIsNotProposed() {
    source.propose(new MetadataChange.PutKeyspace(Commands.keyspace("users", 1)));
    commit();
    assertThat(source.propose(new MetadataChange.PutKeyspace(Commands.keyspace("users", 1))))
        .isTrue();
    assertThat(proposed).isEmpty();
  }

  @Test
  void propose_backPressureIsFalse() {
    RaftMetadataSource refusing = new RaftMetadataSource(command -> false);
    assertThat(refusing.propose(new MetadataChange.PutKeyspace(Commands.keyspace("users", 1))))
        .isFalse();
  }

  @Test
  void subscribe_listenersHearEveryEpochInOrder() {
    List<Long> epochs = new ArrayList<>();
    source.subscribe((previous, current) -> epochs.add(current.epoch()));
    source.propose(new MetadataChange.PutKeyspace(Commands.keyspace("a", 1)));
    source.propose(new MetadataChange.PutKeyspace(Commands.keyspace("b", 1)));
    commit();
    ClusterMetadata before = source.current();
    source.stateMachine().restore(index, MetadataCodec.encode(before));
    assertThat(epochs).containsExactly(1L, 2L);
  }
}
