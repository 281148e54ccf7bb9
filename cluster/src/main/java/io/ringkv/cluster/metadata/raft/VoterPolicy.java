package io.ringkv.cluster.metadata.raft;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.raft.ConfigChange;
import io.ringkv.raft.Configuration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Which members of the cluster vote in the metadata group, and the next single Raft configuration
 * change that moves the group towards that: what the metadata leader's node asks of Raft, one
 * change at a time, whenever the last one has committed.
 *
 * <p>Why few voters: every voter is on the path of every metadata commit, and the metadata changes
 * rarely; 3 voters survive one failure, 5 survive two. So: 1 voter while the cluster has fewer than
 * 3 eligible members, 3 up to 4, 5 from 5 on ({@link #voterTarget}). Every other member that is not
 * Left is a learner: it receives the log, so its metadata is current, but never votes.
 *
 * <p>Choosing voters: the target counts every member that is not Left (a member down for now does
 * not shrink the group). Greedy, one at a time, the eligible member whose datacenter, then rack,
 * holds the fewest voters chosen so far, so that voters spread over datacenters first and racks
 * second (losing one datacenter or rack loses as few voters as possible). Ties go to the leader,
 * then to current voters (no churn without a reason), then by name. If fewer members are eligible
 * than the target, current voters keep their seats. The result depends on nothing else, so it is
 * the same on every node.
 *
 * <p>The order of changes ({@link #nextChange}): first drop members the metadata no longer has or
 * that are Left; then add every other member as a learner; then promote a chosen learner while
 * voters are below the target, or at the target with an unchosen voter to replace (promote first,
 * then demote: the group never shrinks below its target in between); then demote an unchosen voter
 * while voters are above the target. The leader is never dropped or demoted here (transfer
 * leadership first), and the last voter is never removed.
 *
 * <p>Stateless; thread-safe.
 */
public final class VoterPolicy {
  /** Voters of a small cluster: survives one failure. */
  public static final int VOTERS_SMALL = 3;

  /** Voters of a cluster of at least {@link #VOTERS_LARGE} eligible members: survives two. */
  public static final int VOTERS_LARGE = 5;

  private VoterPolicy() {}

  /** The number of voters for {@code eligibleMembers} members able to vote. */
  public static int voterTarget(int eligibleMembers) {
    if (eligibleMembers >= VOTERS_LARGE) {
      return VOTERS_LARGE;
    }
    return eligibleMembers >= VOTERS_SMALL ? VOTERS_SMALL : 1;
  }

  /**
   * The members that should vote: {@link #voterTarget} of the members that are not Left, chosen
   * among the eligible ones; when too few are eligible, current voters that are not (down for now)
   * keep their seats rather than the group shrinking, which would only have to grow back.
   *
   * @param eligible true for a member that may be chosen: not Left, alive, and (for a learner)
   *     caught up with the log, as the leader sees it
   * @param leader the metadata leader's name, preferred so that it is never demoted; may be null
   */
  public static TreeSet<NodeId> chooseVoters(
      ClusterMetadata metadata,
      Configuration configuration,
      NodeId leader,
      Predicate<NodeId> eligible) {
    List<Member> members = new ArrayList<>();
    for (Member member : metadata.members().values()) {
      if (member.status() != Member.Status.LEFT) {
        members.add(member);
      }
    }
    int target = voterTarget(members.size());
    members.sort(
        (a, b) -> {
          int byLeader = Boolean.compare(!a.id().equals(leader), !b.id().equals(leader));
          if (byLeader != 0) {
            return byLeader;
          }
          int byVoter =
              Boolean.compare(
                  !configuration.isVoter(RaftIds.of(a.id())),
                  !configuration.isVoter(RaftIds.of(b.id())));
          return byVoter != 0 ? byVoter : a.id().compareTo(b.id());
        });
    TreeMap<String, Integer> perDatacenter = new TreeMap<>();
    TreeMap<String, Integer> perRack = new TreeMap<>();
    TreeSet<NodeId> chosen = new TreeSet<>();
    List<Member> candidates = new ArrayList<>();
    for (Member member : members) {
      if (eligible.test(member.id())) {
        candidates.add(member);
      }
    }
    spread(candidates, target, chosen, perDatacenter, perRack);
    List<Member> seated = new ArrayList<>();
    for (Member member : members) {
      if (configuration.isVoter(RaftIds.of(member.id()))) {
        seated.add(member);
      }
    }
    spread(seated, target, chosen, perDatacenter, perRack);
    return chosen;
  }

  /** Adds members of {@code from} to {@code chosen}, fewest per datacenter then rack first. */
  private static void spread(
      List<Member> from,
      int target,
      TreeSet<NodeId> chosen,
      TreeMap<String, Integer> perDatacenter,
      TreeMap<String, Integer> perRack) {
    while (chosen.size() < target) {
      Member best = null;
      int bestDatacenter = Integer.MAX_VALUE;
      int bestRack = Integer.MAX_VALUE;
      for (Member candidate : from) {
        if (chosen.contains(candidate.id())) {
          continue;
        }
        int inDatacenter = perDatacenter.getOrDefault(candidate.datacenter(), 0);
        int inRack = perRack.getOrDefault(rackKey(candidate), 0);
        if (inDatacenter < bestDatacenter
            || (inDatacenter == bestDatacenter && inRack < bestRack)) {
          best = candidate;
          bestDatacenter = inDatacenter;
          bestRack = inRack;
        }
      }
      if (best == null) {
        return;
      }
      chosen.add(best.id());
      perDatacenter.merge(best.datacenter(), 1, Integer::sum);
      perRack.merge(rackKey(best), 1, Integer::sum);
    }
  }

  /**
   * The next configuration change towards the chosen voters, or empty if the group is where it
   * should be.
   *
   * @param leader the metadata leader's name (never dropped or demoted)
   * @param eligible see {@link #chooseVoters}
   */
  public static Optional<ConfigChange> nextChange(
      ClusterMetadata metadata,
      Configuration configuration,
      NodeId leader,
      Predicate<NodeId> eligible) {
    long leaderId = leader == null ? 0 : RaftIds.of(leader);
    TreeMap<Long, Member> byRaftId = new TreeMap<>();
    for (Member member : metadata.members().values()) {
      byRaftId.put(RaftIds.of(member.id()), member);
    }
    // 1. Drop the members that are gone.
    for (long id : configuration.members()) {
      Member member = byRaftId.get(id);
      boolean gone = member == null || member.status() == Member.Status.LEFT;
      boolean lastVoter = configuration.isVoter(id) && configuration.voters().size() == 1;
      if (gone && id != leaderId && !lastVoter) {
        return Optional.of(new ConfigChange.RemoveMember(id));
      }
    }
    // 2. Everybody else learns the log.
    for (var entry : byRaftId.entrySet()) {
      if (entry.getValue().status() != Member.Status.LEFT
          && !configuration.contains(entry.getKey())) {
        return Optional.of(new ConfigChange.AddLearner(entry.getKey()));
      }
    }
    // 3. Promote, then 4. demote.
    TreeSet<NodeId> chosen = chooseVoters(metadata, configuration, leader, eligible);
    int target = chosen.size();
    if (target == 0) {
      return Optional.empty(); // no members yet: keep the voters there are
    }
    List<Long> unchosenVoters = new ArrayList<>();
    for (long id : configuration.voters()) {
      Member member = byRaftId.get(id);
      if (id != leaderId && (member == null || !chosen.contains(member.id()))) {
        unchosenVoters.add(id);
      }
    }
    int voters = configuration.voters().size();
    if (voters < target || (voters == target && !unchosenVoters.isEmpty())) {
      for (NodeId id : chosen) {
        long raftId = RaftIds.of(id);
        if (configuration.isLearner(raftId)) {
          return Optional.of(new ConfigChange.AddVoter(raftId));
        }
      }
    }
    if (voters > target && !unchosenVoters.isEmpty()) {
      return Optional.of(new ConfigChange.AddLearner(unchosenVoters.get(0)));
    }
    return Optional.empty();
  }

  private static String rackKey(Member member) {
    return member.datacenter() + "/" + member.rack();
  }
}
