package io.ringkv.sim.raft;

import io.ringkv.raft.Message;

/**
 * What travels on the simulated network: Raft's own messages between members, and the clients'
 * requests and the members' replies. {@link #describe()} is the one-line text the trace hashes, so
 * it is built from fixed formats only.
 */
sealed interface Packet {
  String describe();

  /** A Raft message between members. */
  record RaftPacket(Message message) implements Packet {
    @Override
    public String describe() {
      return RaftText.message(message);
    }
  }

  /**
   * A client's operation, sent to the member it believes leads (retries carry the same sequence).
   */
  record ClientRequest(int client, long sequence, KvOperation operation) implements Packet {
    @Override
    public String describe() {
      return "c" + client + "#" + sequence + " " + operation;
    }
  }

  /** How a member answers a client. */
  enum ReplyKind {
    /** Done; the reply's value is the result. */
    DONE,
    /** Not the leader; the value is the leader this member knows, or 0. */
    NOT_LEADER,
    /** The member is at a bound (pending requests, uncommitted bytes, pending reads): retry. */
    BUSY,
    /** The operation's entry was lost in a leader change: retry (it did not take effect there). */
    LOST
  }

  /** A member's answer to a client's request. */
  record ClientReply(int client, long sequence, ReplyKind kind, long value) implements Packet {
    @Override
    public String describe() {
      return "c" + client + "#" + sequence + " " + kind + " " + value;
    }
  }
}
