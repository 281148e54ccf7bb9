package io.ringkv.server.raft;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.raft.Entry;
import io.ringkv.raft.Message;
import io.ringkv.raft.RaftNode;
import io.ringkv.server.internode.InternodeMessage.RaftMessages;
import io.ringkv.server.internode.InternodeTransport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link RaftGroup}'s way out: the messages of a {@code Ready}, grouped by destination member (in
 * Raft's order within each), mapped to nodes by {@link RaftPeers}, and sent as {@link RaftMessages}
 * envelopes of about {@code envelopeBytesMax} bytes and at most {@link #MESSAGES_PER_ENVELOPE_MAX}
 * messages (the wire format's bound). A destination with no node, or whose envelope the transport
 * refuses, is remembered and reported to the node after {@code advance} ({@code reportUnreachable},
 * and {@code reportSnapshotFailure} for a snapshot), so that the leader probes instead of
 * streaming.
 *
 * <p>Owned by the group's thread, except {@link #messagesDropped()}.
 */
final class RaftOutbox {
  /** At most this many messages per envelope: the wire format's bound. */
  static final int MESSAGES_PER_ENVELOPE_MAX = 4_096;

  /** What a message counts for besides its entries and snapshot data, in envelope sizing. */
  static final int MESSAGE_BYTES_ESTIMATE = 64;

  private final long groupId;
  private final RaftPeers peers;
  private final InternodeTransport transport;
  private final int envelopeBytesMax;
  private final LongAdder messagesDropped = new LongAdder();
  private final List<Long> unreachable = new ArrayList<>();
  private final List<Long> snapshotFailures = new ArrayList<>();

  RaftOutbox(long groupId, RaftPeers peers, InternodeTransport transport, int envelopeBytesMax) {
    this.groupId = groupId;
    this.peers = peers;
    this.transport = transport;
    this.envelopeBytesMax = envelopeBytesMax;
  }

  /** Outbound messages dropped: no node mapped, or the transport refused them. */
  long messagesDropped() {
    return messagesDropped.sum();
  }

  /** Sends {@code messages}; never blocks (the transport queues or drops). */
  void send(List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    Map<Long, List<Message>> byMember = new LinkedHashMap<>();
    for (Message message : messages) {
      byMember.computeIfAbsent(message.to(), to -> new ArrayList<>()).add(message);
    }
    for (Map.Entry<Long, List<Message>> entry : byMember.entrySet()) {
      long to = entry.getKey();
      NodeId target = peers.nodeOf(to);
      List<Message> all = entry.getValue();
      if (target == null) {
        messagesDropped.add(all.size());
        unreachable.add(to);
        continue;
      }
      List<Message> envelope = new ArrayList<>();
      long envelopeBytes = 0;
      for (Message message : all) {
        long bytes = estimatedBytes(message);
        if (!envelope.isEmpty()
            && (envelopeBytes + bytes > envelopeBytesMax
                || envelope.size() >= MESSAGES_PER_ENVELOPE_MAX)) {
          sendEnvelope(to, target, envelope);
          envelope = new ArrayList<>();
          envelopeBytes = 0;
        }
        envelope.add(message);
        envelopeBytes += bytes;
      }
      sendEnvelope(to, target, envelope);
    }
  }

  /**
   * Tells {@code node} what could not be delivered since the last call. Only between {@code
   * advance} and the next {@code ready} (the node refuses calls in between).
   */
  void reportDeliveryFailures(RaftNode node) {
    for (long to : snapshotFailures) {
      node.reportSnapshotFailure(to);
    }
    snapshotFailures.clear();
    for (long to : unreachable) {
      node.reportUnreachable(to);
    }
    unreachable.clear();
  }

  private void sendEnvelope(long to, NodeId target, List<Message> messages) {
    boolean sent;
    try {
      sent = transport.send(target.value(), new RaftMessages(groupId, messages));
    } catch (RuntimeException e) {
      // A mapping that names this very node: dropped like an unreachable peer, never fatal.
      sent = false;
    }
    if (!sent) {
      messagesDropped.add(messages.size());
      unreachable.add(to);
      for (Message message : messages) {
        if (message instanceof Message.InstallSnapshot) {
          snapshotFailures.add(to);
        }
      }
    }
  }

  private static long estimatedBytes(Message message) {
    return switch (message) {
      case Message.AppendEntries append -> {
        long bytes = MESSAGE_BYTES_ESTIMATE;
        for (Entry entry : append.entries()) {
          bytes += entry.sizeBytes();
        }
        yield bytes;
      }
      case Message.InstallSnapshot install ->
          MESSAGE_BYTES_ESTIMATE + (long) install.snapshot().data().length;
      default -> MESSAGE_BYTES_ESTIMATE;
    };
  }
}
