package io.ringkv.server.raft;

import io.ringkv.cluster.metadata.NodeId;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a Raft group's members live: the mapping from Raft member ids (positive longs, as {@link
 * io.ringkv.raft.Configuration} holds them) to the nodes whose {@link
 * io.ringkv.server.internode.InternodeTransport} hosts them. The caller supplies it; cluster
 * metadata would derive it from its member table, a benchmark from its command line.
 *
 * <p>Used both ways: outbound, a message for member {@code m} is sent to {@code nodeOf(m)} (no node
 * known: dropped and counted, Raft retries); inbound, a message claiming to come from member {@code
 * m} is taken only from the transport peer {@code nodeOf(m)}, so that one node cannot speak for
 * another member. The mapping may grow while the group runs (add the node before proposing {@code
 * addLearner} for it) and must be thread-safe: it is read from the group's thread and the
 * transport's threads.
 */
public interface RaftPeers {
  /** The node hosting {@code member}, or null if none is known. */
  NodeId nodeOf(long member);

  /** The member hosted by {@code node} in this group, or 0 if none. */
  long memberOf(NodeId node);

  /** A mapping that can grow: a concurrent map of member id to node. */
  static Directory directory(Map<Long, NodeId> members) {
    Directory directory = new Directory();
    members.forEach(directory::put);
    return directory;
  }

  /** A thread-safe, growable mapping. */
  final class Directory implements RaftPeers {
    private final Map<Long, NodeId> nodes = new ConcurrentHashMap<>();
    private final Map<NodeId, Long> members = new ConcurrentHashMap<>();

    /** Says that {@code member} lives on {@code node} (replacing what was known of either). */
    public void put(long member, NodeId node) {
      if (member <= 0) {
        throw new IllegalArgumentException("member id must be positive, was " + member);
      }
      Objects.requireNonNull(node, "node");
      NodeId old = nodes.put(member, node);
      if (old != null) {
        members.remove(old, member);
      }
      members.put(node, member);
    }

    @Override
    public NodeId nodeOf(long member) {
      return nodes.get(member);
    }

    @Override
    public long memberOf(NodeId node) {
      Long member = members.get(node);
      return member == null ? 0 : member;
    }
  }
}
