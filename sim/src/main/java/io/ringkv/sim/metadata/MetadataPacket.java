package io.ringkv.sim.metadata;

import io.ringkv.raft.Message;

/** What travels between the metadata nodes and the operator. Immutable values. */
sealed interface MetadataPacket {

  /** A Raft message between members of the metadata group. */
  record RaftPacket(Message message) implements MetadataPacket {}

  /**
   * An operator's command for the metadata log, sent to any node; a node that is not the leader
   * forwards it to the leader it knows, at most {@link MetadataCluster#FORWARD_HOPS_MAX} times.
   */
  record Request(long requestId, byte[] command, int hops) implements MetadataPacket {}

  /** The state machine's result for a request, from the node that proposed it. */
  record Reply(long requestId, byte[] result) implements MetadataPacket {}

  static String describe(MetadataPacket packet) {
    return switch (packet) {
      case RaftPacket raft -> raft.message().toString();
      case Request request -> "request #" + request.requestId() + " hop " + request.hops();
      case Reply reply -> "reply #" + reply.requestId();
    };
  }
}
