package io.ringkv.cluster.membership;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The stable one-line text of gossip messages, events, states and persisted state, used by the
 * golden transcripts and by trace hashes. Sorted maps and fixed number formats only, so that the
 * same run always prints the same bytes.
 */
final class TranscriptFormat {
  private TranscriptFormat() {}

  static String message(GossipMessage message) {
    String route = message.from() + "->" + message.to();
    return switch (message) {
      case GossipMessage.Syn syn -> "SYN " + route + " digests=" + digests(syn.digests());
      case GossipMessage.Ack ack ->
          "ACK "
              + route
              + " requests="
              + digests(ack.requests())
              + " deltas="
              + deltas(ack.deltas());
      case GossipMessage.Ack2 ack2 -> "ACK2 " + route + " deltas=" + deltas(ack2.deltas());
    };
  }

  static String event(GossipEvent event) {
    return switch (event) {
      case GossipEvent.Joined joined -> "Joined " + state(joined.state());
      case GossipEvent.Restarted restarted ->
          "Restarted "
              + restarted.endpoint()
              + " generation "
              + restarted.previousGeneration()
              + "->"
              + restarted.state().generation()
              + " "
              + state(restarted.state());
      case GossipEvent.Changed changed ->
          "Changed "
              + changed.endpoint()
              + " "
              + changed.key()
              + "="
              + changed.value().value()
              + "@"
              + changed.value().version();
      case GossipEvent.Up up -> "Up " + up.endpoint() + " phi=" + phi(up.phi());
      case GossipEvent.Down down -> "Down " + down.endpoint() + " phi=" + phi(down.phi());
      case GossipEvent.Removed removed -> "Removed " + removed.endpoint();
    };
  }

  static String persist(PersistentGossipState persist) {
    StringJoiner joiner = new StringJoiner(" ", "generation=" + persist.generation() + " {", "}");
    for (Map.Entry<ApplicationState, String> entry : persist.applicationStates().entrySet()) {
      joiner.add(entry.getKey() + "=" + entry.getValue());
    }
    return joiner.toString();
  }

  /** {@code n2(g1 hb4 DC=dc1@1 STATUS=NORMAL@2)}: generation, heartbeat, values with versions. */
  static String state(EndpointState state) {
    StringJoiner joiner = new StringJoiner(" ", state.endpoint() + "(", ")");
    joiner.add("g" + state.generation());
    joiner.add("hb" + state.heartbeatVersion());
    for (Map.Entry<ApplicationState, VersionedValue> entry : state.states().entrySet()) {
      joiner.add(
          entry.getKey() + "=" + entry.getValue().value() + "@" + entry.getValue().version());
    }
    return joiner.toString();
  }

  static String phi(double phi) {
    return String.format(Locale.ROOT, "%.2f", phi);
  }

  private static String digests(List<GossipDigest> digests) {
    StringJoiner joiner = new StringJoiner(" ", "[", "]");
    for (GossipDigest digest : digests) {
      joiner.add(digest.endpoint() + ":g" + digest.generation() + ":v" + digest.maxVersion());
    }
    return joiner.toString();
  }

  /** Whole states as {@link #state}; parts as {@code n2>v9(g1 hb12 LOAD=42@11)}: after v9. */
  private static String deltas(List<EndpointDelta> deltas) {
    StringJoiner joiner = new StringJoiner(" ", "[", "]");
    for (EndpointDelta delta : deltas) {
      String state = state(delta.state());
      joiner.add(
          delta.isWhole() ? state : state.replaceFirst("\\(", ">v" + delta.afterVersion() + "("));
    }
    return joiner.toString();
  }
}
