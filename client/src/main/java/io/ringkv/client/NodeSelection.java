package io.ringkv.client;

/**
 * Which node a request goes to first. Whatever the choice, a request that fails on a node in a way
 * that allows a retry goes on to the next node in the list (see {@link RingkvClient}).
 */
public enum NodeSelection {
  /** Requests take turns over the nodes, spreading the coordinating work. */
  ROUND_ROBIN,
  /** Requests go to one node until it fails, then to the next one, and stay there. */
  STICKY
}
