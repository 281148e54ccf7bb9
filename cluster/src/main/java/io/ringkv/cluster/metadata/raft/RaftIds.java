package io.ringkv.cluster.metadata.raft;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.Murmur3;
import java.nio.charset.StandardCharsets;

/**
 * The Raft member id of a node: Raft numbers its members with positive longs, ringkv names them
 * with {@link NodeId}s; this is the one mapping between the two, computed (the low 63 bits of the
 * Murmur3 hash of the name, never 0) so that any node knows any other's Raft id from its name
 * alone, without a table that would itself need agreeing on.
 *
 * <p>Two names that hash alike (odds about 2^-44 among a thousand members) cannot both be members:
 * the {@link MetadataStateMachine} rejects the second one's join, naming the clash.
 *
 * <p>Stateless; thread-safe.
 */
public final class RaftIds {
  private RaftIds() {}

  /** The Raft id of node {@code id}: positive. */
  public static long of(NodeId id) {
    long hash = Murmur3.hash128(id.value().getBytes(StandardCharsets.UTF_8))[0] & Long.MAX_VALUE;
    return hash == 0 ? 1 : hash;
  }
}
