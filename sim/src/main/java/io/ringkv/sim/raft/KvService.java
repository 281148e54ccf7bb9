package io.ringkv.sim.raft;

import io.ringkv.raft.Entry;
import io.ringkv.raft.ReadState;
import io.ringkv.raft.RejectReason;
import io.ringkv.raft.Role;
import io.ringkv.raft.Snapshot;
import io.ringkv.raft.Submission;
import io.ringkv.sim.raft.MemberProcess.PendingRead;
import io.ringkv.sim.raft.MemberProcess.PendingWrite;
import io.ringkv.sim.raft.Packet.ClientReply;
import io.ringkv.sim.raft.Packet.ClientRequest;
import io.ringkv.sim.raft.Packet.ReplyKind;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What a member does for clients around its Raft node, as a server with a strongly consistent
 * keyspace would: a write is proposed (or answered at once from the client's session if it was
 * applied already) and answered when the member applies the entry it proposed at that index (with
 * another term there, it was lost: the client retries); a read asks for a read index (a follower's
 * request goes to the leader) and is answered from the state machine once it has applied that far.
 * Refusals go back as redirects (with the leader the member knows) or "busy".
 *
 * <p>It only asks the node and answers clients; {@link RaftCluster} drains the node's {@code Ready}
 * after each request and calls {@link #apply}, {@link #install} and {@link #takeReadStates} in the
 * caller's order. Not thread-safe: runs on the simulation's one thread.
 */
final class KvService {
  /** How the service reaches the network. */
  interface Sender {
    void send(String from, String to, Packet packet);
  }

  private final Sender sender;
  private final RaftSafetyChecker checker;
  private final PlantedBug plantedBug;
  private long readsServed;
  private long writesAnswered;

  KvService(Sender sender, RaftSafetyChecker checker, PlantedBug plantedBug) {
    this.sender = Objects.requireNonNull(sender, "sender");
    this.checker = Objects.requireNonNull(checker, "checker");
    this.plantedBug = Objects.requireNonNull(plantedBug, "plantedBug");
  }

  long readsServed() {
    return readsServed;
  }

  long writesAnswered() {
    return writesAnswered;
  }

  /** A client's request arrived at {@code member}, which runs. */
  void onRequest(RaftMember member, String client, ClientRequest request) {
    MemberProcess process = member.process;
    if (request.operation().isWrite()) {
      onWrite(member, process, client, request);
    } else if (plantedBug == PlantedBug.READS_WITHOUT_READ_INDEX) {
      boolean leads = process.raft().role() == Role.LEADER;
      reply(
          member,
          client,
          request,
          leads ? ReplyKind.DONE : ReplyKind.NOT_LEADER,
          leads ? process.machine.get(request.operation().key()) : process.raft().leader());
    } else {
      onRead(member, process, client, request);
    }
  }

  private void onRead(
      RaftMember member, MemberProcess process, String client, ClientRequest request) {
    if (process.pendingReads.size() >= MemberProcess.PENDING_READS_MAX) {
      process.pendingReads.pollFirstEntry(); // its client times out and retries
    }
    long requestId = process.nextReadRequestId();
    Submission submission =
        checker.guard(member, "readIndex", () -> process.raft().readIndex(requestId));
    if (submission instanceof Submission.Rejected rejected) {
      reply(member, client, request, refusal(rejected), rejected.leader());
      return;
    }
    process.pendingReads.put(
        requestId,
        new PendingRead(
            requestId,
            client,
            request.client(),
            request.sequence(),
            request.operation().key(),
            -1));
  }

  private void onWrite(
      RaftMember member, MemberProcess process, String client, ClientRequest request) {
    OptionalLong done = process.machine.sessionResult(request.client(), request.sequence());
    if (done.isPresent()) {
      reply(member, client, request, ReplyKind.DONE, done.getAsLong());
      return;
    }
    byte[] command =
        new KvCommand(request.client(), request.sequence(), request.operation()).encode();
    Submission submission = checker.guard(member, "propose", () -> process.raft().propose(command));
    switch (submission) {
      case Submission.Rejected rejected ->
          reply(member, client, request, refusal(rejected), rejected.leader());
      case Submission.Accepted accepted -> {
        if (process.pendingWrites.size() >= MemberProcess.PENDING_WRITES_MAX) {
          process.pendingWrites.pollFirstEntry(); // its client times out and retries
        }
        PendingWrite replaced =
            process.pendingWrites.put(
                accepted.index(),
                new PendingWrite(accepted.term(), client, request.client(), request.sequence()));
        if (replaced != null) {
          sender.send(
              member.name(),
              replaced.client(),
              new ClientReply(replaced.clientId(), replaced.sequence(), ReplyKind.LOST, 0));
        }
      }
    }
  }

  /** Installs a snapshot received from the leader; writes it covers have an unknown fate here. */
  void install(RaftMember member, MemberProcess process, Snapshot snapshot) {
    process.machine =
        checker.guard(
            member, "install", () -> KvStateMachine.restore(snapshot.index(), snapshot.data()));
    process.pendingWrites.headMap(snapshot.index(), true).clear();
    checker.onSnapshotInstalled(
        member, snapshot, process.machine.chainHash(), process.machine.contentDigest());
  }

  /** Applies a committed entry, answering the client whose write this member proposed there. */
  void apply(RaftMember member, MemberProcess process, Entry entry) {
    KvStateMachine.Applied applied =
        checker.guard(member, "apply", () -> process.machine.apply(entry));
    checker.onApplied(member, entry, process.machine.chainHash());
    PendingWrite pending = process.pendingWrites.remove(entry.index());
    if (pending == null) {
      return;
    }
    if (pending.term() != entry.term()) {
      sender.send(
          member.name(),
          pending.client(),
          new ClientReply(pending.clientId(), pending.sequence(), ReplyKind.LOST, 0));
      return;
    }
    if (applied == null
        || applied.client() != pending.clientId()
        || applied.sequence() != pending.sequence()) {
      checker.fail(
          "state machine safety",
          member.name()
              + " applied "
              + entry
              + " where it proposed c"
              + pending.clientId()
              + "#"
              + pending.sequence()
              + " in the same term");
    }
    if (applied.result() != KvStateMachine.STALE) {
      writesAnswered++;
      sender.send(
          member.name(),
          pending.client(),
          new ClientReply(
              pending.clientId(), pending.sequence(), ReplyKind.DONE, applied.result()));
    }
  }

  /** Read indexes arrived: each read waits for the state machine to reach its index. */
  void takeReadStates(MemberProcess process, List<ReadState> readStates) {
    for (ReadState readState : readStates) {
      // A duplicated request or answer may bring a second read state for one id: ignored.
      PendingRead read = process.pendingReads.remove(readState.requestId());
      if (read != null) {
        if (process.readsAwaitingApply.size() >= MemberProcess.PENDING_READS_MAX) {
          process.readsAwaitingApply.removeFirst(); // its client times out and retries
        }
        process.readsAwaitingApply.add(read.withIndex(readState.index()));
      }
    }
  }

  /** Answers every read whose read index the state machine has reached. */
  void serveReads(RaftMember member, MemberProcess process) {
    Iterator<PendingRead> reads = process.readsAwaitingApply.iterator();
    while (reads.hasNext()) {
      PendingRead read = reads.next();
      if (read.readIndex() <= process.machine.appliedIndex()) {
        reads.remove();
        readsServed++;
        sender.send(
            member.name(),
            read.client(),
            new ClientReply(
                read.clientId(), read.sequence(), ReplyKind.DONE, process.machine.get(read.key())));
      }
    }
  }

  private static ReplyKind refusal(Submission.Rejected rejected) {
    return rejected.reason() == RejectReason.NOT_LEADER ? ReplyKind.NOT_LEADER : ReplyKind.BUSY;
  }

  private void reply(
      RaftMember member, String client, ClientRequest request, ReplyKind kind, long value) {
    sender.send(
        member.name(), client, new ClientReply(request.client(), request.sequence(), kind, value));
  }
}
