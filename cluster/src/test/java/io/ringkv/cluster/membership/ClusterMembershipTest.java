package io.ringkv.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.metadata.Address;
import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.MetadataChange;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.Ownership;
import io.ringkv.cluster.ring.Token;
import io.ringkv.common.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterMembership} on a perfect network: nodes join one after the other by id, end up with
 * the same metadata, keep their tokens over a restart, and a refused connection convicts at once.
 * Faults are the simulator's business (module {@code sim}).
 */
class ClusterMembershipTest {
  private static final long S = 1_000_000_000L;

  /** Nodes exchanging messages instantly, ticking once a second, storing what they are told to. */
  private static final class Cluster {
    final TreeMap<String, ClusterMembership> nodes = new TreeMap<>();
    final TreeMap<String, PersistentGossipState> disks = new TreeMap<>();
    final TreeMap<String, Integer> epochsHeard = new TreeMap<>();
    final List<GossipEvent> events = new ArrayList<>();
    long now = 1_000 * S;

    void start(String id, int number, boolean seed) {
      Optional<PersistentGossipState> stored = Optional.ofNullable(disks.get(id));
      long generation =
          Gossip.nextGeneration(stored.map(PersistentGossipState::generation).orElse(0L), 0);
      ClusterMembership node =
          new ClusterMembership(
              MembershipConfig.defaults(),
              Member.joining(NodeId.of(id), Address.local("127.0.0.1", number)),
              stored,
              generation,
              List.of("n1"),
              seed,
              new Rng(number * 31L + generation));
      node.subscribe((previous, current) -> epochsHeard.merge(id, 1, Integer::sum));
      nodes.put(id, node);
      drain();
    }

    void crash(String id) {
      nodes.remove(id);
    }

    void runFor(long nanos) {
      long end = now + nanos;
      while (now < end) {
        now += S;
        for (ClusterMembership node : List.copyOf(nodes.values())) {
          node.tick(now);
        }
        drain();
      }
    }

    void drain() {
      boolean any = true;
      while (any) {
        any = false;
        for (var entry : List.copyOf(nodes.entrySet())) {
          ClusterMembership node = entry.getValue();
          if (!node.hasReady()) {
            continue;
          }
          any = true;
          Gossip.Ready ready = node.ready();
          ready.persist().ifPresent(state -> disks.put(entry.getKey(), state));
          events.addAll(ready.events());
          node.advance(ready);
          for (GossipMessage message : ready.messages()) {
            ClusterMembership to = nodes.get(message.to());
            if (to == null) {
              node.reportRefused(message.to(), now);
            } else {
              to.step(message, now);
            }
          }
        }
      }
    }

    ClusterMetadata metadataOf(String id) {
      return nodes.get(id).current();
    }
  }

  @Test
  void join_threeNodesStartedTogetherAllBecomeNormalWithTheSameRing() {
    Cluster cluster = new Cluster();
    cluster.start("n1", 1, true);
    cluster.start("n2", 2, false);
    cluster.start("n3", 3, false);

    cluster.runFor(30 * S);

    ClusterMetadata first = cluster.metadataOf("n1");
    for (String id : List.of("n1", "n2", "n3")) {
      ClusterMetadata metadata = cluster.metadataOf(id);
      assertThat(cluster.nodes.get(id).joinPhase()).isEqualTo(ClusterMembership.JoinPhase.JOINED);
      assertThat(metadata.members()).as(id).isEqualTo(first.members());
      assertThat(metadata.normalMemberCount()).isEqualTo(3);
      assertThat(metadata.keyspace("default").orElseThrow().replication().toString()).contains("3");
    }
    for (Member member : first.members().values()) {
      assertThat(member.status()).isEqualTo(Member.Status.NORMAL);
      assertThat(member.tokens()).hasSize(16);
    }
    double total =
        Ownership.primary(first.ring()).fractions().values().stream().mapToDouble(d -> d).sum();
    assertThat(total).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    // Chosen one after the other, each against the ring before it: no node owns more than half.
    assertThat(Ownership.primary(first.ring()).fractions().values()).allMatch(f -> f < 0.5);
  }

  @Test
  void join_laterNodesWaitForEarlierJoinersAndTheRingDelay() {
    Cluster cluster = new Cluster();
    cluster.start("n1", 1, true);
    cluster.start("n2", 2, false);
    cluster.runFor(1 * S);
    assertThat(cluster.nodes.get("n1").joinPhase())
        .isEqualTo(ClusterMembership.JoinPhase.LISTENING);
    assertThat(cluster.metadataOf("n1").member(NodeId.of("n1")).orElseThrow().status())
        .isEqualTo(Member.Status.JOINING);

    cluster.runFor(2 * S);
    assertThat(cluster.nodes.get("n1").joinPhase()).isEqualTo(ClusterMembership.JoinPhase.JOINED);
    assertThat(cluster.nodes.get("n2").joinPhase())
        .isIn(
            ClusterMembership.JoinPhase.WAITING_FOR_EARLIER_JOINER,
            ClusterMembership.JoinPhase.JOINED);
  }

