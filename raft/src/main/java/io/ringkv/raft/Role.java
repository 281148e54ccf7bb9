package io.ringkv.raft;

/** What a node is doing in its current term. */
public enum Role {
  FOLLOWER,
  /** Asking whether it could win an election, without raising its term (pre-vote, thesis §9.6). */
  PRE_CANDIDATE,
  CANDIDATE,
  LEADER
}
