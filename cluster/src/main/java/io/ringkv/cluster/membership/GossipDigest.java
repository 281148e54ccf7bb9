package io.ringkv.cluster.membership;

/**
 * A summary of what a node knows about one endpoint: its generation and the highest version seen
 * (Cassandra's {@code GossipDigest}). A SYN lists digests; an ACK uses the same shape to ask for
 * the values newer than {@code maxVersion} of that generation.
 *
 * @param endpoint the endpoint described
 * @param generation its generation
 * @param maxVersion the highest version known; 0 asks for everything
 */
public record GossipDigest(String endpoint, long generation, long maxVersion) {
  public GossipDigest {
    EndpointState.checkEndpoint("endpoint", endpoint);
    if (generation < 0) {
      throw new IllegalArgumentException("generation must be non-negative, was " + generation);
    }
    if (maxVersion < 0) {
      throw new IllegalArgumentException("maxVersion must be non-negative, was " + maxVersion);
    }
  }
}
