package io.ringkv.server.raft;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.server.internode.InternodeMessage;
import io.ringkv.server.internode.InternodeMessage.RaftPropose;
import io.ringkv.server.internode.InternodeMessage.RaftProposeAnswer;
import io.ringkv.server.internode.InternodeTransport;
import io.ringkv.server.raft.RaftGroupException.Reason;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Both ends of a forwarded proposal (docs/format/internode.md, "Raft messages"): a member that does
 * not lead sends the command to the leader's node as a {@link RaftPropose} request ({@link
 * #forward}); the leader's group proposes it and its outcome becomes the {@link RaftProposeAnswer}
 * ({@link #answer}). One hop only: a node that does not lead answers {@code NOT_LEADER} and never
 * forwards again, so no proposal can loop between nodes that disagree on the leader.
 *
 * <p>Thread-safe: the requests' futures complete on transport threads.
 */
final class ProposalForwarder {
  private final long groupId;
  private final InternodeTransport transport;

  ProposalForwarder(long groupId, InternodeTransport transport) {
    this.groupId = groupId;
    this.transport = transport;
  }

  /** Sends {@code command} to {@code leader}; completes {@code future} with its answer. */
  void forward(
      byte[] command, NodeId leader, long timeoutMillis, CompletableFuture<byte[]> future) {
    CompletableFuture<InternodeMessage> request;
    try {
      request = transport.request(leader.value(), new RaftPropose(groupId, command), timeoutMillis);
    } catch (RuntimeException e) {
      // A mapping that names this very node, or a transport not started: the caller's mistake,
      // reported to the proposer rather than stopping the group.
      future.completeExceptionally(
          new RaftGroupException(
              Reason.LOST,
              "cannot forward to leader " + leader + ": " + e.getMessage(),
              leader,
              e));
      return;
    }
    request.whenComplete(
        (answer, failure) -> {
          if (failure != null) {
            Throwable cause = unwrap(failure);
            future.completeExceptionally(
                new RaftGroupException(
                    Reason.LOST,
                    "forwarding a proposal to leader "
                        + leader
                        + " failed, outcome unknown: "
                        + cause.getMessage(),
                    leader,
                    cause));
            return;
          }
          if (!(answer instanceof RaftProposeAnswer reply)) {
            future.completeExceptionally(
                new RaftGroupException(
                    Reason.LOST, "leader " + leader + " answered a proposal with " + answer));
            return;
          }
          switch (reply.outcome()) {
            case APPLIED -> future.complete(reply.result());
            case NOT_LEADER -> {
              NodeId known = reply.leader().isEmpty() ? null : NodeId.of(reply.leader());
              future.completeExceptionally(
                  new RaftGroupException(
                      Reason.NOT_LEADER,
                      "not leader, leader is "
                          + (known == null ? "unknown" : known)
                          + " (forwarded to "
                          + leader
                          + ", which no longer leads)",
                      known,
                      null));
            }
            case FAILED ->
                future.completeExceptionally(
                    new RaftGroupException(
                        Reason.LOST,
                        "leader " + leader + " failed the proposal: " + reply.detail()));
          }
        });
  }

  /** The answer to send back for a forwarded proposal whose local outcome is {@code outcome}. */
  static CompletableFuture<InternodeMessage> answer(
      long groupId, CompletableFuture<byte[]> outcome) {
    return outcome.handle(
        (result, failure) -> {
          if (failure == null) {
            return RaftProposeAnswer.applied(groupId, result);
          }
          Throwable cause = unwrap(failure);
          if (cause instanceof RaftGroupException refused
              && refused.reason() == Reason.NOT_LEADER) {
            return RaftProposeAnswer.notLeader(
                groupId, refused.leader().map(NodeId::value).orElse(""));
          }
          return RaftProposeAnswer.failed(groupId, String.valueOf(cause.getMessage()));
        });
  }

  static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }
}
