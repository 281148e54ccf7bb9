package io.ringkv.sim.membership;

import io.ringkv.cluster.membership.GossipEvent;

/**
 * Hears of everything that happens to a {@link SimCluster}, at the simulation's current time: what
 * the checkers build their history from. Called on the simulation's thread, after the change.
 */
public interface ClusterListener {
  /** {@code node} started a new incarnation ({@code restart}: it had run before). */
  default void onStarted(SimNode node, boolean restart) {}

  /** {@code node} stopped. */
  default void onStopped(SimNode node, StopKind kind) {}

  /** {@code node} resumed after a {@link StopKind#FREEZE}. */
  default void onThawed(SimNode node) {}

  /** The link {@code from -> to} was cut or restored, or its loss changed. */
  default void onLinkChanged(String from, String to) {}

  /** {@code node}'s clock jumped by {@code deltaNanos}. */
  default void onClockJumped(SimNode node, long deltaNanos) {}

  /** {@code observer}'s gossip reported {@code event}. */
  default void onGossipEvent(SimNode observer, GossipEvent event) {}

  /**
   * {@code sender} hears that its connection to {@code destination} was refused (before it acts).
   */
  default void onRefused(SimNode sender, String destination) {}

  /** {@code node} handled one input (a tick, a message, a refusal) and its output was drained. */
  default void onInputHandled(SimNode node) {}
}
