package io.ringkv.server.raft;

import io.ringkv.cluster.metadata.NodeId;
import java.util.Optional;

/**
 * Why a request to a {@link RaftGroup} failed: an operating error the caller handles (STYLE.md §3),
 * with a {@link Reason} to switch on and, for {@link Reason#NOT_LEADER}, the leader to retry at.
 */
public final class RaftGroupException extends RuntimeException {
  /** What went wrong. */
  public enum Reason {
    /** This member does not lead and the request is not forwarded (or no leader is known). */
    NOT_LEADER,
    /** A bound was reached (proposals or reads in flight, uncommitted bytes): back off, retry. */
    OVERLOADED,
    /** No outcome within the request timeout: the command may or may not have been applied. */
    TIMEOUT,
    /**
     * The outcome is unknown or the command was lost: a leader change dropped it, a snapshot
     * replaced the entry it waited for, or the forwarding connection broke.
     */
    LOST,
    /** The request is invalid for the group's state (a bad configuration change or transfer). */
    REFUSED,
    /** The group is closed, or stopped after a storage failure. */
    CLOSED
  }

  private final Reason reason;
  private final transient NodeId leader;

  public RaftGroupException(Reason reason, String message) {
    this(reason, message, null, null);
  }

  public RaftGroupException(Reason reason, String message, NodeId leader, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.leader = leader;
  }

  public Reason reason() {
    return reason;
  }

  /** For {@link Reason#NOT_LEADER}: the node that leads, when known. */
  public Optional<NodeId> leader() {
    return Optional.ofNullable(leader);
  }
}
