package io.ringkv.sim.membership;

import static io.ringkv.sim.SimTime.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.ringkv.cluster.membership.ClusterMembership.MemberStatus;
import io.ringkv.cluster.membership.GossipEvent;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.ring.Token;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Membership scenarios on the simulator, written to be read as prose (STYLE.md §6). */
class MembershipScenarioTest {

  @Test
  void up_threeNodes_allUpAndNormalWithOwnershipSummingToOne() {
    SimCluster cluster = SimCluster.builder(1).nodes(3).seeds("n1").build();

    cluster.startAll();

    assertThat(converges(cluster)).as("%s", cluster.whyNotConverged()).isTrue();
    for (String observer : cluster.names()) {
      List<MemberStatus> status = cluster.viewOf(observer).status();
      assertThat(status).hasSize(3).allMatch(MemberStatus::up);
      assertThat(status).allMatch(line -> line.status() == Member.Status.NORMAL);
      assertThat(status.stream().mapToDouble(MemberStatus::owns).sum()).isCloseTo(1, offset(1e-9));
    }
  }

  @Test
  void crash_downOnTheOthers_thenRestartedUpWithTheSameTokensAndAHigherGeneration() {
    SimCluster cluster = SimCluster.builder(2).nodes(3).seeds("n1").build();
    cluster.startAll();
    assertThat(converges(cluster)).isTrue();
    List<Token> tokensBefore = cluster.viewOf("n1").tokensOf("n3");
    long generationBefore = cluster.viewOf("n1").generationOf("n3").orElseThrow();

    cluster.crash("n3");
    boolean down =
        cluster.runUntil(
            () -> cluster.viewOf("n1").isDown("n3") && cluster.viewOf("n2").isDown("n3"),
            seconds(10));
    assertThat(down).as("n3 down on n1 and n2 within 10 s (its port refuses connections)").isTrue();

    cluster.restart("n3");

    assertThat(converges(cluster)).as("%s", cluster.whyNotConverged()).isTrue();
    for (String observer : List.of("n1", "n2")) {
      NodeView view = cluster.viewOf(observer);
      assertThat(view.isUp("n3")).isTrue();
      assertThat(view.tokensOf("n3")).isEqualTo(tokensBefore);
      assertThat(view.generationOf("n3").orElseThrow()).isGreaterThan(generationBefore);
    }
  }

  @Test
  void powerLoss_noResetsComeBack_phiConvictsTheSilentNode_andItReturnsWithItsTokens() {
    SimCluster cluster = SimCluster.builder(3).nodes(4).seeds("n1", "n2").build();
    cluster.startAll();
    assertThat(converges(cluster)).isTrue();
    List<Token> tokensBefore = cluster.viewOf("n1").tokensOf("n4");

    cluster.crash("n4", StopKind.POWER_LOSS);
    cluster.runFor(seconds(10));
    assertThat(cluster.viewOf("n1").isUp("n4")).as("too soon for phi 8").isTrue();
    boolean down =
        cluster.runUntil(
            () -> List.of("n1", "n2", "n3").stream().allMatch(o -> cluster.viewOf(o).isDown("n4")),
            seconds(40));
    assertThat(down).isTrue();

    cluster.restart("n4");

    assertThat(converges(cluster)).isTrue();
    assertThat(cluster.viewOf("n2").tokensOf("n4")).isEqualTo(tokensBefore);
  }

  @Test
  void oneWayCut_heartbeatsGoAroundThroughTheThirdNode_nobodyIsMarkedDown() {
    SimCluster cluster = SimCluster.builder(4).nodes(3).seeds("n1").build();
    cluster.startAll();
    assertThat(converges(cluster)).isTrue();
    List<String> downs = recordDowns(cluster);

    cluster.cut("n1").to("n2");
    cluster.runFor(seconds(120));

    assertThat(downs).isEmpty();
    assertThat(cluster.whyNotConverged()).isEmpty();
  }

