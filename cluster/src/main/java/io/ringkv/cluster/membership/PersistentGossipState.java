package io.ringkv.cluster.membership;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a node must store durably for gossip, handed out in {@link Gossip.Ready#persist()}: its
 * generation, and its own application state values. After a restart the caller reads it back,
 * computes the next generation with {@link Gossip#nextGeneration} and builds a new {@link Gossip}
 * with these values, so that the node comes back under the same name with the same tokens.
 *
 * <p>The caller stores it before sending the messages of the same {@link Gossip.Ready} (as etcd's
 * raft stores its HardState): a node that sent messages under a generation it had not stored could
 * restart under the same generation, and its fresh, low versions would be ignored by everyone.
 *
 * @param generation the generation in use
 * @param applicationStates the node's own values, without versions (a restart renumbers them)
 */
public record PersistentGossipState(
    long generation, SortedMap<ApplicationState, String> applicationStates) {
  public PersistentGossipState {
    if (generation < 0) {
      throw new IllegalArgumentException("generation must be non-negative, was " + generation);
    }
    Objects.requireNonNull(applicationStates, "applicationStates");
    TreeMap<ApplicationState, String> copy = new TreeMap<>();
    for (Map.Entry<ApplicationState, String> entry : applicationStates.entrySet()) {
      copy.put(
          Objects.requireNonNull(entry.getKey(), "applicationStates key"),
          Objects.requireNonNull(entry.getValue(), "applicationStates value"));
    }
    applicationStates = Collections.unmodifiableSortedMap(copy);
  }
}
