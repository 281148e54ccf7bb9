package io.ringkv.server.raft;

import io.ringkv.server.internode.InternodeHandler;
import io.ringkv.server.internode.InternodeMessage;
import io.ringkv.server.internode.InternodeMessage.RaftMessages;
import io.ringkv.server.internode.InternodeMessage.RaftPropose;
import io.ringkv.server.internode.InternodeMessage.RaftProposeAnswer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node's {@link InternodeHandler} for Raft: hands each {@link RaftMessages} envelope and each
 * forwarded {@link RaftPropose} to the {@link RaftGroup} of its group id, and everything else to
 * the handler it wraps (gossip, replication). A transport takes one handler at construction, so the
 * router is made first, the transport with it, then the groups, which register themselves.
 *
 * <p>Messages for a group this node does not run are dropped and counted ({@link
 * #unroutedMessages()}); a proposal for one is answered with a failure. Thread-safe; never blocks.
 */
public final class RaftRouter implements InternodeHandler {
  private final InternodeHandler other;
  private final Map<Long, RaftGroup> groups = new ConcurrentHashMap<>();
  private final LongAdder unroutedMessages = new LongAdder();

  /**
   * @param other where non-Raft messages go
   */
  public RaftRouter(InternodeHandler other) {
    this.other = Objects.requireNonNull(other, "other");
  }

  /** A router for a node that runs nothing but Raft: other messages are ignored, requests fail. */
  public static RaftRouter raftOnly() {
    return new RaftRouter(
        new InternodeHandler() {
          @Override
          public void onMessage(String fromPeer, InternodeMessage message) {}

          @Override
          public CompletableFuture<InternodeMessage> onRequest(
              String fromPeer, InternodeMessage request) {
            return CompletableFuture.failedFuture(
                new IllegalArgumentException(
                    "this node runs only Raft groups and does not answer "
                        + request.getClass().getSimpleName()));
          }
        });
  }

  void register(RaftGroup group) {
    RaftGroup old = groups.putIfAbsent(group.groupId(), group);
    if (old != null && old != group) {
      throw new IllegalStateException("Raft group " + group.groupId() + " already runs here");
    }
  }

  void unregister(RaftGroup group) {
    groups.remove(group.groupId(), group);
  }

  /** Envelopes dropped because no group of theirs runs here. */
  public long unroutedMessages() {
    return unroutedMessages.sum();
  }

  @Override
  public void onMessage(String fromPeer, InternodeMessage message) {
    if (message instanceof RaftMessages envelope) {
      RaftGroup group = groups.get(envelope.groupId());
      if (group == null) {
        unroutedMessages.increment();
        return;
      }
      group.receive(fromPeer, envelope);
      return;
    }
    other.onMessage(fromPeer, message);
  }

  @Override
  public CompletableFuture<InternodeMessage> onRequest(String fromPeer, InternodeMessage request) {
    if (request instanceof RaftPropose propose) {
      RaftGroup group = groups.get(propose.groupId());
      if (group == null) {
        return CompletableFuture.completedFuture(
            RaftProposeAnswer.failed(
                propose.groupId(),
                "Raft group " + propose.groupId() + " does not run on this node"));
      }
      return group.onForwardedProposal(propose);
    }
    return other.onRequest(fromPeer, request);
  }

  @Override
  public void onConnectionRefused(String peer) {
    other.onConnectionRefused(peer);
  }
}
