package io.ringkv.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ringkv.cluster.membership.GossipMessage.Ack;
import io.ringkv.cluster.membership.GossipMessage.Ack2;
import io.ringkv.cluster.membership.GossipMessage.Syn;
import io.ringkv.common.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class GossipTest {
  private static final long S = 1_000_000_000L;
  private static final GossipConfig CONFIG = GossipConfig.defaults();

  private static Gossip node(String name, long generation, String... seeds) {
    return node(name, CONFIG, generation, seeds);
  }

  private static Gossip node(String name, GossipConfig config, long generation, String... seeds) {
    return new Gossip(
        name,
        config,
        generation,
        Map.of(ApplicationState.STATUS, "NORMAL", ApplicationState.TOKENS, name + "-tokens"),
        List.of(seeds),
        new Rng(name.hashCode()));
  }

  /** Takes and acknowledges a node's Ready. */
  private static Gossip.Ready drain(Gossip gossip) {
    Gossip.Ready ready = gossip.ready();
    gossip.advance(ready);
    return ready;
  }

  private static EndpointState state(
      String endpoint, long generation, long heartbeat, Object... kv) {
    TreeMap<ApplicationState, VersionedValue> values = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 3) {
      values.put(
          (ApplicationState) kv[i], new VersionedValue((String) kv[i + 1], (Integer) kv[i + 2]));
    }
    return new EndpointState(endpoint, generation, heartbeat, values);
  }

  /** Makes {@code gossip} learn {@code state} from its owner, as an ACK2 would bring it. */
  private static void receive(Gossip gossip, EndpointState state, long nowNanos) {
    gossip.step(
        new Ack2(state.endpoint(), gossip.self(), List.of(EndpointDelta.whole(state))), nowNanos);
  }

  // --- construction, generations, persistence ---

  @Test
  void constructor_numbersOwnValuesInKeyOrderAndAsksToPersistTheGeneration() {
    Gossip n1 = node("n1", 7);

    assertThat(n1.localState())
        .isEqualTo(
            state(
                "n1",
                7,
                0,
                ApplicationState.STATUS,
                "NORMAL",
                1,
                ApplicationState.TOKENS,
                "n1-tokens",
                2));
    Gossip.Ready ready = drain(n1);
    assertThat(ready.persist())
        .contains(
            new PersistentGossipState(
                7,
                new TreeMap<>(
                    Map.of(
                        ApplicationState.STATUS, "NORMAL", ApplicationState.TOKENS, "n1-tokens"))));
    assertThat(n1.hasReady()).isFalse();
  }

  @Test
  void nextGeneration_isTheStoredOnePlusOneOrTheWallClockIfLater() {
    assertThat(Gossip.nextGeneration(0, 0)).isEqualTo(1);
    assertThat(Gossip.nextGeneration(41, 0)).isEqualTo(42);
    assertThat(Gossip.nextGeneration(41, 1_700_000_000)).isEqualTo(1_700_000_000);
    assertThat(Gossip.nextGeneration(1_700_000_000, 1_700_000_000)).isEqualTo(1_700_000_001);
    assertThatThrownBy(() -> Gossip.nextGeneration(-1, 0))
        .hasMessageContaining("storedGeneration must be in [0, Long.MAX_VALUE), was -1");
  }

  @Test
  void setLocalState_bumpsTheVersionPastTheHeartbeatAndAsksToPersist() {
    Gossip n1 = node("n1", 1);
    drain(n1);
    n1.tick(1 * S); // heartbeat version 3

    n1.setLocalState(ApplicationState.LOAD, "42");

    assertThat(n1.localState().states().get(ApplicationState.LOAD))
        .isEqualTo(new VersionedValue("42", 4));
    assertThat(n1.localState().maxVersion()).isEqualTo(4);
    assertThat(drain(n1).persist().orElseThrow().applicationStates())
        .containsEntry(ApplicationState.LOAD, "42");
  }

  @Test
  void setLocalState_refusesAValueLongerThanTheBound() {
    Gossip n1 = node("n1", 1);
    String tooLong = "x".repeat(CONFIG.valueCharsMax() + 1);

    assertThatThrownBy(() -> n1.setLocalState(ApplicationState.TOKENS, tooLong))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("valueCharsMax (16384)")
        .hasMessageContaining("had 16385");
  }

  @Test
  void advance_keepsWhatWasQueuedAfterReady() {
    Gossip n2 = node("n2", 1, "n1");
    drain(n2);
    n2.tick(1 * S);
    Gossip.Ready first = n2.ready();
    n2.setLocalState(ApplicationState.LOAD, "1");
    n2.tick(2 * S);

    n2.advance(first);

    Gossip.Ready second = n2.ready();
    assertThat(second.messages()).hasSize(1);
    assertThat(second.persist()).isPresent(); // set after `first` was taken
  }

  // --- the round ---

  @Test
  void tick_withNobodyLiveSynsASeedWithItsDigests() {
    Gossip n2 = node("n2", 1, "n1", "n2");
    drain(n2);

    n2.tick(1 * S);

    assertThat(drain(n2).messages())
        .containsExactly(new Syn("n2", "n1", "ringkv", List.of(new GossipDigest("n2", 1, 3))));
  }

  @Test
  void tick_aSeedAloneSendsNothing() {
    Gossip n1 = node("n1", 1, "n1");
    drain(n1);

    n1.tick(1 * S);

    assertThat(drain(n1).isEmpty()).isTrue();
  }

  @Test
  void tick_gossipsToUnreachableNodesAndSeedsWithCassandrasProbabilities() {
    Gossip n1 = node("n1", 1, "n9");
    n1.step(new Ack2("n2", "n1", List.of(EndpointDelta.whole(state("n3", 1, 1)))), 0);
    drain(n1);
    Map<String, Integer> synsTo = new TreeMap<>();
    int ticks = 2_000;
    for (int t = 1; t <= ticks; t++) {
      receive(n1, state("n2", 1, t), t * S); // n2 is live; n3 is never heard from again
      n1.tick(t * S);
      for (GossipMessage message : drain(n1).messages()) {
        synsTo.merge(message.to(), 1, Integer::sum);
      }
    }

    // Every round: the one live peer. Unreachable: 1 / (live + 1) = 1/2. The seed, since the live
    // peer is not one: seeds / (live + unreachable) = 1/2.
    assertThat(synsTo.get("n2")).isEqualTo(ticks);
    assertThat(synsTo.get("n3")).isBetween(900, 1_100);
    assertThat(synsTo.get("n9")).isBetween(900, 1_100);
  }

  @Test
  void step_synAnsweredWithRequestsForNewerAndStatesForOlder() {
    Gossip n1 = node("n1", 1, "n1");
    receive(n1, state("n3", 1, 10, ApplicationState.STATUS, "NORMAL", 1), 0);
    receive(n1, state("n4", 1, 5), 0);
    receive(n1, state("n5", 3, 5), 0);
    drain(n1);

    n1.step(
        new Syn(
            "n2",
            "n1",
            "ringkv",
            List.of(
                new GossipDigest("n1", 1, 0), // we have more of ourselves: send
                new GossipDigest("n2", 4, 9), // unknown: ask for all
                new GossipDigest("n3", 1, 4), // we are newer: send what is after 4
                new GossipDigest("n4", 1, 8), // they are newer: ask after 5
                new GossipDigest("n5", 2, 50))), // an older generation than ours: send all
        1 * S);

    Ack ack = (Ack) drain(n1).messages().get(0);
    assertThat(ack.requests())
        .containsExactly(new GossipDigest("n2", 4, 0), new GossipDigest("n4", 1, 5));
    assertThat(ack.deltas())
        .extracting(EndpointDelta::endpoint)
        .containsExactly("n5", "n3", "n1"); // most out of date first
    assertThat(ack.deltas().get(0).isWhole()).isTrue();
    assertThat(ack.deltas().get(1)).isEqualTo(new EndpointDelta(state("n3", 1, 10), 4));
  }

  @Test
  void step_ackAppliedAndAnsweredWithWhatWasAsked() {
    Gossip n2 = node("n2", 1, "n1");
    drain(n2);
    n2.tick(1 * S);
    drain(n2);

    n2.step(
        new Ack(
            "n1",
            "n2",
            List.of(new GossipDigest("n2", 1, 1)),
            List.of(EndpointDelta.whole(state("n1", 1, 9, ApplicationState.STATUS, "NORMAL", 1)))),
        2 * S);

    Gossip.Ready ready = drain(n2);
    assertThat(ready.messages())
        .containsExactly(
            new Ack2(
                "n2",
                "n1",
                List.of(
                    new EndpointDelta(
                        state("n2", 1, 3, ApplicationState.TOKENS, "n2-tokens", 2), 1))));
    assertThat(ready.events())
        .containsExactly(
            new GossipEvent.Joined("n1", state("n1", 1, 9, ApplicationState.STATUS, "NORMAL", 1)),
            new GossipEvent.Up("n1", 0.0));
  }

  @Test
  void step_ackForAnOlderGenerationOfUsIsAnsweredWithEverything() {
    Gossip n2 = node("n2", 5, "n1");
    drain(n2);

    n2.step(new Ack("n1", "n2", List.of(new GossipDigest("n2", 4, 100)), List.of()), 1 * S);

    Ack2 ack2 = (Ack2) drain(n2).messages().get(0);
    assertThat(ack2.deltas()).containsExactly(EndpointDelta.whole(n2.localState()));
  }

  @Test
  void step_synFromAnotherClusterIsIgnored() {
    Gossip n1 = node("n1", 1);
    drain(n1);

    n1.step(new Syn("n2", "n1", "other", List.of(new GossipDigest("n2", 1, 5))), 1 * S);

    assertThat(n1.hasReady()).isFalse();
    assertThat(n1.stats().clusterNameMismatches()).isEqualTo(1);
  }

  @Test
  void step_messageForAnotherNodeIsIgnored() {
    Gossip n1 = node("n1", 1);
    drain(n1);

    n1.step(new Syn("n2", "n3", "ringkv", List.of()), 1 * S);

    assertThat(n1.hasReady()).isFalse();
    assertThat(n1.stats().misdirectedMessages()).isEqualTo(1);
    assertThat(n1.stats().messagesReceived()).isZero();
  }

  // --- applying states ---

  @Test
  void apply_newerGenerationReplacesTheWholeState() {
    Gossip n1 = node("n1", 1);
    receive(
        n1, state("n2", 1, 50, ApplicationState.TOKENS, "t", 3, ApplicationState.LOAD, "9", 40), 0);
    drain(n1);

    receive(n1, state("n2", 2, 2, ApplicationState.TOKENS, "t", 1), 1 * S);

    assertThat(n1.endpointState("n2")).contains(state("n2", 2, 2, ApplicationState.TOKENS, "t", 1));
    assertThat(drain(n1).events())
        .containsExactly(
            new GossipEvent.Restarted("n2", 1, state("n2", 2, 2, ApplicationState.TOKENS, "t", 1)));
  }

  @Test
  void apply_olderGenerationIsIgnored() {
    Gossip n1 = node("n1", 1);
    receive(n1, state("n2", 2, 5, ApplicationState.TOKENS, "new", 1), 0);
    drain(n1);

    receive(n1, state("n2", 1, 99, ApplicationState.TOKENS, "old", 98), 1 * S);

    assertThat(n1.endpointState("n2").orElseThrow().value(ApplicationState.TOKENS)).contains("new");
    assertThat(drain(n1).events()).isEmpty();
  }

  @Test
  void apply_withinAGenerationEachValueKeepsItsHighestVersion() {
    Gossip n1 = node("n1", 1);
    receive(
        n1, state("n2", 1, 10, ApplicationState.STATUS, "A", 4, ApplicationState.LOAD, "1", 8), 0);
    drain(n1);

    receive(
        n1,
        state(
            "n2",
            1,
            9, // an older heartbeat: kept at 10
            ApplicationState.STATUS,
            "B",
            12, // newer: taken
            ApplicationState.LOAD,
            "0",
            7), // older: ignored
        1 * S);

    assertThat(n1.endpointState("n2"))
        .contains(
            state("n2", 1, 10, ApplicationState.STATUS, "B", 12, ApplicationState.LOAD, "1", 8));
    assertThat(drain(n1).events())
        .containsExactly(
            new GossipEvent.Changed("n2", ApplicationState.STATUS, new VersionedValue("B", 12)));
  }

  @Test
  void apply_partOfAStateForAnUnknownEndpointIsIgnored() {
    Gossip n1 = node("n1", 1);

    // A late ACK2 answering a question asked before n1 restarted: only what followed version 40.
    n1.step(
        new Ack2(
            "n2",
            "n1",
            List.of(new EndpointDelta(state("n2", 1, 90, ApplicationState.LOAD, "7", 45), 40))),
        0);

    assertThat(n1.endpointState("n2")).isEmpty();
    assertThat(n1.stats().deltasOutOfSequence()).isEqualTo(1);
  }

  @Test
  void apply_partOfANewGenerationIsIgnored() {
    Gossip n1 = node("n1", 1);
    receive(n1, state("n2", 1, 10, ApplicationState.TOKENS, "t", 1), 0);

    n1.step(new Ack2("n2", "n1", List.of(new EndpointDelta(state("n2", 2, 9), 5))), 1 * S);

    assertThat(n1.endpointState("n2").orElseThrow().generation()).isEqualTo(1);
    assertThat(n1.stats().deltasOutOfSequence()).isEqualTo(1);
  }

  @Test
  void apply_partThatFollowsMoreThanWeHoldIsIgnored() {
    Gossip n1 = node("n1", 1);
    receive(n1, state("n2", 1, 10, ApplicationState.TOKENS, "t", 1), 0);

    // After version 20: versions 11 to 20 might hold values we never saw.
    n1.step(
        new Ack2(
            "n2",
            "n1",
            List.of(new EndpointDelta(state("n2", 1, 30, ApplicationState.LOAD, "5", 25), 20))),
        1 * S);
    assertThat(n1.endpointState("n2").orElseThrow().heartbeatVersion()).isEqualTo(10);

    // After version 10: it follows what we hold.
    n1.step(
        new Ack2(
            "n2",
            "n1",
            List.of(new EndpointDelta(state("n2", 1, 30, ApplicationState.LOAD, "5", 25), 10))),
        2 * S);
    assertThat(n1.endpointState("n2"))
        .contains(
            state("n2", 1, 30, ApplicationState.TOKENS, "t", 1, ApplicationState.LOAD, "5", 25));
  }

  @Test
  void apply_statesAboutOurselvesAreIgnoredAndAHigherGenerationCounted() {
    Gossip n1 = node("n1", 3);
    EndpointState before = n1.localState();

    receive(n1, state("n2", 1, 1), 0); // so that n2 is known
    n1.step(
        new Ack2(
            "n2",
            "n1",
            List.of(EndpointDelta.whole(state("n1", 9, 99, ApplicationState.TOKENS, "x", 50)))),
        0);

    assertThat(n1.localState()).isEqualTo(before);
    assertThat(n1.stats().selfConflicts()).isEqualTo(1);
  }

  @Test
  void apply_generationJumpBeyondTheMaximumIsRejected() {
    Gossip n1 = node("n1", 1);
    receive(n1, state("n2", 1, 1), 0);

    receive(n1, state("n2", 1 + CONFIG.generationDifferenceMax() + 1, 1), 1 * S);

    assertThat(n1.endpointState("n2").orElseThrow().generation()).isEqualTo(1);
    assertThat(n1.stats().statesRejected()).isEqualTo(1);
  }

  @Test
  void apply_stateWithAValueTooLongIsDroppedWhole() {
    Gossip n1 = node("n1", 1);

    receive(
        n1,
        state("n2", 1, 1, ApplicationState.TOKENS, "x".repeat(CONFIG.valueCharsMax() + 1), 1),
        0);

    assertThat(n1.endpointState("n2")).isEmpty();
    assertThat(n1.stats().statesRejected()).isEqualTo(1);
  }

  // --- liveness ---

  @Test
  void liveness_aNodeHeardOfSecondHandIsNotUpUntilItsHeartbeatAdvances() {
    Gossip n1 = node("n1", 1);
    drain(n1);

    // n2 tells n1 about n3: n3 may well be dead.
    n1.step(new Ack2("n2", "n1", List.of(EndpointDelta.whole(state("n3", 1, 5)))), 1 * S);
    assertThat(drain(n1).events()).containsExactly(new GossipEvent.Joined("n3", state("n3", 1, 5)));
    assertThat(n1.isUp("n3")).isFalse();
    assertThat(n1.unreachableEndpoints()).containsExactly("n3");

    // Later, n3's heartbeat has moved on: it is alive.
    n1.step(new Ack2("n2", "n1", List.of(new EndpointDelta(state("n3", 1, 6), 5))), 2 * S);
    assertThat(drain(n1).events()).containsExactly(new GossipEvent.Up("n3", 0.0));
    assertThat(n1.liveEndpoints()).containsExactly("n3");
  }

  @Test
  void liveness_silentNodeIsConvictedAndReportedDown() {
    Gossip n1 = node("n1", 1);
    drain(n1);
    receive(n1, state("n2", 1, 1), 0);
    drain(n1);

    List<GossipEvent> events = new ArrayList<>();
    for (long t = 1; t <= 40; t++) {
      n1.tick(t * S);
      events.addAll(drain(n1).events());
    }

    // Bootstrap mean 2 s: phi passes 8 after 36.84 s of silence.
    assertThat(events).hasSize(1);
    assertThat(events.get(0)).isInstanceOf(GossipEvent.Down.class);
    assertThat(n1.isUp("n2")).isFalse();
  }

  @Test
  void liveness_restartResetsTheDetectorHistory() {
    Gossip n1 = node("n1", 1);
    for (int t = 0; t < 10; t++) {
      receive(n1, state("n2", 1, t + 1), t * S);
    }
    drain(n1);

    receive(n1, state("n2", 2, 1), 10 * S);

    // A fresh window: the bootstrap sample only, 2 s.
    assertThat(n1.phi("n2", 14 * S))
        .isCloseTo(4.0 / 2 * PhiAccrualFailureDetector.PHI_FACTOR, within(1e-12));
    assertThat(n1.isUp("n2")).isTrue();
  }

  // --- bounds ---

  @Test
  void bounds_synSamplesDigestsKeepingItsOwn() {
    GossipConfig small = CONFIG.withMessageBounds(4, 2);
    Gossip n1 = node("n1", small, 1);
    for (int i = 2; i <= 10; i++) {
      receive(n1, state("n" + i, 1, 1), 0);
      receive(n1, state("n" + i, 1, 2), 1 * S); // heartbeat advanced: up
    }
    drain(n1);

    n1.tick(2 * S);

    List<GossipMessage> messages = drain(n1).messages();
    assertThat(messages).isNotEmpty();
    for (GossipMessage message : messages) {
      List<GossipDigest> digests = ((Syn) message).digests();
      assertThat(digests).hasSize(4);
      assertThat(digests).extracting(GossipDigest::endpoint).contains("n1").isSorted();
    }
    assertThat(n1.stats().digestsOmitted()).isEqualTo(6); // one sample per tick, shared by its SYNs
  }

  @Test
  void bounds_oversizedSynIsTruncatedNotRefused() {
    GossipConfig small = CONFIG.withMessageBounds(4, 2);
    Gossip n1 = node("n1", small, 1);
    drain(n1);
    List<GossipDigest> digests = new ArrayList<>();
    for (int i = 2; i <= 100; i++) {
      digests.add(new GossipDigest("n" + i, 1, 7));
    }

    n1.step(new Syn("n2", "n1", "ringkv", digests), 1 * S);

    Ack ack = (Ack) drain(n1).messages().get(0);
    assertThat(ack.requests()).hasSize(4);
    assertThat(n1.stats().digestsOmitted()).isEqualTo(95);
  }

  @Test
  void bounds_ackCarriesAtMostDeltasPerMessageMaxStates() {
    GossipConfig small = CONFIG.withMessageBounds(16, 2);
    Gossip n1 = node("n1", small, 1);
    for (int i = 2; i <= 6; i++) {
      receive(n1, state("n" + i, 1, 10 * i), 0);
    }
    drain(n1);
    List<GossipDigest> digests = new ArrayList<>();
    for (int i = 2; i <= 6; i++) {
      digests.add(new GossipDigest("n" + i, 1, 1));
    }

    n1.step(new Syn("n2", "n1", "ringkv", digests), 1 * S);

    Ack ack = (Ack) drain(n1).messages().get(0);
    assertThat(ack.deltas()).extracting(EndpointDelta::endpoint).containsExactly("n6", "n5");
    assertThat(n1.stats().deltasOmitted()).isEqualTo(3);
  }

  @Test
  void bounds_oversizedAckStatesAreTruncatedNotRefused() {
    GossipConfig small = CONFIG.withMessageBounds(16, 2);
    Gossip n1 = node("n1", small, 1);
    List<EndpointDelta> deltas = new ArrayList<>();
    for (int i = 2; i <= 9; i++) {
      deltas.add(EndpointDelta.whole(state("n" + i, 1, 1)));
    }

    n1.step(new Ack2("n2", "n1", deltas), 1 * S);

    assertThat(n1.endpointStates()).containsOnlyKeys("n1", "n2", "n3");
    assertThat(n1.stats().deltasOmitted()).isEqualTo(6);
  }

  @Test
  void bounds_newEndpointsBeyondEndpointsMaxAreRejected() {
    Gossip n1 = node("n1", CONFIG.withEndpointsMax(3), 1);

    for (int i = 2; i <= 5; i++) {
      receive(n1, state("n" + i, 1, 1), 0);
    }

    assertThat(n1.endpointStates()).containsOnlyKeys("n1", "n2", "n3");
    assertThat(n1.stats().endpointsRejected()).isEqualTo(2);
    // and a SYN about more of them asks for nothing
    n1.step(new Syn("n2", "n1", "ringkv", List.of(new GossipDigest("n7", 1, 3))), 1 * S);
    assertThat(((Ack) drain(n1).messages().get(0)).requests()).isEmpty();
  }

  @Test
  void bounds_fullOutboxDropsAndCounts() {
    GossipConfig config =
        new GossipConfig(
            "ringkv",
            512,
            64,
            1_024,
            16_384,
            3,
            65_536,
            1_000,
            S,
            S,
            FailureDetectorConfig.defaults());
    Gossip n1 = node("n1", config, 1);
    drain(n1);

    for (int i = 0; i < 5; i++) {
      n1.step(new Syn("n2", "n1", "ringkv", List.of()), i * S);
    }

    assertThat(n1.ready().messages()).hasSize(3);
    assertThat(n1.stats().messagesDropped()).isEqualTo(2);
  }

  // --- departed nodes ---

  @Test
  void left_nodeIsForgottenAfterItsRetentionThenQuarantined() {
    Gossip n1 = node("n1", CONFIG.withRetention(30 * S, 60 * S), 1);
    receive(n1, state("n2", 1, 1, ApplicationState.STATUS, "NORMAL", 1), 0);
    receive(n1, state("n2", 1, 2, ApplicationState.STATUS, Gossip.STATUS_LEFT, 2), 1 * S);
    drain(n1);

    List<GossipEvent> events = new ArrayList<>();
    long t = 2;
    while (n1.endpointState("n2").isPresent() && t < 200) {
      n1.tick(t++ * S);
      events.addAll(drain(n1).events());
    }

    // Down after ~37 s of silence (bootstrap mean), then forgotten: 30 s after its last heartbeat
    // but only once it is down.
    assertThat(events).hasSize(2);
    assertThat(events.get(0)).isInstanceOf(GossipEvent.Down.class);
    assertThat(events.get(1)).isEqualTo(new GossipEvent.Removed("n2"));

    // Late gossip about it is ignored during the quarantine...
    receive(n1, state("n2", 1, 3, ApplicationState.STATUS, "NORMAL", 3), t * S);
    assertThat(n1.endpointState("n2")).isEmpty();
  }

  @Test
  void left_nodeIsNotLearntAnew() {
    Gossip n1 = node("n1", 1);

    n1.step(
        new Ack2(
            "n2",
            "n1",
            List.of(
                EndpointDelta.whole(state("n3", 1, 1, ApplicationState.STATUS, "LEFT,12345", 1)))),
        0);

    assertThat(n1.endpointState("n3")).isEmpty();
  }

  // --- validation ---

  @Test
  void config_rejectsBadValuesNamingTheFieldAndLimit() {
    assertThatThrownBy(() -> CONFIG.withMessageBounds(1, 64))
        .hasMessage("synDigestsMax must be in [2, 1000000], was 1");
    assertThatThrownBy(() -> CONFIG.withClusterName(" "))
        .hasMessageContaining("clusterName must be non-blank");
    assertThatThrownBy(
            () -> CONFIG.withFailureDetector(FailureDetectorConfig.defaults().withEndpointsMax(10)))
        .hasMessageContaining(
            "failureDetector.endpointsMax (10) must be at least endpointsMax (1024)");
    assertThatThrownBy(
            () ->
                new GossipConfig(
                    "ringkv",
                    512,
                    64,
                    1_024,
                    16_384,
                    1_024,
                    100,
                    1,
                    S,
                    S,
                    FailureDetectorConfig.defaults()))
        .hasMessageContaining("eventsMax (100) must hold one step's events")
        .hasMessageContaining("= 2688"); // 64 deltas x (9 values + 1) + 2 x 1,024 endpoints
  }

  @Test
  void constructor_rejectsBadArgumentsNamingThem() {
    assertThatThrownBy(() -> node("has space", 1))
        .hasMessageContaining("self must not contain whitespace");
    assertThatThrownBy(() -> node("n1", -1))
        .hasMessageContaining("generation must be non-negative, was -1");
    assertThatThrownBy(() -> node("n1", 1, ""))
        .hasMessageContaining("seed must have 1 to 128 characters");
    assertThatThrownBy(() -> new Syn("n1", "n1", "ringkv", List.of()))
        .hasMessageContaining("from and to must differ");
    assertThatThrownBy(() -> new VersionedValue("x", 0))
        .hasMessageContaining("version must be positive, was 0");
  }
}
