package io.ringkv.raft;

import java.util.SortedMap;

/**
 * A node's state for display and for checkers: never needed to run Raft.
 *
 * @param progress on a leader, what it knows of every member (itself included), by id; empty
 *     otherwise
 */
public record Status(
    long id,
    Role role,
    long term,
    long vote,
    long leader,
    long firstIndex,
    long lastIndex,
    long lastTerm,
    long commit,
    long applied,
    Configuration configuration,
    long leadershipTransferee,
    SortedMap<Long, MemberProgress> progress) {

  /**
   * What a leader knows of one member.
   *
   * @param state PROBE, REPLICATE or SNAPSHOT
   * @param inflightAppends append messages in flight to it
   */
  public record MemberProgress(
      long match,
      long next,
      String state,
      boolean paused,
      int inflightAppends,
      boolean recentActive) {}
}
