package io.ringkv.cluster.membership;

/**
 * What changed in a node's view of the other endpoints, handed to the rest of the node through
 * {@link Gossip.Ready#events()} in the order it happened. Events never describe the node itself:
 * its own changes are the caller's own acts.
 */
public sealed interface GossipEvent {
  /** The endpoint the event is about. */
  String endpoint();

  /**
   * An endpoint seen for the first time. It is not yet {@link Up}: that takes a heartbeat that
   * advances, or a message from the endpoint itself.
   *
   * @param state everything known about it so far
   */
  record Joined(String endpoint, EndpointState state) implements GossipEvent {}

  /**
   * An endpoint came back with a higher generation (it restarted); its state was replaced whole.
   *
   * @param previousGeneration the generation it had before
   * @param state its new state
   */
  record Restarted(String endpoint, long previousGeneration, EndpointState state)
      implements GossipEvent {}

  /**
   * One application state value of an endpoint changed within its generation.
   *
   * @param key which value
   * @param value the new value and its version
   */
  record Changed(String endpoint, ApplicationState key, VersionedValue value)
      implements GossipEvent {}

  /**
   * The failure detector considers the endpoint alive.
   *
   * @param phi the suspicion level when it was decided
   */
  record Up(String endpoint, double phi) implements GossipEvent {}

  /**
   * The failure detector convicted the endpoint: phi went over the threshold.
   *
   * @param phi the suspicion level when it was decided
   */
  record Down(String endpoint, double phi) implements GossipEvent {}

  /** A node that left the cluster was forgotten after its retention time. */
  record Removed(String endpoint) implements GossipEvent {}
}
