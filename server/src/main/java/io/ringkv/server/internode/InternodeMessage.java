package io.ringkv.server.internode;

import io.ringkv.cluster.membership.GossipMessage;
import io.ringkv.cluster.replication.ReplicaReply;
import io.ringkv.cluster.replication.ReplicaRequest;
import io.ringkv.raft.Message;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Messages between nodes. Each record has a type code in {@link InternodeFormat} and one branch in
 * {@link InternodeCodec} (encode and decode); adding a message type is a matter of a record here,
 * its code, its codec branch and its section in docs/format/internode.md.
 *
 * <p>Whether a message travels one way, as a request or as a response is said by the frame, not by
 * the message: {@link InternodeTransport#send} sends one way, {@link InternodeTransport#request}
 * sends a request, and the peer's {@link InternodeHandler#onRequest} answer travels back as the
 * response.
 */
public sealed interface InternodeMessage {
  /** A gossip round's message (SYN, ACK or ACK2), one way. */
  record Gossip(GossipMessage message) implements InternodeMessage {
    public Gossip {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * A liveness probe, sent as a request; the peer answers {@link EchoReply} with the same value.
   *
   * @param sentNanos the sender's clock when it sent the probe, opaque to the receiver
   */
  record Echo(long sentNanos) implements InternodeMessage {}

  /**
   * The answer to an {@link Echo}.
   *
   * @param sentNanos the value of the echo answered
   * @param wallMillis the answering node's wall clock (epoch milliseconds) when it answered, from
   *     which the prober measures how far their clocks are apart ({@code PeerClocks})
   */
  record EchoReply(long sentNanos, long wallMillis) implements InternodeMessage {}

  /**
   * A replication request (a write, stand-in write, write batch, read or scan), sent as a request;
   * the replica answers {@link ReplicaAnswer}, or fails.
   *
   * @param hlc the sender's hybrid logical clock reading when it sent the request, which the
   *     receiver merges into its own ({@code Hlc.observe})
   * @param request what the replica is asked to do
   */
  record Replica(long hlc, ReplicaRequest request) implements InternodeMessage {
    public Replica {
      Objects.requireNonNull(request, "request");
    }

    /** By content: the keys and cells inside are compared byte by byte. */
    @Override
    public boolean equals(Object other) {
      return other instanceof Replica that
          && hlc == that.hlc
          && ReplicaContent.equal(request, that.request);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(hlc) * 31 + ReplicaContent.hash(request);
    }
  }

  /**
   * A replica's answer to a {@link Replica} request.
   *
   * @param hlc the replica's hybrid logical clock reading when it answered
   * @param reply the answer
   */
  record ReplicaAnswer(long hlc, ReplicaReply reply) implements InternodeMessage {
    public ReplicaAnswer {
      Objects.requireNonNull(reply, "reply");
    }

    /** By content: the keys and cells inside are compared byte by byte. */
    @Override
    public boolean equals(Object other) {
      return other instanceof ReplicaAnswer that
          && hlc == that.hlc
          && ReplicaContent.equal(reply, that.reply);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(hlc) * 31 + ReplicaContent.hash(reply);
    }
  }

  /**
   * Raft messages of one group for one member, one way (docs/format/internode.md, "Raft messages").
   * A group driver sends all the messages of one {@code Ready} that go to the same node in one
   * envelope, so that a leader's appends, heartbeats and read confirmations share a frame.
   *
   * @param groupId the Raft group the messages belong to (a node may run several groups)
   * @param messages at least one, each addressed to a member the receiving node hosts
   */
  record RaftMessages(long groupId, List<Message> messages) implements InternodeMessage {
    public RaftMessages {
      messages = List.copyOf(messages);
      if (messages.isEmpty()) {
        throw new IllegalArgumentException("a Raft envelope needs at least one message");
      }
    }
  }

  /**
   * Asks a peer for its cluster metadata ({@code cluster.metadata: raft}), sent by a node that saw
   * in gossip that the peer has applied a higher metadata epoch than its own.
   *
   * @param epoch the asker's epoch: a peer that is not ahead answers with an empty snapshot
   */
  record MetadataFetch(long epoch) implements InternodeMessage {}

  /**
   * The answer to {@link MetadataFetch}: the whole metadata in the metadata log's snapshot format
   * (docs/format/metadata-log.md), or empty if the answerer is not ahead of the asker.
   */
  record MetadataSnapshot(byte[] snapshot) implements InternodeMessage {
    public MetadataSnapshot {
      Objects.requireNonNull(snapshot, "snapshot");
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof MetadataSnapshot that && Arrays.equals(snapshot, that.snapshot);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(snapshot);
    }

    @Override
    public String toString() {
      return "MetadataSnapshot[" + snapshot.length + " bytes]";
    }
  }

  /**
   * A command proposed to a Raft group through another member, sent as a request to the node
   * believed to lead; answered with {@link RaftProposeAnswer}. The leader never forwards it again:
   * a node that is not the leader answers {@link RaftProposeOutcome#NOT_LEADER}.
   *
   * @param groupId the Raft group
   * @param command the command for the group's state machine, opaque to the transport
   */
  record RaftPropose(long groupId, byte[] command) implements InternodeMessage {
    public RaftPropose {
      Objects.requireNonNull(command, "command");
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof RaftPropose that
          && groupId == that.groupId
          && Arrays.equals(command, that.command);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(groupId) * 31 + Arrays.hashCode(command);
    }

    @Override
    public String toString() {
      return "RaftPropose[groupId=" + groupId + ", " + command.length + " bytes]";
    }
  }

  /** How a forwarded proposal ended. Codes are stable (docs/format/internode.md). */
  enum RaftProposeOutcome {
    /** Committed and applied on the answering member; the answer carries the result. */
    APPLIED(0),
    /** The answering node does not lead; {@code leader} names the leader it knows, or is empty. */
    NOT_LEADER(1),
    /** Refused or lost (back-pressure, a leader change, a timeout); {@code detail} says why. */
    FAILED(2);

    final int code;

    RaftProposeOutcome(int code) {
      this.code = code;
    }

    static RaftProposeOutcome ofCode(int code) {
      for (RaftProposeOutcome outcome : values()) {
        if (outcome.code == code) {
          return outcome;
        }
      }
      return null;
    }
  }

  /**
   * The answer to a {@link RaftPropose}.
   *
   * @param groupId the Raft group
   * @param outcome how the proposal ended
   * @param leader for {@code NOT_LEADER}, the node id of the leader the answering node knows, or
   *     empty; empty otherwise
   * @param result for {@code APPLIED}, the state machine's result; empty otherwise
   * @param detail for {@code FAILED}, why; empty otherwise
   */
  record RaftProposeAnswer(
      long groupId, RaftProposeOutcome outcome, String leader, byte[] result, String detail)
      implements InternodeMessage {
    public RaftProposeAnswer {
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(leader, "leader");
      Objects.requireNonNull(result, "result");
      Objects.requireNonNull(detail, "detail");
    }

    /** An applied proposal's answer. */
    public static RaftProposeAnswer applied(long groupId, byte[] result) {
      return new RaftProposeAnswer(groupId, RaftProposeOutcome.APPLIED, "", result, "");
    }

    /** The answer of a node that does not lead ({@code leader} empty when none is known). */
    public static RaftProposeAnswer notLeader(long groupId, String leader) {
      return new RaftProposeAnswer(groupId, RaftProposeOutcome.NOT_LEADER, leader, new byte[0], "");
    }

    /** A refused or lost proposal's answer. */
    public static RaftProposeAnswer failed(long groupId, String detail) {
      return new RaftProposeAnswer(groupId, RaftProposeOutcome.FAILED, "", new byte[0], detail);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof RaftProposeAnswer that
          && groupId == that.groupId
          && outcome == that.outcome
          && leader.equals(that.leader)
          && Arrays.equals(result, that.result)
          && detail.equals(that.detail);
    }

    @Override
    public int hashCode() {
      return Objects.hash(groupId, outcome, leader, Arrays.hashCode(result), detail);
    }
  }
}
