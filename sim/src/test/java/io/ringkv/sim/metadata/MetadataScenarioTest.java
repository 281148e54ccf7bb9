package io.ringkv.sim.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.Address;
import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.metadata.raft.MetadataCommand;
import io.ringkv.cluster.metadata.raft.MetadataResult;
import io.ringkv.cluster.ring.Token;
import io.ringkv.sim.SimNetwork;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.Trace;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Scenarios of the metadata group that read as prose, on the simulator of the seed test. */
class MetadataScenarioTest {
  private static final long SECOND = SimTime.SECOND_NANOS;

  private final Simulation simulation = new Simulation(42, new Trace());
  private final MetadataChecker checker = new MetadataChecker(simulation);
  private final MetadataCluster cluster =
      new MetadataCluster(
          simulation, List.of("n1", "n2", "n3", "n4", "n5"), SimNetwork.Faults.none(), checker);
  private final List<MetadataResult> answers = new ArrayList<>();

  private void join(String name) {
    cluster.start(name);
    cluster.invoke(
        MetadataCommand.Join.of(
            NodeId.of(name),
            Address.local("127.0.0.1", Integer.parseInt(name.substring(1))),
            "dc1",
            "rack1",
            1.0),
        answers::add);
  }

  private ClusterMetadata leaderMetadata() {
    return cluster.leader().orElseThrow().process.machine.metadata();
  }

  @Test
  void fourNodesJoiningAtTheSameInstant_allGetInWithDisjointTokensAndThreeVotersThenFive() {
    join("n1");
    simulation.runFor(3 * SECOND);
    assertThat(answers).hasSize(1);

    // n2..n5 ask at the very same instant, each through some node.
    for (String name : List.of("n2", "n3", "n4", "n5")) {
      join(name);
    }
    boolean answered = simulation.runUntil(() -> answers.size() == 5, 30 * SECOND, SECOND / 10);
    assertThat(answered).as("every join answered").isTrue();
    assertThat(answers).allMatch(MetadataResult::accepted);

    ClusterMetadata metadata = leaderMetadata();
    Set<Token> tokens = new HashSet<>();
    int count = 0;
    for (Member member : metadata.members().values()) {
      count += member.tokens().size();
      tokens.addAll(member.tokens());
    }
    assertThat(metadata.members()).hasSize(5);
    assertThat(tokens).as("no token held twice").hasSize(count);

    // The leader grows the group: everybody in, five voters once five members are eligible.
    boolean grown =
        simulation.runUntil(
            () ->
                cluster.leader().isPresent()
                    && cluster.leader().get().process.raft.status().configuration().voters().size()
                        == 5,
            30 * SECOND,
            SECOND / 10);
    assertThat(grown).as("five voters").isTrue();
    simulation.runFor(2 * SECOND);
    for (MetadataNode node : cluster.nodes()) {
      assertThat(node.process.machine.metadata()).as(node.name).isEqualTo(leaderMetadata());
    }
    assertThat(checker.violations()).isEmpty();
  }

  @Test
  void leaderCrashes_anotherLeadsAndAKeyspaceChangeStillLands() {
    join("n1");
    simulation.runFor(3 * SECOND);
    for (String name : List.of("n2", "n3")) {
      join(name);
    }
    simulation.runUntil(
        () ->
            cluster.leader().isPresent()
                && cluster.leader().get().process.raft.status().configuration().voters().size()
                    == 3,
        30 * SECOND,
        SECOND / 10);
    MetadataNode first = cluster.leader().orElseThrow();

    cluster.crash(first.name, false);
    cluster.invoke(
        new MetadataCommand.PutKeyspace(
            new io.ringkv.cluster.metadata.Keyspace(
                "users",
                new io.ringkv.cluster.ring.SimpleStrategy(3),
                io.ringkv.common.ConsistencyLevel.QUORUM,
                io.ringkv.common.ConsistencyLevel.QUORUM)),
        answers::add);
    boolean landed =
        simulation.runUntil(
            () -> answers.size() == 4 && answers.get(3).accepted(), 30 * SECOND, SECOND / 10);
    assertThat(landed).as("the keyspace change is acknowledged without the old leader").isTrue();
    assertThat(cluster.leader().orElseThrow()).isNotSameAs(first);
    assertThat(leaderMetadata().keyspace("users")).isPresent();

    cluster.restart(first.name);
    simulation.runFor(5 * SECOND);
    assertThat(first.process.machine.metadata()).isEqualTo(leaderMetadata());
    assertThat(checker.violations()).isEmpty();
  }
}
