package io.ringkv.server.raft;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.raft.Configuration;
import io.ringkv.raft.Role;
import java.util.Optional;

/**
 * A {@link RaftGroup}'s state as last published by its thread (after every loop iteration): for
 * display, routing and tests; slightly behind the group at any moment.
 *
 * @param groupId the group
 * @param member this member's id
 * @param role this member's role
 * @param term its current term
 * @param leader the leader's member id in that term, or 0 if none is known
 * @param leaderNode the leader's node, when known and mapped by {@link RaftPeers}
 * @param commit the highest index known committed
 * @param applied the state machine's applied index
 * @param lastIndex the last index in this member's log
 * @param snapshotIndex the index of its latest snapshot (0: none)
 * @param configuration the voters and learners in force on this member
 * @param running false once closed or stopped by a storage failure
 */
public record RaftGroupStatus(
    long groupId,
    long member,
    Role role,
    long term,
    long leader,
    Optional<NodeId> leaderNode,
    long commit,
    long applied,
    long lastIndex,
    long snapshotIndex,
    Configuration configuration,
    boolean running) {

  public boolean isLeader() {
    return role == Role.LEADER;
  }
}
