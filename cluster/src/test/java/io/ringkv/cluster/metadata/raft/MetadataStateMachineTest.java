package io.ringkv.cluster.metadata.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.ring.KeyCodec;
import io.ringkv.cluster.ring.TestSeeds;
import io.ringkv.cluster.ring.Token;
import io.ringkv.common.Rng;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MetadataStateMachineTest {
  private final MetadataStateMachine machine = new MetadataStateMachine();
  private long index;

  private MetadataResult apply(MetadataCommand command) {
    return MetadataCodec.decodeResult(machine.apply(++index, MetadataCodec.encode(command)));
  }

  @Test
  void join_allocatesTokensAndBumpsTheEpoch() {
    assertThat(apply(Commands.join(1))).isEqualTo(new MetadataResult.Applied(1));
    Member member = machine.metadata().member(Commands.node(1)).orElseThrow();
    assertThat(member.status()).isEqualTo(Member.Status.JOINING);
    assertThat(member.tokens()).hasSize(16);
    assertThat(machine.appliedIndex()).isEqualTo(1);
  }

  @Test
  void join_retriedIsUnchanged() {
    apply(Commands.join(1));
    assertThat(apply(Commands.join(1))).isEqualTo(new MetadataResult.Unchanged(1));
    assertThat(machine.metadata().epoch()).isEqualTo(1);
  }

  @Test
  void join_ofAMemberWithAnotherAddressIsRejectedWithTheReason() {
    apply(Commands.join(1));
    MetadataCommand.Join moved =
        MetadataCommand.Join.of(Commands.node(1), Commands.address(5), "dc1", "rack1", 1.0);
    MetadataResult result = apply(moved);
    assertThat(result).isInstanceOf(MetadataResult.Rejected.class);
    assertThat(((MetadataResult.Rejected) result).reason())
        .contains("member node-1 is already in the cluster as JOINING");
    assertThat(machine.metadata().epoch()).isEqualTo(1);
  }

  @Test
  void join_afterLeftJoinsAgainWithNewTokens() {
    apply(Commands.join(1));
    apply(new MetadataCommand.Leave(Commands.node(1)));
    assertThat(machine.metadata().member(Commands.node(1)).orElseThrow().status())
        .isEqualTo(Member.Status.LEFT);
    assertThat(apply(Commands.join(1))).isEqualTo(new MetadataResult.Applied(3));
  }

  /** The point of allocating on apply: joins back to back never clash, in any datacenter mix. */
  @Test
  void join_concurrentJoinsGetDisjointTokens() {
    for (int i = 1; i <= 40; i++) {
      assertThat(apply(Commands.join(i, i % 4 == 0 ? "dc2" : "dc1", i % 5 == 0 ? 2.0 : 1.0)))
          .isInstanceOf(MetadataResult.Applied.class);
    }
    Set<Token> seen = new HashSet<>();
    int tokens = 0;
    for (Member member : machine.metadata().members().values()) {
      tokens += member.tokens().size();
      seen.addAll(member.tokens());
    }
    assertThat(seen).hasSize(tokens);
  }

  @Test
  void setStatus_followsTheTransitions() {
    apply(Commands.join(1));
    assertThat(apply(new MetadataCommand.SetStatus(Commands.node(1), Member.Status.NORMAL)))
        .isEqualTo(new MetadataResult.Applied(2));
    assertThat(apply(new MetadataCommand.SetStatus(Commands.node(1), Member.Status.NORMAL)))
        .isEqualTo(new MetadataResult.Unchanged(2));
    MetadataResult bad =
        apply(new MetadataCommand.SetStatus(Commands.node(1), Member.Status.JOINING));
    assertThat(((MetadataResult.Rejected) bad).reason())
        .isEqualTo("member node-1 cannot go from NORMAL to JOINING");
    assertThat(machine.metadata().ring().nodeCount()).isEqualTo(1);
  }

  @Test
  void leave_normalBecomesLeavingAndJoiningBecomesLeft() {
    apply(Commands.join(1));
    apply(Commands.join(2));
    apply(new MetadataCommand.SetStatus(Commands.node(1), Member.Status.NORMAL));
    apply(new MetadataCommand.Leave(Commands.node(1)));
    apply(new MetadataCommand.Leave(Commands.node(2)));
    assertThat(machine.metadata().member(Commands.node(1)).orElseThrow().status())
        .isEqualTo(Member.Status.LEAVING);
    assertThat(machine.metadata().member(Commands.node(2)).orElseThrow().status())
        .isEqualTo(Member.Status.LEFT);
    assertThat(apply(new MetadataCommand.Leave(Commands.node(1))))
        .isEqualTo(new MetadataResult.Unchanged(5));
  }

  @Test
  void remove_purgesAndUnknownIsRejected() {
    apply(Commands.join(1));
    assertThat(apply(new MetadataCommand.Remove(Commands.node(1))))
        .isEqualTo(new MetadataResult.Applied(2));
    assertThat(machine.metadata().members()).isEmpty();
    assertThat(apply(new MetadataCommand.Remove(Commands.node(1))))
        .isEqualTo(new MetadataResult.Rejected(2, "no member node-1 at epoch 2"));
  }

  @Test
  void setAddress_andKeyspaces() {
    apply(Commands.join(1));
    apply(new MetadataCommand.SetAddress(Commands.node(1), Commands.address(9)));
    assertThat(machine.metadata().member(Commands.node(1)).orElseThrow().address())
        .isEqualTo(Commands.address(9));
    apply(new MetadataCommand.PutKeyspace(Commands.keyspace("users", 2)));
    assertThat(machine.metadata().keyspace("users")).isPresent();
    assertThat(apply(new MetadataCommand.DropKeyspace("users")))
        .isEqualTo(new MetadataResult.Applied(4));
    assertThat(apply(new MetadataCommand.DropKeyspace("users")))
        .isEqualTo(new MetadataResult.Rejected(4, "no keyspace users at epoch 4"));
  }

  @Test
  void apply_keyspaceWithAnExistingKeyspacesTagIsRejected() {
    // "ks52442" and "ks61972" share the stored-key tag 3509406256 (found by search).
    assertThat(KeyCodec.tag("ks52442")).isEqualTo(KeyCodec.tag("ks61972"));
    apply(Commands.join(1));
    apply(new MetadataCommand.PutKeyspace(Commands.keyspace("ks52442", 1)));
    long epoch = machine.metadata().epoch();
    MetadataResult clash = apply(new MetadataCommand.PutKeyspace(Commands.keyspace("ks61972", 1)));
    assertThat(clash).isInstanceOf(MetadataResult.Rejected.class);
    assertThat(((MetadataResult.Rejected) clash).reason())
        .contains("'ks61972'", "'ks52442'", "3509406256");
    assertThat(machine.metadata().epoch()).isEqualTo(epoch);
    assertThat(machine.metadata().keyspace("ks61972")).isEmpty();
    // Changing the keyspace that holds the tag is not a clash with itself.
    assertThat(apply(new MetadataCommand.PutKeyspace(Commands.keyspace("ks52442", 2))))
        .isInstanceOf(MetadataResult.Applied.class);
  }

  @Test
  void apply_undecodableCommandIsARejectionNotAnError() {
    MetadataResult result =
        MetadataCodec.decodeResult(machine.apply(++index, new byte[] {1, 2, 3}));
    assertThat(((MetadataResult.Rejected) result).reason()).startsWith("undecodable command:");
    assertThat(machine.appliedIndex()).isEqualTo(1);
  }

  @Test
  void apply_outOfOrderIndexIsAProgrammerError() {
    assertThatThrownBy(() -> machine.apply(2, MetadataCodec.encode(Commands.join(1))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("metadata entry 2 is not the next after applied index 0");
    machine.skip(1);
    assertThat(machine.appliedIndex()).isEqualTo(1);
  }

  @Test
  void snapshot_restoresOnAnotherMachine() {
    apply(Commands.join(1));
    apply(Commands.join(2));
    apply(new MetadataCommand.PutKeyspace(Commands.keyspace("users", 2)));
    List<ClusterMetadata> heard = new ArrayList<>();
    MetadataStateMachine other =
        new MetadataStateMachine((previous, current) -> heard.add(current));
    other.restore(machine.appliedIndex(), machine.snapshot());
    assertThat(other.metadata()).isEqualTo(machine.metadata());
    assertThat(other.appliedIndex()).isEqualTo(3);
    assertThat(heard).containsExactly(machine.metadata());
    // Both go on alike from there.
    byte[] next = MetadataCodec.encode(Commands.join(3));
    assertThat(other.apply(4, next)).isEqualTo(machine.apply(++index, next));
    assertThat(other.snapshot()).isEqualTo(machine.snapshot());
  }

  @Test
  void listener_hearsEachNewEpochOnce() {
    List<Long> epochs = new ArrayList<>();
    MetadataStateMachine heard =
        new MetadataStateMachine((previous, current) -> epochs.add(current.epoch()));
    heard.apply(1, MetadataCodec.encode(Commands.join(1)));
    heard.apply(2, MetadataCodec.encode(Commands.join(1)));
    heard.apply(3, MetadataCodec.encode(new MetadataCommand.Leave(Commands.node(1))));
    assertThat(epochs).containsExactly(1L, 2L);
  }

  static Stream<Long> seeds() {
    return TestSeeds.seeds(0x5354_4154L, 20);
  }

  /**
   * Determinism: the same command list on two machines, one of them restored half way from the
   * other's snapshot, gives the same results and equal snapshots; the epoch counts the applied
   * results; tokens never clash.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void apply_sameCommandsGiveTheSameMetadata(long seed) {
    Rng rng = new Rng(seed);
    List<byte[]> commands = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      commands.add(MetadataCodec.encode(Commands.random(rng, 12)));
    }
    MetadataStateMachine first = new MetadataStateMachine();
    MetadataStateMachine second = new MetadataStateMachine();
    int restoreAt = 1 + rng.nextInt(commands.size() - 1);
    long applied = 0;
    for (int i = 0; i < commands.size(); i++) {
      long at = i + 1;
      byte[] result = first.apply(at, commands.get(i));
      if (MetadataCodec.decodeResult(result) instanceof MetadataResult.Applied) {
        applied++;
      }
      if (i < restoreAt) {
        continue;
      }
      if (i == restoreAt) {
        second.restore(i, MetadataCodec.encode(firstAt(commands, i)));
      }
      assertThat(second.apply(at, commands.get(i))).as(TestSeeds.replay(seed)).isEqualTo(result);
    }
    assertThat(second.snapshot()).as(TestSeeds.replay(seed)).isEqualTo(first.snapshot());
    assertThat(first.metadata().epoch()).as(TestSeeds.replay(seed)).isEqualTo(applied);
    Set<Token> seen = new HashSet<>();
    for (Member member : first.metadata().members().values()) {
      if (member.status() != Member.Status.LEFT) {
        for (Token token : member.tokens()) {
          assertThat(seen.add(token)).as(TestSeeds.replay(seed) + " token " + token).isTrue();
        }
      }
    }
  }

  /** The metadata after the first {@code count} commands, on a fresh machine. */
  private static ClusterMetadata firstAt(List<byte[]> commands, int count) {
    MetadataStateMachine machine = new MetadataStateMachine();
    for (int i = 0; i < count; i++) {
      machine.apply(i + 1, commands.get(i));
    }
    return machine.metadata();
  }
}
