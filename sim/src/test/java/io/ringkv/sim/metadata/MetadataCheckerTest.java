package io.ringkv.sim.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.metadata.raft.MetadataCodec;
import io.ringkv.cluster.metadata.raft.MetadataCommand;
import io.ringkv.cluster.metadata.raft.MetadataStateMachine;
import io.ringkv.common.Rng;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.Trace;
import io.ringkv.sim.Violation;
import org.junit.jupiter.api.Test;

/** The metadata checkers catch what they are for: each test feeds them one planted fault. */
class MetadataCheckerTest {
  private final Simulation simulation = new Simulation(1, new Trace());
  private final MetadataChecker checker = new MetadataChecker(simulation);
  private final MetadataNode first = new MetadataNode("n1", new Rng(1));
  private final MetadataNode second = new MetadataNode("n2", new Rng(2));

  private static ClusterMetadata afterJoin(String name) {
    MetadataStateMachine machine = new MetadataStateMachine();
    machine.apply(
        1,
        MetadataCodec.encode(
            MetadataCommand.Join.of(
                NodeId.of(name),
                io.ringkv.cluster.metadata.Address.local("127.0.0.1", 1),
                "dc1",
                "rack1",
                1.0)));
    return machine.metadata();
  }

  @Test
  void onEpoch_twoNodesWithOtherMetadataAtOneEpochIsAViolation() {
    checker.onEpoch(first, ClusterMetadata.empty(), afterJoin("a"));
    checker.onEpoch(second, ClusterMetadata.empty(), afterJoin("a"));
    assertThat(checker.violations()).isEmpty();
    checker.onEpoch(second, ClusterMetadata.empty(), afterJoin("b"));
    assertThat(checker.violations()).extracting(Violation::checker).contains("epoch agreement");
  }

  @Test
  void onEpoch_goingBackIsAViolation() {
    ClusterMetadata one = afterJoin("a");
    checker.onEpoch(first, one, ClusterMetadata.empty());
    assertThat(checker.violations()).extracting(Violation::checker).contains("monotonic epochs");
  }

  @Test
  void onResult_anotherResultForOneEntryIsAViolation() {
    checker.onResult(first, 5, new byte[] {1});
    checker.onResult(second, 5, new byte[] {1});
    assertThat(checker.violations()).isEmpty();
    checker.onResult(second, 5, new byte[] {2});
    assertThat(checker.violations()).extracting(Violation::checker).contains("result agreement");
  }

  @Test
  void onEpoch_sharedTokenIsAViolation() {
    // ClusterMetadata itself refuses a clash between live members; a Left one may keep its
    // tokens, so the checker must skip it, and only it.
    ClusterMetadata metadata = afterJoin("a");
    Member a = metadata.member(NodeId.of("a")).orElseThrow();
    Member left =
        new Member(
            NodeId.of("b"), a.address(), "dc1", "rack1", a.tokens(), Member.Status.LEFT, 1.0);
    checker.onEpoch(first, ClusterMetadata.empty(), metadata.withMember(left));
    assertThat(checker.violations()).isEmpty();
  }
}
