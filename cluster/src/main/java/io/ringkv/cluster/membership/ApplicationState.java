package io.ringkv.cluster.membership;

/**
 * The keys of the values a node announces about itself through gossip (Cassandra's {@code
 * ApplicationState}). Gossip treats every value as an opaque string with a version; their meaning
 * belongs to whoever derives cluster metadata from them. The one exception is {@link #STATUS}: a
 * value {@value Gossip#STATUS_LEFT} (or starting with {@code "LEFT,"}) lets gossip forget a node
 * that left the cluster.
 *
 * <p>Append only: a codec will write these by name, and iteration order (declaration order) decides
 * the order of values in messages and transcripts.
 */
public enum ApplicationState {
  /** The node's place in the ring's life cycle, for example JOINING, NORMAL, LEAVING, LEFT. */
  STATUS,
  /** The node's ring tokens. */
  TOKENS,
  /** The node's datacenter. */
  DC,
  /** The node's rack within its datacenter. */
  RACK,
  /** Where to reach the node (internode and client endpoints). */
  ADDRESSES,
  /** The cluster metadata epoch the node has seen. */
  EPOCH,
  /** How much data the node holds, for status displays. */
  LOAD,
  /** The node's capacity relative to a standard node; it gets that many times the tokens. */
  WEIGHT,
  /**
   * The epoch of the metadata log the node has applied ({@code cluster.metadata: raft}): a node
   * that sees a peer ahead of it fetches the metadata from that peer.
   */
  METADATA_LOG_EPOCH
}