  @Test
  void join_aNonSeedThatReachesNoSeedNeverFoundsItsOwnCluster() {
    Cluster cluster = new Cluster();
    cluster.start("n2", 2, false);

    cluster.runFor(60 * S);

    assertThat(cluster.nodes.get("n2").joinPhase())
        .isEqualTo(ClusterMembership.JoinPhase.WAITING_FOR_SEEDS);
    assertThat(cluster.metadataOf("n2").ring().isEmpty()).isTrue();
  }

  @Test
  void restart_keepsTokensWithAHigherGeneration() {
    Cluster cluster = new Cluster();
    cluster.start("n1", 1, true);
    cluster.start("n2", 2, false);
    cluster.start("n3", 3, false);
    cluster.runFor(30 * S);
    List<Token> tokensBefore =
        cluster.metadataOf("n1").member(NodeId.of("n3")).orElseThrow().tokens();
    long generationBefore = cluster.nodes.get("n3").gossip().generation();

    cluster.crash("n3");
    cluster.runFor(5 * S);
    cluster.start("n3", 3, false);
    cluster.runFor(10 * S);

    ClusterMembership restarted = cluster.nodes.get("n3");
    assertThat(restarted.joinPhase()).isEqualTo(ClusterMembership.JoinPhase.JOINED);
    assertThat(restarted.gossip().generation()).isGreaterThan(generationBefore);
    for (String id : List.of("n1", "n2")) {
      Member seen = cluster.metadataOf(id).member(NodeId.of("n3")).orElseThrow();
      assertThat(seen.tokens()).isEqualTo(tokensBefore);
      assertThat(cluster.nodes.get(id).gossip().isUp("n3")).as(id + " sees n3 up").isTrue();
      assertThat(cluster.nodes.get(id).gossip().endpointState("n3").orElseThrow().generation())
          .isEqualTo(restarted.gossip().generation());
    }
  }

  @Test
  void refusedConnection_convictsAtOnceAndOnlyARestartBringsTheNodeBack() {
    Cluster cluster = new Cluster();
    cluster.start("n1", 1, true);
    cluster.start("n2", 2, false);
    cluster.start("n3", 3, false);
    cluster.runFor(30 * S);
    assertThat(cluster.nodes.get("n1").gossip().isUp("n3")).isTrue();

    cluster.crash("n3");
    cluster.nodes.get("n1").reportRefused("n3", cluster.now);
    cluster.drain();

    assertThat(cluster.nodes.get("n1").gossip().isUp("n3")).isFalse();
    assertThat(cluster.events)
        .anySatisfy(e -> assertThat(e).isInstanceOf(GossipEvent.Down.class))
        .filteredOn(e -> e instanceof GossipEvent.Down && e.endpoint().equals("n3"))
        .isNotEmpty();
    // n2 may still relay heartbeats n3 sent before it died; n1 must stay convinced.
    cluster.runFor(3 * S);
    assertThat(cluster.nodes.get("n1").gossip().isUp("n3")).isFalse();

    cluster.start("n3", 3, false);
    cluster.runFor(5 * S);
    assertThat(cluster.nodes.get("n1").gossip().isUp("n3")).isTrue();
  }

  @Test
  void load_andEpochAreAnnouncedButDoNotChangeTheMetadata() {
    Cluster cluster = new Cluster();
    cluster.start("n1", 1, true);
    cluster.runFor(5 * S);
    long epoch = cluster.metadataOf("n1").epoch();

    cluster.nodes.get("n1").setLoad(12_345);
    cluster.runFor(2 * S);

    assertThat(cluster.metadataOf("n1").epoch()).isEqualTo(epoch);
    ClusterMembership.MemberStatus line = cluster.nodes.get("n1").status(cluster.now).get(0);
    assertThat(line.load()).isEqualTo(12_345);
    assertThat(line.epochSeen()).isEqualTo(epoch);
    assertThat(line.owns()).isEqualTo(1.0);
    assertThat(line.tokens()).isEqualTo(16);
  }

  @Test
  void propose_takesOnlyThisNodesOwnStatus() {
    Cluster cluster = new Cluster();
    cluster.start("n1", 1, true);
    cluster.runFor(5 * S);
    ClusterMembership node = cluster.nodes.get("n1");

    assertThatThrownBy(
            () -> node.propose(new MetadataChange.SetStatus(NodeId.of("n2"), Member.Status.LEFT)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("own status only");
    assertThatThrownBy(
            () ->
                node.propose(new MetadataChange.SetStatus(NodeId.of("n1"), Member.Status.JOINING)))
        .hasMessageContaining("cannot go from NORMAL to JOINING");

    assertThat(node.propose(new MetadataChange.SetStatus(NodeId.of("n1"), Member.Status.LEAVING)))
        .isTrue();
    assertThat(node.current().member(NodeId.of("n1")).orElseThrow().status())
        .isEqualTo(Member.Status.LEAVING);
  }

  @Test
  void constructor_refusesAStoredStateFromAnotherRack() {
    PersistentGossipState stored =
        new PersistentGossipState(
            3, new TreeMap<>(java.util.Map.of(ApplicationState.RACK, "rack9")));
    assertThatThrownBy(
            () ->
                new ClusterMembership(
                    MembershipConfig.defaults(),
                    Member.joining(NodeId.of("n1"), Address.local("127.0.0.1", 1)),
                    Optional.of(stored),
                    4,
                    List.of(),
                    true,
                    new Rng(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rack is 'rack1' but this node was stored in 'rack9'");
  }
}
