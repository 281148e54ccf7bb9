package io.ringkv.sim.membership;

import io.ringkv.cluster.membership.ApplicationState;
import io.ringkv.cluster.membership.EndpointDelta;
import io.ringkv.cluster.membership.EndpointState;
import io.ringkv.cluster.membership.GossipDigest;
import io.ringkv.cluster.membership.GossipEvent;
import io.ringkv.cluster.membership.GossipMessage;
import io.ringkv.cluster.membership.VersionedValue;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one-line text of gossip messages and events in a simulation trace: stable (sorted maps, fixed
 * number formats), and short, since every message of a run is traced and hashed. A value longer
 * than {@link #VALUE_CHARS_SHOWN} characters (tokens) is shown as {@code #<hash>/<length>} with
 * {@link String#hashCode()}, which the Java specification fixes, so the trace hash still covers it.
 *
 * <p>Stateless and thread-safe.
 */
final class GossipText {
  /** Values up to this long are traced whole. */
  static final int VALUE_CHARS_SHOWN = 24;

  private GossipText() {}

  static String message(GossipMessage message) {
    StringBuilder out = new StringBuilder(96);
    switch (message) {
      case GossipMessage.Syn syn -> {
        out.append("SYN ").append(syn.from()).append("->").append(syn.to()).append(' ');
        digests(out, syn.digests());
      }
      case GossipMessage.Ack ack -> {
        out.append("ACK ").append(ack.from()).append("->").append(ack.to()).append(' ');
        digests(out, ack.requests());
        out.append(' ');
        deltas(out, ack.deltas());
      }
      case GossipMessage.Ack2 ack2 -> {
        out.append("ACK2 ").append(ack2.from()).append("->").append(ack2.to()).append(' ');
        deltas(out, ack2.deltas());
      }
    }
    return out.toString();
  }

  static String event(GossipEvent event) {
    return switch (event) {
      case GossipEvent.Joined joined -> "Joined " + state(joined.state());
      case GossipEvent.Restarted restarted ->
          "Restarted "
              + restarted.endpoint()
              + " g"
              + restarted.previousGeneration()
              + "->"
              + state(restarted.state());
      case GossipEvent.Changed changed ->
          "Changed " + changed.endpoint() + " " + value(changed.key(), changed.value());
      case GossipEvent.Up up -> "Up " + up.endpoint() + " phi=" + phi(up.phi());
      case GossipEvent.Down down -> "Down " + down.endpoint() + " phi=" + phi(down.phi());
      case GossipEvent.Removed removed -> "Removed " + removed.endpoint();
    };
  }

  /** {@code n2(g1 hb4 STATUS=NORMAL@2 ...)}. */
  static String state(EndpointState state) {
    StringBuilder out = new StringBuilder(64);
    state(out, state);
    return out.toString();
  }

  static String phi(double phi) {
    return String.format(Locale.ROOT, "%.2f", phi);
  }

  private static void digests(StringBuilder out, List<GossipDigest> digests) {
    out.append('[');
    for (int i = 0; i < digests.size(); i++) {
      GossipDigest digest = digests.get(i);
      if (i > 0) {
        out.append(' ');
      }
      out.append(digest.endpoint())
          .append(':')
          .append(digest.generation())
          .append(':')
          .append(digest.maxVersion());
    }
    out.append(']');
  }

  private static void deltas(StringBuilder out, List<EndpointDelta> deltas) {
    out.append('[');
    for (int i = 0; i < deltas.size(); i++) {
      EndpointDelta delta = deltas.get(i);
      if (i > 0) {
        out.append(' ');
      }
      out.append('>').append(delta.afterVersion());
      state(out, delta.state());
    }
    out.append(']');
  }

  private static void state(StringBuilder out, EndpointState state) {
    out.append(state.endpoint())
        .append("(g")
        .append(state.generation())
        .append(" hb")
        .append(state.heartbeatVersion());
    for (Map.Entry<ApplicationState, VersionedValue> entry : state.states().entrySet()) {
      out.append(' ').append(value(entry.getKey(), entry.getValue()));
    }
    out.append(')');
  }

  private static String value(ApplicationState key, VersionedValue value) {
    String text = value.value();
    String shown =
        text.length() <= VALUE_CHARS_SHOWN
            ? text
            : "#" + Integer.toHexString(text.hashCode()) + "/" + text.length();
    return key + "=" + shown + "@" + value.version();
  }
}
