package io.ringkv.cluster.metadata.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.raft.ConfigChange;
import io.ringkv.raft.Configuration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class VoterPolicyTest {

  private static ClusterMetadata cluster(String... places) {
    MetadataStateMachine machine = new MetadataStateMachine();
    long index = 0;
    for (int i = 0; i < places.length; i++) {
      String[] place = places[i].split("/");
      machine.apply(
          ++index,
          MetadataCodec.encode(
              new MetadataCommand.Join(
                  Commands.node(i + 1), Commands.address(i + 1), place[0], place[1], 1.0, 4, 3)));
    }
    return machine.metadata();
  }

  private static long id(int i) {
    return RaftIds.of(Commands.node(i));
  }

  /** Applies the policy's changes until it has none; returns the configuration and the steps. */
  private static Configuration settle(
      ClusterMetadata metadata, Configuration start, NodeId leader, Set<NodeId> down) {
    Configuration configuration = start;
    for (int step = 0; step < 100; step++) {
      Optional<ConfigChange> change =
          VoterPolicy.nextChange(metadata, configuration, leader, id -> !down.contains(id));
      if (change.isEmpty()) {
        return configuration;
      }
      configuration = configuration.apply(change.get());
      assertThat(configuration.voters()).isNotEmpty();
    }
    throw new AssertionError("the policy did not settle: " + configuration);
  }

  private static Set<NodeId> voters(Configuration configuration, int members) {
    Set<NodeId> voters = new TreeSet<>();
    for (int i = 1; i <= members; i++) {
      if (configuration.isVoter(id(i))) {
        voters.add(Commands.node(i));
      }
    }
    return voters;
  }

  @Test
  void voterTarget_oneThenThreeThenFive() {
    assertThat(List.of(0, 1, 2, 3, 4, 5, 9).stream().map(VoterPolicy::voterTarget))
        .containsExactly(1, 1, 1, 3, 3, 5, 5);
  }

  @Test
  void nextChange_growsFromTheFounderToThreeVotersAndLearners() {
    ClusterMetadata metadata = cluster("dc1/r1", "dc1/r1", "dc1/r2", "dc1/r3");
    Configuration settled =
        settle(metadata, Configuration.ofVoters(id(1)), Commands.node(1), Set.of());
    assertThat(settled.voters()).hasSize(3).contains(id(1));
    assertThat(settled.learners()).hasSize(1);
    // Spread over racks: node-1 (r1), node-3 (r2), node-4 (r3); node-2 shares r1 with the leader.
    assertThat(voters(settled, 4))
        .containsExactlyInAnyOrder(Commands.node(1), Commands.node(3), Commands.node(4));
  }

  @Test
  void nextChange_fiveVotersSpreadOverDatacenters() {
    ClusterMetadata metadata =
        cluster("dc1/r1", "dc1/r1", "dc1/r1", "dc1/r1", "dc2/r1", "dc2/r1", "dc3/r1");
    Configuration settled =
        settle(metadata, Configuration.ofVoters(id(1)), Commands.node(1), Set.of());
    Set<NodeId> voters = voters(settled, 7);
    assertThat(voters).hasSize(5);
    long perDc1 = voters.stream().filter(n -> n.compareTo(Commands.node(5)) < 0).count();
    assertThat(perDc1).isEqualTo(2); // dc1 2, dc2 2, dc3 1
    assertThat(settled.learners()).hasSize(2);
  }

  @Test
  void nextChange_replacesADownVoterBeforeDemotingIt() {
    ClusterMetadata metadata = cluster("dc1/r1", "dc1/r2", "dc1/r3", "dc1/r4");
    Configuration start = new Configuration(List.of(id(1), id(2), id(3)), List.of(id(4)));
    Optional<ConfigChange> first =
        VoterPolicy.nextChange(
            metadata, start, Commands.node(1), id -> !id.equals(Commands.node(3)));
    assertThat(first).contains(new ConfigChange.AddVoter(id(4)));
    Configuration settled = settle(metadata, start, Commands.node(1), Set.of(Commands.node(3)));
    assertThat(settled.voters()).containsExactlyInAnyOrder(id(1), id(2), id(4));
    assertThat(settled.learners()).containsExactly(id(3));
  }

  @Test
  void nextChange_removesLeftMembersButNeverTheLeader() {
    MetadataStateMachine machine = new MetadataStateMachine();
    machine.restore(0, MetadataCodec.encode(cluster("dc1/r1", "dc1/r2", "dc1/r3", "dc1/r4")));
    machine.apply(1, MetadataCodec.encode(new MetadataCommand.Leave(Commands.node(2))));
    machine.apply(2, MetadataCodec.encode(new MetadataCommand.Leave(Commands.node(1))));
    Configuration start = new Configuration(List.of(id(1), id(2), id(3)), List.of(id(4)));
    Optional<ConfigChange> change =
        VoterPolicy.nextChange(machine.metadata(), start, Commands.node(1), id -> true);
    assertThat(change).contains(new ConfigChange.RemoveMember(id(2)));
    List<ConfigChange> steps = new ArrayList<>();
    Configuration configuration = start;
    for (Optional<ConfigChange> next = change;
        next.isPresent();
        next =
            VoterPolicy.nextChange(
                machine.metadata(), configuration, Commands.node(1), id -> true)) {
      steps.add(next.get());
      configuration = configuration.apply(next.get());
    }
    assertThat(configuration.contains(id(2))).isFalse();
    assertThat(configuration.isVoter(id(1))).isTrue(); // Left, but the leader: transfer first
  }

  @Test
  void chooseVoters_sameAnswerWhateverTheMemberOrder() {
    ClusterMetadata metadata = cluster("dc1/r1", "dc2/r1", "dc1/r2", "dc2/r2", "dc1/r1", "dc3/r9");
    Set<NodeId> chosen = VoterPolicy.chooseVoters(metadata, Configuration.EMPTY, null, id -> true);
    assertThat(chosen).hasSize(5);
    assertThat(VoterPolicy.chooseVoters(metadata, Configuration.EMPTY, null, id -> true))
        .isEqualTo(chosen);
  }

  /** A voter down for now keeps its seat when nobody can replace it: the group does not shrink. */
  @Test
  void nextChange_downVoterWithoutReplacementKeepsItsSeat() {
    ClusterMetadata metadata = cluster("dc1/r1", "dc1/r2", "dc1/r3");
    Configuration start = new Configuration(List.of(id(1), id(2), id(3)), List.of());
    assertThat(
            VoterPolicy.nextChange(
                metadata, start, Commands.node(1), id -> !id.equals(Commands.node(3))))
        .isEmpty();
  }
}
