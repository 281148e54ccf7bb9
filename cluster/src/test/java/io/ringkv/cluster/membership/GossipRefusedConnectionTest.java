package io.ringkv.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.common.Rng;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A refused connection convicts its endpoint at once, but only if nothing newer was heard of it: a
 * reset for an attempt that raced with the endpoint's restart is about the process that is gone,
 * not the one that now runs. Found by the simulator (sim/, regression seeds 1245 and 1898: a reset
 * that took half a second to come back marked a node that had just restarted down for 5 s).
 */
class GossipRefusedConnectionTest {
  private static final long SECOND_NANOS = 1_000_000_000L;

  private final TreeMap<String, Gossip> nodes = new TreeMap<>();
  private final ArrayDeque<GossipMessage> inFlight = new ArrayDeque<>();
  private final List<GossipEvent> n1Events = new ArrayList<>();

  @Test
  void reportRefused_attemptBeforeTheRestartWasHeard_isIgnored_laterAttemptConvicts() {
    start("n2", 1, 2);
    start("n1", 1, 1);
    for (long second = 1; second <= 4; second++) {
      round(second * SECOND_NANOS);
    }
    assertThat(nodes.get("n1").isUp("n2")).isTrue();

    // n1 tries to connect to n2 at 4.5 s, just as n2 crashes; n2 restarts, n1 hears of it at 5 s,
    // and only then does the refusal of the 4.5 s attempt come back.
    long attempt = 4_500_000_000L;
    start("n2", 2, 22);
    round(5 * SECOND_NANOS);
    assertThat(nodes.get("n1").endpointState("n2").orElseThrow().generation()).isEqualTo(2);
    n1Events.clear();
    nodes.get("n1").reportRefused("n2", attempt, 5_200_000_000L);
    drain(nodes.get("n1"));

    assertThat(nodes.get("n1").isUp("n2")).isTrue();
    assertThat(n1Events).noneMatch(GossipEvent.Down.class::isInstance);

    // An attempt made after the last heartbeat was heard is fresh evidence: n2 is down at once.
    nodes.get("n1").reportRefused("n2", 5_300_000_000L, 5_400_000_000L);
    drain(nodes.get("n1"));

    assertThat(nodes.get("n1").isUp("n2")).isFalse();
    assertThat(n1Events).singleElement().isInstanceOf(GossipEvent.Down.class);
  }

  private void start(String name, long generation, long seed) {
    Gossip gossip =
        new Gossip(
            name,
            GossipConfig.defaults(),
            generation,
            Map.of(ApplicationState.STATUS, "NORMAL"),
            List.of("n1"),
            new Rng(seed));
    nodes.put(name, gossip);
    drain(gossip);
  }

  private void round(long nowNanos) {
    for (Gossip gossip : nodes.values()) {
      gossip.tick(nowNanos);
      drain(gossip);
    }
    while (!inFlight.isEmpty()) {
      GossipMessage message = inFlight.removeFirst();
      Gossip to = nodes.get(message.to());
      to.step(message, nowNanos);
      drain(to);
    }
  }

  private void drain(Gossip gossip) {
    Gossip.Ready ready = gossip.ready();
    inFlight.addAll(ready.messages());
    if (gossip.self().equals("n1")) {
      n1Events.addAll(ready.events());
    }
    gossip.advance(ready);
  }
}
