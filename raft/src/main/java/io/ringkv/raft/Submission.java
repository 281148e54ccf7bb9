package io.ringkv.raft;

/**
 * The immediate answer to a proposal, a read request or a leadership transfer. Acceptance is no
 * promise of success: a proposal may still be lost when leadership changes (the caller learns its
 * fate by watching {@code index} in the committed entries: applied with {@code term}, it succeeded;
 * another term at that index, it failed), and a read or transfer may still time out.
 */
public sealed interface Submission {
  /**
   * Taken in.
   *
   * @param index for a proposal, the index of its entry; 0 otherwise
   * @param term for a proposal, the term of its entry; the current term otherwise
   */
  record Accepted(long index, long term) implements Submission {}

  /**
   * Refused; nothing changed.
   *
   * @param leader the leader this node knows, or 0, to redirect the caller
   */
  record Rejected(RejectReason reason, long leader) implements Submission {}
}