  @Test
  void oneWayCut_withNoThirdNodeToRelay_bothSidesLoseEachOther_untilItHeals() {
    SimCluster cluster = SimCluster.builder(5).nodes(3).seeds("n1").build();
    cluster.startAll();
    assertThat(converges(cluster)).isTrue();
    cluster.crash("n3", StopKind.POWER_LOSS);
    cluster.runUntil(() -> cluster.viewOf("n1").isDown("n3"), seconds(60));

    // n2 hears nothing from n1; n1 hears n2's SYNs, but a SYN carries digests, not heartbeats,
    // and the rest of every round n2 starts needs n1's answer. Gossip needs both directions.
    SimCluster.Cuts cut = cluster.cut("n1").to("n2");
    boolean bothDown =
        cluster.runUntil(
            () -> cluster.viewOf("n2").isDown("n1") && cluster.viewOf("n1").isDown("n2"),
            seconds(60));
    assertThat(bothDown).isTrue();

    cut.heal();
    boolean bothUp =
        cluster.runUntil(
            () -> cluster.viewOf("n2").isUp("n1") && cluster.viewOf("n1").isUp("n2"), seconds(10));
    assertThat(bothUp).isTrue();
  }

  @Test
  void partition_theMinoritySideIsDownOnTheMajority_andConvergesAgainAfterHealing() {
    SimCluster cluster = SimCluster.builder(6).nodes(5).seeds("n1", "n2").build();
    cluster.startAll();
    assertThat(converges(cluster)).isTrue();

    SimCluster.Cuts partition = cluster.partition("n4", "n5").from("n1", "n2", "n3");
    boolean split =
        cluster.runUntil(
            () ->
                cluster.viewOf("n1").isDown("n4")
                    && cluster.viewOf("n1").isDown("n5")
                    && cluster.viewOf("n4").isDown("n1")
                    && cluster.viewOf("n4").isUp("n5"),
            seconds(60));
    assertThat(split).isTrue();

    partition.heal();

    assertThat(converges(cluster)).as("%s", cluster.whyNotConverged()).isTrue();
  }

  @Test
  void freeze_theFrozenNodeIsDownElsewhere_andAfterThawingConvictsNobodyItself() {
    SimCluster cluster = SimCluster.builder(7).nodes(3).seeds("n1").build();
    cluster.startAll();
    assertThat(converges(cluster)).isTrue();
    List<String> downs = recordDowns(cluster);

    cluster.freeze("n3");
    cluster.runUntil(() -> cluster.viewOf("n1").isDown("n3"), seconds(60));
    cluster.thaw("n3");

    assertThat(converges(cluster)).isTrue();
    assertThat(downs).noneMatch(line -> line.startsWith("n3 "));
    assertThat(cluster.node("n3").gossipStats().localPauses()).isEqualTo(1);
  }

  @Test
  void clockJumps_forwardAndBackward_noFalseDownAfterThePauseRule() {
    SimCluster cluster = SimCluster.builder(8).nodes(3).seeds("n1").build();
    cluster.startAll();
    assertThat(converges(cluster)).isTrue();
    List<String> downs = recordDowns(cluster);

    cluster.jumpClock("n2", -seconds(30));
    cluster.runFor(seconds(60));
    cluster.jumpClock("n2", seconds(30));
    cluster.runFor(seconds(60));

    assertThat(downs).isEmpty();
    assertThat(cluster.whyNotConverged()).isEmpty();
  }

  private static boolean converges(SimCluster cluster) {
    return cluster.runUntil(() -> cluster.whyNotConverged().isEmpty(), seconds(60));
  }

  /** Every Down event from now on, as "observer subject". */
  private static List<String> recordDowns(SimCluster cluster) {
    List<String> downs = new ArrayList<>();
    cluster.addListener(
        new ClusterListener() {
          @Override
          public void onGossipEvent(SimNode observer, GossipEvent event) {
            if (event instanceof GossipEvent.Down down) {
              downs.add(observer.name() + " " + down.endpoint());
            }
          }
        });
    return downs;
  }
}
