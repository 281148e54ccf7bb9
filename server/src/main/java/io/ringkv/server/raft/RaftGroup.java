package io.ringkv.server.raft;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.common.Rng;
import io.ringkv.raft.ConfigChange;
import io.ringkv.raft.Configuration;
import io.ringkv.raft.Entry;
import io.ringkv.raft.EntryType;
import io.ringkv.raft.HardState;
import io.ringkv.raft.Message;
import io.ringkv.raft.PersistentState;
import io.ringkv.raft.RaftNode;
import io.ringkv.raft.ReadState;
import io.ringkv.raft.Ready;
import io.ringkv.raft.RejectReason;
import io.ringkv.raft.Role;
import io.ringkv.raft.Snapshot;
import io.ringkv.raft.StateMachine;
import io.ringkv.raft.Status;
import io.ringkv.raft.Submission;
import io.ringkv.raft.log.DurableLog;
import io.ringkv.raft.log.NioLogFiles;
import io.ringkv.server.internode.InternodeMessage;
import io.ringkv.server.internode.InternodeMessage.RaftMessages;
import io.ringkv.server.internode.InternodeMessage.RaftPropose;
import io.ringkv.server.internode.InternodeMessage.RaftProposeAnswer;
import io.ringkv.server.internode.InternodeTransport;
import io.ringkv.server.raft.RaftGroupException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One member of one Raft group, driven over the real internode transport: the server's driver of
 * the pure {@link RaftNode} (docs/design/raft.md, "What the caller must do"), as the simulator's
 * {@code RaftCluster} is the simulated one.
 *
 * <p><b>The loop.</b> One platform thread, {@code ringkv-raft-<group>}, owns the node, its {@link
 * DurableLog} and the {@link StateMachine}. It waits for an event (an inbound envelope, a request)
 * or the next tick; takes every event queued (up to {@link #EVENTS_PER_LOOP_MAX}), then ticks if
 * due, then handles each {@link Ready} in the caller's order: store (snapshot, entries, hard state;
 * fsync when {@code mustSync}), send, apply (snapshot, committed entries, read states), {@code
 * advance}; then compacts if {@link RaftGroupSettings#snapshotEveryEntries()} entries were applied
 * since the last snapshot. Draining every queued proposal before taking the {@code Ready} is the
 * batching: all commands that arrived during one fsync go into the next {@code Ready}, one append
 * per follower and one fsync for all of them (group commit).
 *
 * <p><b>Invariants.</b> A message of a {@code Ready} leaves only after what it promises is durable,
 * with one exception that Ongaro's thesis (§10.2.1) allows and {@link
 * RaftGroupSettings#leaderAppendsBeforeSync()} switches: a leader's appends and heartbeats leave
 * before its own sync, in a {@code Ready} that changes neither its term nor its vote (the node
 * counts the leader's own entries towards a commit only after {@code advance}). A proposal's future
 * completes with the state machine's result only when its entry is applied at the index and term
 * the node accepted it at; another term there means it was lost in a leader change. A read barrier
 * completes only once the state machine has applied its read index. A storage failure stops the
 * group (the log refuses every later call): every waiting future fails with {@code CLOSED}.
 *
 * <p><b>Bounds.</b> Proposals in flight ({@link RaftGroupSettings#proposalsInFlightMax()}) and
 * reads in flight ({@link RaftGroupSettings#readsInFlightMax()}) are counted from submission to
 * outcome; one more fails at once with {@code OVERLOADED}. Inbound Raft messages queued are bounded
 * by {@link RaftGroupSettings#inboundMessagesMax()}; an envelope past it is dropped and counted
 * (Raft recovers from loss). The event queue therefore holds at most the sum of those bounds plus
 * one close event. Nothing called from a transport thread blocks.
 *
 * <p><b>Forwarding.</b> {@link #propose} on a member that does not lead sends the command to the
 * leader's node as a {@link RaftPropose} request; the leader proposes it and answers once applied
 * on the leader. A node that does not lead answers {@code NOT_LEADER} and never forwards again, so
 * a proposal takes at most one hop. With no leader known the proposal fails at once ({@code
 * NOT_LEADER}). Configuration changes and transfers are not forwarded: call them on the leader.
 *
 * <p><b>Threads.</b> Every public method is thread-safe and returns at once; futures complete on
 * the group's thread or, for forwarded proposals, on a transport thread: callers must not block in
 * their callbacks. The {@link StateMachine} is called only from the group's thread; a caller that
 * reads it after {@link #linearizableBarrier()} reads from another thread, so its read methods must
 * be safe for one writer and concurrent readers.
 */
public final class RaftGroup implements AutoCloseable {
  /** Events taken per loop iteration before the {@code Ready} is handled. */
  static final int EVENTS_PER_LOOP_MAX = 65_536;

  /** Ticks caught up at most after the thread was late (a pause must not fire a burst of ticks). */
  static final int TICKS_CAUGHT_UP_MAX = 4;

  /** How long {@link #close()} waits for the thread. */
  static final long CLOSE_WAIT_MILLIS = 10_000;

  private static final System.Logger LOG = System.getLogger(RaftGroup.class.getName());

  private final RaftGroupSettings settings;
  private final long groupId;
  private final long member;
  private final RaftPeers peers;
  private final RaftRouter router;
  private final StateMachine machine;
  private final RaftOutbox outbox;
  private final ProposalForwarder forwarder;
  private final RaftNode node;
  private final DurableLog log;
  private final Thread thread;
  private final long tickNanos;
  private final long requestTimeoutNanos;

  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final AtomicInteger proposalsInFlight = new AtomicInteger();
  private final AtomicInteger readsInFlight = new AtomicInteger();
  private final AtomicInteger inboundMessagesQueued = new AtomicInteger();
  private final LongAdder inboundMessagesDropped = new LongAdder();
  private final LongAdder readiesHandled = new LongAdder();
  private final LongAdder syncs = new LongAdder();
  private final LongAdder snapshotsTaken = new LongAdder();

  // Owned by the group's thread.
  private final TreeMap<Long, PendingProposal> proposalsByIndex = new TreeMap<>();
  private final Map<Long, PendingRead> readsById = new HashMap<>();
  private final List<PendingRead> readsAwaitingApply = new ArrayList<>();
  private final List<PendingTransfer> transfers = new ArrayList<>();
  private final List<Change> changesToRetry = new ArrayList<>();
  private final long readIdIncarnation;
  private long readIdCounter;
  private long storedTerm;
  private long storedVote;
  private long snapshotIndex;

  private volatile RaftGroupStatus status;
  private volatile boolean closing;
  private volatile boolean stopped;

  // ------------------------------------------------------------------------------------- events

  private sealed interface Event {}

  private record Inbound(List<Message> messages) implements Event {}

  /** A proposal, local or forwarded (then {@code forwarded} answers the requesting node). */
  private record Propose(
      byte[] command, CompletableFuture<byte[]> future, boolean forwarded, long deadlineNanos)
      implements Event {}

  private record Barrier(CompletableFuture<Void> future, long deadlineNanos) implements Event {}

  private record Change(ConfigChange change, CompletableFuture<byte[]> future, long deadlineNanos)
      implements Event {}

  private record Transfer(long target, CompletableFuture<Void> future, long deadlineNanos)
      implements Event {}

  private record Close() implements Event {}

  private record PendingProposal(long term, CompletableFuture<byte[]> future, long deadlineNanos) {}

  private record PendingRead(CompletableFuture<Void> future, long index, long deadlineNanos) {}

  private record PendingTransfer(long target, CompletableFuture<Void> future, long deadlineNanos) {}

  // ------------------------------------------------------------------------------ construction

  private RaftGroup(
      RaftGroupSettings settings,
      RaftPeers peers,
      InternodeTransport transport,
      RaftRouter router,
      StateMachine machine,
      RaftNode node,
      DurableLog log) {
    this.settings = settings;
    this.groupId = settings.groupId();
    this.member = settings.member();
    this.peers = peers;
    this.router = router;
    this.machine = machine;
    this.outbox = new RaftOutbox(groupId, peers, transport, settings.envelopeBytesMax());
    this.forwarder = new ProposalForwarder(groupId, transport);
    this.node = node;
    this.log = log;
    this.tickNanos = TimeUnit.MILLISECONDS.toNanos(settings.tickMillis());
    this.requestTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMillis());
    // Read ids carry a random incarnation, so that a read index answer meant for an earlier
    // process of this member (a late message) never answers a new read (docs/design/raft.md).
    this.readIdIncarnation = new SecureRandom().nextInt() & 0x7fff_ffffL;
    HardState stored = log.state().hardState();
    this.storedTerm = stored.term();
    this.storedVote = stored.vote();
    this.snapshotIndex = log.state().snapshot().index();
    this.thread = new Thread(this::run, "ringkv-raft-" + groupId);
    this.thread.setDaemon(true);
    publishStatus();
  }

  /**
   * Starts this member: opens (recovering) the durable log in {@code settings.directory()}; if it
   * holds nothing and {@code bootstrap} is given, founds the group with that configuration (every
   * founder must be given the same one); if it holds nothing and {@code bootstrap} is null, waits
   * to be added by the leader ({@link #addLearner} there); otherwise restarts from what it holds,
   * restoring {@code machine} from the stored snapshot (a non-empty directory ignores {@code
   * bootstrap}). Registers with {@code router}, which must be the handler of {@code transport}.
   *
   * @param peers the member-to-node mapping (see {@link RaftPeers}); must map this member to the
   *     transport's own node id
   * @param machine a state machine at index 0, or one that kept its own state up to an index at
   *     most the stored commit index
   * @throws IOException if the log cannot be opened (synced data corrupt: the member must not run)
   */
  public static RaftGroup start(
      RaftGroupSettings settings,
      RaftPeers peers,
      InternodeTransport transport,
      RaftRouter router,
      StateMachine machine,
      Configuration bootstrap)
      throws IOException {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(peers, "peers");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(router, "router");
    Objects.requireNonNull(machine, "machine");
    Files.createDirectories(settings.directory());
    DurableLog log =
        DurableLog.open(new NioLogFiles(settings.directory()), settings.segmentBytesMax());
    RaftNode node;
    try {
      node = newNode(settings, log.state(), machine, bootstrap);
    } catch (RuntimeException e) {
      log.close();
      throw e;
    }
    RaftGroup group = new RaftGroup(settings, peers, transport, router, machine, node, log);
    router.register(group);
    group.thread.start();
    return group;
  }

  private static RaftNode newNode(
      RaftGroupSettings settings,
      PersistentState stored,
      StateMachine machine,
      Configuration bootstrap) {
    Rng rng = new Rng(new SecureRandom().nextLong());
    boolean empty =
        stored.hardState().equals(HardState.EMPTY)
            && stored.entries().isEmpty()
            && stored.snapshot().index() == 0;
    if (empty && bootstrap != null) {
      if (!bootstrap.isVoter(settings.member())) {
        throw new IllegalArgumentException(
            "member " + settings.member() + " bootstraps a group it is no voter of: " + bootstrap);
      }
      if (machine.appliedIndex() != 0) {
        throw new IllegalArgumentException(
            "a founding member needs a state machine at index 0, was " + machine.appliedIndex());
      }
      return RaftNode.bootstrap(settings.raft(), bootstrap, rng);
    }
    Snapshot snapshot = stored.snapshot();
    if (snapshot.index() > machine.appliedIndex()) {
      machine.restore(snapshot.index(), snapshot.data());
    }
    long applied = Math.max(snapshot.index(), machine.appliedIndex());
    if (applied > Math.max(snapshot.index(), stored.hardState().commit())) {
      throw new IllegalArgumentException(
          "the state machine applied up to "
              + machine.appliedIndex()
              + ", beyond the stored commit index "
              + stored.hardState().commit());
    }
    return RaftNode.restart(
        settings.raft(),
        new PersistentState(stored.hardState(), snapshot, stored.entries(), applied),
        rng);
  }

  public long groupId() {
    return groupId;
  }

  /** This member's Raft id. */
  public long member() {
    return member;
  }

  // ------------------------------------------------------------------------------------ the API

  /**
   * Proposes {@code command} (not empty: an empty entry is a new leader's marker) to the group.
   * Completes with the state machine's result once applied on this member (or, forwarded, on the
   * leader); fails with a {@link RaftGroupException}: {@code NOT_LEADER} when no leader is known or
   * the leader moved on, {@code OVERLOADED}, {@code TIMEOUT}, {@code LOST} (outcome unknown),
   * {@code CLOSED}.
   */
  public CompletableFuture<byte[]> propose(byte[] command) {
    Objects.requireNonNull(command, "command");
    if (command.length == 0) {
      throw new IllegalArgumentException("command must not be empty (an empty entry is reserved)");
    }
    CompletableFuture<byte[]> future = new CompletableFuture<>();
    if (admitProposal(future)) {
      enqueue(new Propose(command, future, false, deadline()));
    }
    return future;
  }

  /**
   * A linearizable read barrier (read index, thesis §6.4): completes once this member's state
   * machine has applied everything committed before the call, so that a read of it then sees every
   * write completed before the call. A follower asks the leader for the index. Fails like {@link
   * #propose}.
   */
  public CompletableFuture<Void> linearizableBarrier() {
    CompletableFuture<Void> future = new CompletableFuture<>();
    if (!admit(readsInFlight, settings.readsInFlightMax(), "readsInFlightMax", future)) {
      return future;
    }
    enqueue(new Barrier(future, deadline()));
    return future;
  }

  /** Adds {@code newMember} as a learner (or demotes a voter); on the leader only. */
  public CompletableFuture<Void> addLearner(long newMember) {
    return change(new ConfigChange.AddLearner(newMember));
  }

  /** Promotes {@code learner} to voter (or adds a voter); on the leader only. */
  public CompletableFuture<Void> promoteToVoter(long learner) {
    return change(new ConfigChange.AddVoter(learner));
  }

  /** Removes {@code oldMember}, voter or learner, the leader included; on the leader only. */
  public CompletableFuture<Void> removeMember(long oldMember) {
    return change(new ConfigChange.RemoveMember(oldMember));
  }

  /**
   * Hands leadership to voter {@code target}; on the leader only. Completes once this member sees
   * {@code target} lead; fails with {@code TIMEOUT} if it does not within the request timeout.
   */
  public CompletableFuture<Void> transferLeadership(long target) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    if (admit(proposalsInFlight, settings.proposalsInFlightMax(), "proposalsInFlightMax", future)) {
      enqueue(new Transfer(target, future, deadline()));
    }
    return future;
  }

  /** The state last published by the group's thread. */
  public RaftGroupStatus status() {
    return status;
  }

  /** Inbound Raft messages dropped: over {@code inboundMessagesMax}, or from a spoofing peer. */
  public long inboundMessagesDropped() {
    return inboundMessagesDropped.sum();
  }

  /** Outbound Raft messages dropped: no node mapped, or the transport refused them. */
  public long outboundMessagesDropped() {
    return outbox.messagesDropped();
  }

  /** {@code Ready}s handled and fsyncs made: their ratio shows the batching. */
  public long readiesHandled() {
    return readiesHandled.sum();
  }

  public long syncs() {
    return syncs.sum();
  }

  public long snapshotsTaken() {
    return snapshotsTaken.sum();
  }

  /**
   * Stops the thread, fails every waiting future with {@code CLOSED}, closes the log and leaves the
   * router. Idempotent. What was stored stays: {@link #start} on the same directory restarts the
   * member.
   */
  @Override
  public void close() {
    if (!closing) {
      closing = true;
      events.add(new Close());
    }
    if (Thread.currentThread() != thread) {
      try {
        thread.join(CLOSE_WAIT_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    router.unregister(this);
  }

  // ------------------------------------------------------------------- from the transport threads

  /** An envelope from {@code fromPeer}; called by the {@link RaftRouter} on a transport thread. */
  void receive(String fromPeer, RaftMessages envelope) {
    List<Message> messages = envelope.messages();
    for (Message message : messages) {
      NodeId sender = peers.nodeOf(message.from());
      if (message.to() != member || sender == null || !sender.value().equals(fromPeer)) {
        // A message for another member, or claiming a member that does not live on its sender.
        inboundMessagesDropped.add(messages.size());
        return;
      }
    }
    int queued = inboundMessagesQueued.addAndGet(messages.size());
    if (queued > settings.inboundMessagesMax() || closing) {
      inboundMessagesQueued.addAndGet(-messages.size());
      inboundMessagesDropped.add(messages.size());
      return;
    }
    events.add(new Inbound(messages));
  }

  /** A proposal forwarded by another node; called by the {@link RaftRouter}. */
  CompletableFuture<InternodeMessage> onForwardedProposal(RaftPropose request) {
    if (request.command().length == 0) {
      return CompletableFuture.completedFuture(
          RaftProposeAnswer.failed(groupId, "command must not be empty"));
    }
    CompletableFuture<byte[]> future = new CompletableFuture<>();
    if (admitProposal(future)) {
      enqueue(new Propose(request.command(), future, true, deadline()));
    }
    return ProposalForwarder.answer(groupId, future);
  }

  // ---------------------------------------------------------------------------- admission

  /** Counts a proposal in; false if refused, and then the future is already failed. */
  private boolean admitProposal(CompletableFuture<byte[]> future) {
    return admit(
        proposalsInFlight, settings.proposalsInFlightMax(), "proposalsInFlightMax", future);
  }

  private <T> boolean admit(
      AtomicInteger counter, int max, String bound, CompletableFuture<T> future) {
    if (closing || stopped) {
      future.completeExceptionally(closed());
      return false;
    }
    if (counter.incrementAndGet() > max) {
      counter.decrementAndGet();
      future.completeExceptionally(
          new RaftGroupException(
              Reason.OVERLOADED,
              "Raft group " + groupId + " has " + max + " requests in flight (" + bound + ")"));
      return false;
    }
    future.whenComplete((result, failure) -> counter.decrementAndGet());
    return true;
  }

  private CompletableFuture<Void> change(ConfigChange change) {
    CompletableFuture<byte[]> applied = new CompletableFuture<>();
    if (admitProposal(applied)) {
      enqueue(new Change(change, applied, deadline()));
    }
    return applied.thenApply(result -> null);
  }

  private void enqueue(Event event) {
    events.add(event);
    if (stopped) {
      // The thread is gone: nobody will take it.
      drainEvents();
    }
  }

  private long deadline() {
    return System.nanoTime() + requestTimeoutNanos;
  }

  private RaftGroupException closed() {
    return new RaftGroupException(Reason.CLOSED, "Raft group " + groupId + " is closed");
  }

  // ---------------------------------------------------------------------------------- the loop

  private void run() {
    long nextTickNanos = System.nanoTime() + tickNanos;
    long nextSweepNanos = nextTickNanos;
    try {
      if (node.status().configuration().voters().equals(List.of(member))) {
        // The only voter (a lone node's group, a founder before anyone joined): no other member
        // can win or even vote in an election, so waiting out an election timeout (1 to 2 s by
        // default) would only delay its first writes. Safe at any time, restarts included: Raft's
        // safety never depends on when an election starts.
        node.campaign();
        handleReadies();
        publishStatus();
      }
      while (!closing) {
        long waitNanos = nextTickNanos - System.nanoTime();
        Event first = waitNanos > 0 ? events.poll(waitNanos, TimeUnit.NANOSECONDS) : events.poll();
        if (first != null) {
          handle(first);
          for (int i = 1; i < EVENTS_PER_LOOP_MAX && !closing; i++) {
            Event next = events.poll();
            if (next == null) {
              break;
            }
            handle(next);
          }
        }
        long nowNanos = System.nanoTime();
        if (nowNanos - nextTickNanos >= 0) {
          int ticks = 0;
          while (nowNanos - nextTickNanos >= 0 && ticks < TICKS_CAUGHT_UP_MAX) {
            node.tick();
            nextTickNanos += tickNanos;
            ticks++;
          }
          if (nowNanos - nextTickNanos >= 0) {
            nextTickNanos = nowNanos + tickNanos;
          }
        }
        if (nowNanos - nextSweepNanos >= 0) {
          retryChanges(nowNanos);
          expire(nowNanos);
          nextSweepNanos = nowNanos + tickNanos;
        }
        handleReadies();
        completeTransfers();
        publishStatus();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.ERROR,
          "Raft group " + groupId + " member " + member + " stopped: " + e,
          e);
    } finally {
      stop();
    }
  }

  private void stop() {
    stopped = true;
    closing = true;
    RaftGroupException closed = closed();
    proposalsByIndex.values().forEach(pending -> pending.future().completeExceptionally(closed));
    proposalsByIndex.clear();
    readsById.values().forEach(pending -> pending.future().completeExceptionally(closed));
    readsById.clear();
    readsAwaitingApply.forEach(pending -> pending.future().completeExceptionally(closed));
    readsAwaitingApply.clear();
    transfers.forEach(pending -> pending.future().completeExceptionally(closed));
    transfers.clear();
    changesToRetry.forEach(change -> change.future().completeExceptionally(closed));
    changesToRetry.clear();
    drainEvents();
    try {
      log.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "closing the Raft log of group " + groupId + ": " + e);
    }
    publishStatus();
  }

  /** Fails every event left in the queue (after the thread stopped). */
  private void drainEvents() {
    RaftGroupException closed = closed();
    Event event;
    while ((event = events.poll()) != null) {
      switch (event) {
        case Inbound inbound -> inboundMessagesQueued.addAndGet(-inbound.messages().size());
        case Propose propose -> propose.future().completeExceptionally(closed);
        case Barrier barrier -> barrier.future().completeExceptionally(closed);
        case Change change -> change.future().completeExceptionally(closed);
        case Transfer transfer -> transfer.future().completeExceptionally(closed);
        case Close close -> {}
      }
    }
  }

  private void handle(Event event) {
    switch (event) {
      case Inbound inbound -> {
        inboundMessagesQueued.addAndGet(-inbound.messages().size());
        for (Message message : inbound.messages()) {
          node.step(message);
        }
      }
      case Propose propose -> onPropose(propose);
      case Barrier barrier -> onBarrier(barrier);
      case Change change -> onChange(change);
      case Transfer transfer -> onTransfer(transfer);
      case Close close -> closing = true;
    }
  }

  private void onPropose(Propose propose) {
    Submission submission = node.propose(propose.command());
    switch (submission) {
      case Submission.Accepted accepted ->
          proposalsByIndex.put(
              accepted.index(),
              new PendingProposal(accepted.term(), propose.future(), propose.deadlineNanos()));
      case Submission.Rejected rejected -> {
        if (rejected.reason() == RejectReason.NOT_LEADER
            && rejected.leader() != 0
            && !propose.forwarded()) {
          forward(propose, rejected.leader());
        } else {
          propose.future().completeExceptionally(refusal(rejected, "proposal"));
        }
      }
    }
  }

  private void forward(Propose propose, long leader) {
    NodeId leaderNode = peers.nodeOf(leader);
    if (leaderNode == null) {
      propose
          .future()
          .completeExceptionally(
              refusal(new Submission.Rejected(RejectReason.NOT_LEADER, leader), "proposal"));
      return;
    }
    long remainingMillis =
        Math.max(1, TimeUnit.NANOSECONDS.toMillis(propose.deadlineNanos() - System.nanoTime()));
    forwarder.forward(propose.command(), leaderNode, remainingMillis, propose.future());
  }

  private void onBarrier(Barrier barrier) {
    long requestId = (readIdIncarnation << 32) | (++readIdCounter & 0xffff_ffffL);
    Submission submission = node.readIndex(requestId);
    switch (submission) {
      case Submission.Accepted accepted ->
          readsById.put(requestId, new PendingRead(barrier.future(), -1, barrier.deadlineNanos()));
      case Submission.Rejected rejected ->
          barrier.future().completeExceptionally(refusal(rejected, "read"));
    }
  }

  private void onChange(Change change) {
    Submission submission = node.proposeConfigChange(change.change());
    switch (submission) {
      case Submission.Accepted accepted ->
          proposalsByIndex.put(
              accepted.index(),
              new PendingProposal(accepted.term(), change.future(), change.deadlineNanos()));
      case Submission.Rejected rejected -> {
        if (rejected.reason() == RejectReason.CONFIG_CHANGE_IN_PROGRESS) {
          // The previous change, or the new leader's first entry, is not committed yet: a
          // matter of a round trip or two, so the change is retried at every tick until its
          // deadline rather than refused.
          changesToRetry.add(change);
        } else {
          change
              .future()
              .completeExceptionally(refusal(rejected, "configuration change " + change.change()));
        }
      }
    }
  }

  private void onTransfer(Transfer transfer) {
    Submission submission = node.transferLeadership(transfer.target());
    switch (submission) {
      case Submission.Accepted accepted ->
          transfers.add(
              new PendingTransfer(transfer.target(), transfer.future(), transfer.deadlineNanos()));
      case Submission.Rejected rejected ->
          transfer
              .future()
              .completeExceptionally(refusal(rejected, "transfer to " + transfer.target()));
    }
  }

  private RaftGroupException refusal(Submission.Rejected rejected, String what) {
    NodeId leaderNode = rejected.leader() == 0 ? null : peers.nodeOf(rejected.leader());
    return switch (rejected.reason()) {
      case NOT_LEADER ->
          new RaftGroupException(
              Reason.NOT_LEADER,
              "not leader, leader is "
                  + (rejected.leader() == 0
                      ? "unknown"
                      : "member "
                          + rejected.leader()
                          + " on "
                          + (leaderNode == null ? "an unknown node" : leaderNode))
                  + " (Raft group "
                  + groupId
                  + ", member "
                  + member
                  + ", "
                  + what
                  + ")",
              leaderNode,
              null);
      case LEADERSHIP_TRANSFER_IN_PROGRESS ->
          new RaftGroupException(
              Reason.NOT_LEADER,
              "leadership of Raft group "
                  + groupId
                  + " is being transferred; retry at the new leader",
              leaderNode,
              null);
      case TOO_MANY_UNCOMMITTED_BYTES, TOO_MANY_PENDING_READS ->
          new RaftGroupException(
              Reason.OVERLOADED,
              "Raft group " + groupId + " refused the " + what + ": " + rejected.reason());
      case ENTRY_TOO_LARGE ->
          new RaftGroupException(
              Reason.REFUSED,
              "the "
                  + what
                  + " exceeds entryBytesMax ("
                  + settings.raft().entryBytesMax()
                  + " bytes)");
      case CONFIG_CHANGE_IN_PROGRESS, INVALID_CONFIG_CHANGE, INVALID_TRANSFER_TARGET ->
          new RaftGroupException(
              Reason.REFUSED,
              "Raft group " + groupId + " refused the " + what + ": " + rejected.reason());
    };
  }

  // ---------------------------------------------------------------------------------- the Ready

  private void handleReadies() throws IOException {
    while (node.hasReady()) {
      Ready ready = node.ready();
      readiesHandled.increment();
      List<Message> afterSync = ready.messages();
      boolean termOrVoteChanges =
          ready
              .hardState()
              .map(state -> state.term() != storedTerm || state.vote() != storedVote)
              .orElse(false);
      if (settings.leaderAppendsBeforeSync()
          && node.role() == Role.LEADER
          && !termOrVoteChanges
          && ready.snapshot().isEmpty()
          && !afterSync.isEmpty()) {
        List<Message> early = new ArrayList<>();
        List<Message> late = new ArrayList<>();
        for (Message message : afterSync) {
          if (message instanceof Message.AppendEntries || message instanceof Message.Heartbeat) {
            early.add(message);
          } else {
            late.add(message);
          }
        }
        outbox.send(early);
        afterSync = late;
      }
      store(ready);
      outbox.send(afterSync);
      apply(ready);
      node.advance(ready);
      outbox.reportDeliveryFailures(node);
    }
    maybeCompact();
  }

  private void store(Ready ready) throws IOException {
    if (ready.snapshot().isPresent()) {
      log.saveSnapshot(ready.snapshot().get());
      snapshotIndex = ready.snapshot().get().index();
    }
    HardState hardState = ready.hardState().orElse(null);
    if (!ready.entries().isEmpty() || hardState != null) {
      log.save(ready.entries(), hardState, ready.mustSync());
    } else if (ready.mustSync()) {
      log.sync();
    }
    if (ready.mustSync()) {
      syncs.increment();
    }
    if (hardState != null) {
      storedTerm = hardState.term();
      storedVote = hardState.vote();
    }
  }

  private void apply(Ready ready) {
    if (ready.snapshot().isPresent()) {
      Snapshot snapshot = ready.snapshot().get();
      machine.restore(snapshot.index(), snapshot.data());
      // Proposals waiting at or below the snapshot cannot learn their fate any more.
      Iterator<Map.Entry<Long, PendingProposal>> covered =
          proposalsByIndex.headMap(snapshot.index(), true).entrySet().iterator();
      while (covered.hasNext()) {
        covered
            .next()
            .getValue()
            .future()
            .completeExceptionally(
                new RaftGroupException(
                    Reason.LOST,
                    "a snapshot from the leader replaced the log; the outcome is unknown"));
        covered.remove();
      }
    }
    for (Entry entry : ready.committedEntries()) {
      if (entry.index() <= machine.appliedIndex()) {
        continue;
      }
      byte[] result;
      if (entry.type() == EntryType.NORMAL && entry.data().length > 0) {
        result = machine.apply(entry.index(), entry.data());
      } else {
        machine.skip(entry.index());
        result = new byte[0];
      }
      PendingProposal pending = proposalsByIndex.remove(entry.index());
      if (pending != null) {
        if (pending.term() == entry.term()) {
          pending.future().complete(result);
        } else {
          pending
              .future()
              .completeExceptionally(
                  new RaftGroupException(
                      Reason.LOST,
                      "the proposal was lost in a leader change (index "
                          + entry.index()
                          + " holds term "
                          + entry.term()
                          + ", not "
                          + pending.term()
                          + ")"));
        }
      }
    }
    for (ReadState readState : ready.readStates()) {
      PendingRead pending = readsById.remove(readState.requestId());
      if (pending != null) {
        readsAwaitingApply.add(
            new PendingRead(pending.future(), readState.index(), pending.deadlineNanos()));
      }
    }
    if (!readsAwaitingApply.isEmpty()) {
      long applied = machine.appliedIndex();
      readsAwaitingApply.removeIf(
          pending -> {
            if (pending.index() <= applied) {
              pending.future().complete(null);
              return true;
            }
            return false;
          });
    }
  }

  private void maybeCompact() throws IOException {
    long applied = machine.appliedIndex();
    if (applied - snapshotIndex >= settings.snapshotEveryEntries()) {
      Snapshot snapshot = node.compact(applied, machine.snapshot());
      log.saveSnapshot(snapshot);
      snapshotIndex = snapshot.index();
      snapshotsTaken.increment();
    }
  }

  // ------------------------------------------------------------------- timeouts and status

  private void retryChanges(long nowNanos) {
    if (changesToRetry.isEmpty()) {
      return;
    }
    List<Change> retries = new ArrayList<>(changesToRetry);
    changesToRetry.clear();
    for (Change change : retries) {
      if (nowNanos - change.deadlineNanos() >= 0) {
        change
            .future()
            .completeExceptionally(
                timeout(
                    "configuration change "
                        + change.change()
                        + " (another change was in progress)"));
      } else {
        onChange(change);
      }
    }
  }

  private void expire(long nowNanos) {
    Iterator<PendingProposal> proposals = proposalsByIndex.values().iterator();
    while (proposals.hasNext()) {
      PendingProposal pending = proposals.next();
      if (nowNanos - pending.deadlineNanos() >= 0) {
        pending.future().completeExceptionally(timeout("proposal"));
        proposals.remove();
      }
    }
    Iterator<PendingRead> reads = readsById.values().iterator();
    while (reads.hasNext()) {
      PendingRead pending = reads.next();
      if (nowNanos - pending.deadlineNanos() >= 0) {
        pending.future().completeExceptionally(timeout("read barrier"));
        reads.remove();
      }
    }
    readsAwaitingApply.removeIf(
        pending -> {
          if (nowNanos - pending.deadlineNanos() >= 0) {
            pending.future().completeExceptionally(timeout("read barrier"));
            return true;
          }
          return false;
        });
    transfers.removeIf(
        pending -> {
          if (nowNanos - pending.deadlineNanos() >= 0) {
            pending.future().completeExceptionally(timeout("leadership transfer"));
            return true;
          }
          return false;
        });
  }

  private RaftGroupException timeout(String what) {
    return new RaftGroupException(
        Reason.TIMEOUT,
        "the "
            + what
            + " of Raft group "
            + groupId
            + " had no outcome within "
            + settings.requestTimeoutMillis()
            + " ms (requestTimeoutMillis); it may still take effect");
  }

  private void completeTransfers() {
    if (transfers.isEmpty()) {
      return;
    }
    long leader = node.leader();
    transfers.removeIf(
        pending -> {
          if (leader == pending.target()) {
            pending.future().complete(null);
            return true;
          }
          return false;
        });
  }

  private void publishStatus() {
    Status raft = node.status();
    long leader = raft.leader();
    status =
        new RaftGroupStatus(
            groupId,
            member,
            raft.role(),
            raft.term(),
            leader,
            Optional.ofNullable(leader == 0 ? null : peers.nodeOf(leader)),
            raft.commit(),
            machine.appliedIndex(),
            raft.lastIndex(),
            snapshotIndex,
            raft.configuration(),
            !stopped);
  }
}
