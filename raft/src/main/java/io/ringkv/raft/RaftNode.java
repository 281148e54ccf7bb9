package io.ringkv.raft;

import io.ringkv.common.Rng;
import io.ringkv.raft.Message.AppendEntries;
import io.ringkv.raft.Message.AppendResponse;
import io.ringkv.raft.Message.Heartbeat;
import io.ringkv.raft.Message.HeartbeatResponse;
import io.ringkv.raft.Message.InstallSnapshot;
import io.ringkv.raft.Message.ReadIndexRequest;
import io.ringkv.raft.Message.ReadIndexResponse;
import io.ringkv.raft.Message.TimeoutNow;
import io.ringkv.raft.Message.VoteRequest;
import io.ringkv.raft.Message.VoteResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One Raft node as a pure state machine (Ongaro and Ousterhout, "In Search of an Understandable
 * Consensus Algorithm", 2014, and Ongaro's thesis, "Consensus: Bridging Theory and Practice",
 * 2014), in the shape of etcd's raft: it does no I/O, reads no clock and starts no thread. See
 * docs/design/raft.md.
 *
 * <p>Driving it: call {@link #tick()} at a steady rate (time is counted only in ticks), {@link
 * #step(Message)} for every message received, and {@link #propose}, {@link #proposeConfigChange},
 * {@link #readIndex}, {@link #transferLeadership} for requests. After any of them, while {@link
 * #hasReady()}, take {@link #ready()}, do what it says in its order (store, then send, then apply)
 * and call {@link #advance(Ready)}; nothing else may be called between {@code ready} and {@code
 * advance}. The server does this from an event loop; the simulator from its one thread.
 *
 * <p>What it implements: elections with randomized timeouts drawn from the caller's seeded {@link
 * Rng}; pre-vote and check-quorum (thesis §9.6, §6.2), so that a node cut off and back does not
 * disrupt a working leader; log replication with the log matching check and fast backtracking by
 * conflict term; per-follower flow control ({@link Progress}: probe, then pipelined appends up to
 * {@link RaftConfig#inflightAppendsMax()} in flight, batched up to {@link
 * RaftConfig#appendBytesMax()}); commitment only by counting replicas of an entry of the current
 * term (paper §5.4.2, Figure 8); snapshots sent to followers that need compacted entries;
 * linearizable reads by read index (thesis §6.4) and optionally by lease; single-member
 * configuration changes in force when appended (thesis §4.1, with the erratum: a leader changes the
 * configuration only after committing an entry of its term); learners; leadership transfer (thesis
 * §3.10).
 *
 * <p>Safety invariants (the simulator checks them across nodes): at most one leader per term; a
 * vote is cast at most once per term and stored before it is sent; entries are acknowledged only
 * after the caller stored them (messages leave after storage), and a leader counts itself only for
 * entries it has stored; a committed entry is never overwritten; the applied index never passes
 * what is both committed and stored.
 *
 * <p>Bounds: proposals stop at {@link RaftConfig#uncommittedBytesMax()}; pending reads at {@link
 * RaftConfig#pendingReadsMax()}; entries per append message at {@link RaftConfig#appendBytesMax()};
 * appends in flight per follower by {@link Inflights}; committed entries per {@code Ready} at
 * {@link RaftConfig#committedBytesPerReadyMax()}; members at {@link Configuration#MEMBERS_MAX}. The
 * outbox grows by at most one message per member per input, and is emptied by every {@code
 * ready()}.
 *
 * <p>Not thread-safe: owned by one loop.
 */
public final class RaftNode {
  private final RaftConfig config;
  private final long id;
  private final Rng rng;
  private final RaftLog log;

  private long term;
  private long vote;
  private long leader;
  private Role role = Role.FOLLOWER;

  private int electionElapsedTicks;
  private int heartbeatElapsedTicks;
  private int randomizedElectionTimeoutTicks;

  /** Ticks since this node was made: the leader's clock for leases. */
  private long tickCount;

  /** With leases on, a restarted node refuses votes until this tick (thesis §6.4.1). */
  private final long voteRefusalUntilTick;

  /** Candidates: the answers received in this election, by voter. */
  private final TreeMap<Long, Boolean> votes = new TreeMap<>();

  /** Leader: every member and itself, by id. */
  private final TreeMap<Long, Progress> progress = new TreeMap<>();

  private long transferee;
  private long uncommittedBytes;
  private long readRound;
  private boolean leaseForfeited;
  private final ArrayDeque<PendingRead> pendingReads = new ArrayDeque<>();
  private final ArrayDeque<PendingRead> readsAwaitingCommit = new ArrayDeque<>();

  private final List<Message> outbox = new ArrayList<>();
  private final List<ReadState> readStates = new ArrayList<>();
  private SoftState lastSoftState;
  private HardState lastHardState;
  private boolean awaitingAdvance;

  private record PendingRead(long origin, long requestId, long index, long round) {}

  private RaftNode(
      RaftConfig config,
      PersistentState state,
      long storedThrough,
      HardState storedHardState,
      Rng rng) {
    this.config = config;
    this.id = config.id();
    this.rng = rng;
    HardState hardState = state.hardState();
    this.log =
        new RaftLog(
            state.snapshot(), state.entries(), hardState.commit(), state.applied(), storedThrough);
    this.term = hardState.term();
    this.vote = hardState.vote();
    this.lastHardState = storedHardState;
    this.lastSoftState = new SoftState(Role.FOLLOWER, 0);
    this.voteRefusalUntilTick = config.leaseReads() ? config.electionTimeoutTicks() : 0;
    resetRandomizedElectionTimeout();
  }

  /**
   * A node restarted from what its storage holds (everything in {@code state} is already stored). A
   * node that never ran and is to be added to an existing group starts from {@link
   * PersistentState#empty()}.
   */
  public static RaftNode restart(RaftConfig config, PersistentState state, Rng rng) {
    return new RaftNode(config, state, Long.MAX_VALUE, state.hardState(), rng);
  }

  /**
   * A founding member of a new group. Every founding member must be bootstrapped with the same
   * {@code configuration}: its first entry (index 1, term 1) holds it, already committed; the first
   * {@link Ready} asks to store it.
   */
  public static RaftNode bootstrap(RaftConfig config, Configuration configuration, Rng rng) {
    Entry first = new Entry(1, 1, EntryType.CONFIGURATION, configuration.encode());
    PersistentState state =
        new PersistentState(
            new HardState(1, 0, 1), Snapshot.empty(Configuration.EMPTY), List.of(first), 0);
    return new RaftNode(config, state, 0, HardState.EMPTY, rng);
  }

  public long id() {
    return id;
  }

  public Role role() {
    return role;
  }

  public long term() {
    return term;
  }

  /** The leader this node knows for its current term, or 0. */
  public long leader() {
    return leader;
  }

  // ---------------------------------------------------------------------------------------------
  // Inputs

  /** Advances the node's clock by one tick. */
  public void tick() {
    checkNotAwaitingAdvance();
    tickCount++;
    if (role == Role.LEADER) {
      tickLeader();
    } else {
      tickElection();
    }
  }

  /**
   * Starts an election now (with pre-vote if configured), as if the election timeout had passed.
   * Does nothing on a leader or a node that cannot vote.
   */
  public void campaign() {
    checkNotAwaitingAdvance();
    startElection(false);
  }

  /** Handles one message from another node. */
  public void step(Message message) {
    checkNotAwaitingAdvance();
    if (message.to() != id) {
      throw new IllegalArgumentException(
          "message for node " + message.to() + " stepped into node " + id + ": " + message);
    }
    if (!checkTerm(message)) {
      return;
    }
    if (message instanceof VoteRequest request) {
      onVoteRequest(request);
      return;
    }
    switch (role) {
      case LEADER -> stepLeader(message);
      case CANDIDATE, PRE_CANDIDATE -> stepCandidate(message);
      case FOLLOWER -> stepFollower(message);
    }
  }

  /** Proposes an application command; only a leader accepts. */
  public Submission propose(byte[] data) {
    checkNotAwaitingAdvance();
    Submission.Rejected refusal = checkCanPropose(data.length + (long) Entry.OVERHEAD_BYTES);
    if (refusal != null) {
      return refusal;
    }
    Entry entry = appendAsLeader(EntryType.NORMAL, data);
    broadcastAppend();
    return new Submission.Accepted(entry.index(), entry.term());
  }

  /**
   * Proposes a change of one member. Only a leader accepts, only when the last configuration change
   * is committed and the leader has committed an entry of its own term.
   */
  public Submission proposeConfigChange(ConfigChange change) {
    checkNotAwaitingAdvance();
    Submission.Rejected notLeader = checkCanPropose(0);
    if (notLeader != null) {
      return notLeader;
    }
    Configuration current = log.configuration();
    Configuration next;
    try {
      next = current.apply(change);
    } catch (IllegalArgumentException e) {
      return new Submission.Rejected(RejectReason.INVALID_CONFIG_CHANGE, leader);
    }
    byte[] data = next.encode();
    Submission.Rejected refusal = checkCanPropose(data.length + (long) Entry.OVERHEAD_BYTES);
    if (refusal != null) {
      return refusal;
    }
    if (log.lastConfigurationIndex() > log.committed() || !committedInCurrentTerm()) {
      return new Submission.Rejected(RejectReason.CONFIG_CHANGE_IN_PROGRESS, leader);
    }
    Entry entry = appendAsLeader(EntryType.CONFIGURATION, data);
    broadcastAppend();
    return new Submission.Accepted(entry.index(), entry.term());
  }

  /**
   * Asks for a linearizable read. When accepted, a later {@link Ready#readStates()} holds a {@link
   * ReadState} with {@code requestId} (unless leadership changes first: the caller times out and
   * retries). A follower forwards the request to its leader.
   */
  public Submission readIndex(long requestId) {
    checkNotAwaitingAdvance();
    if (role == Role.LEADER) {
      return leaderRead(id, requestId);
    }
    if (leader == 0) {
      return new Submission.Rejected(RejectReason.NOT_LEADER, 0);
    }
    send(new ReadIndexRequest(id, leader, term, requestId));
    return new Submission.Accepted(0, term);
  }

  /**
   * Hands leadership to {@code target} (thesis §3.10): the leader stops taking proposals, brings
   * the target's log up to date, then tells it to campaign at once. Abandoned after an election
   * timeout.
   */
  public Submission transferLeadership(long target) {
    checkNotAwaitingAdvance();
    if (role != Role.LEADER) {
      return new Submission.Rejected(RejectReason.NOT_LEADER, leader);
    }
    if (target == id || !log.configuration().isVoter(target)) {
      return new Submission.Rejected(RejectReason.INVALID_TRANSFER_TARGET, leader);
    }
    if (transferee != target) {
      transferee = target;
      electionElapsedTicks = 0;
      Progress targetProgress = progress.get(target);
      if (targetProgress.match == log.lastIndex()) {
        sendTimeoutNow(target);
      } else {
        sendAppend(target);
      }
    }
    return new Submission.Accepted(0, term);
  }

  /**
   * Replaces the log up to {@code index} by a snapshot of the application's state there ({@code
   * index} at most the applied index). Returns the snapshot: the caller stores it, and only then
   * drops the stored entries it covers. The node keeps the latest snapshot in memory to send to
   * followers that fall behind it.
   */
  public Snapshot compact(long index, byte[] data) {
    checkNotAwaitingAdvance();
    return log.compact(index, data);
  }

  /** The transport could not reach {@code member}: stop streaming to it and probe instead. */
  public void reportUnreachable(long member) {
    checkNotAwaitingAdvance();
    Progress memberProgress = role == Role.LEADER ? progress.get(member) : null;
    if (memberProgress != null && memberProgress.state == Progress.State.REPLICATE) {
      memberProgress.becomeProbe();
    }
  }

  /** The transport failed to deliver a snapshot to {@code member}: try again later. */
  public void reportSnapshotFailure(long member) {
    checkNotAwaitingAdvance();
    Progress memberProgress = role == Role.LEADER ? progress.get(member) : null;
    if (memberProgress != null && memberProgress.state == Progress.State.SNAPSHOT) {
      memberProgress.pendingSnapshotIndex = 0;
      memberProgress.becomeProbe();
      memberProgress.probeSent = true;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Outputs

  /** Whether {@link #ready()} has anything to do. */
  public boolean hasReady() {
    return !awaitingAdvance
        && (!currentSoftState().equals(lastSoftState)
            || !currentHardState().equals(lastHardState)
            || log.hasUnstableEntries()
            || log.unstableSnapshot() != null
            || log.hasCommittedEntriesToApply()
            || !outbox.isEmpty()
            || !readStates.isEmpty());
  }

  /** What to store, send and apply now; pass it back to {@link #advance(Ready)} when done. */
  public Ready ready() {
    checkNotAwaitingAdvance();
    SoftState softState = currentSoftState();
    HardState hardState = currentHardState();
    List<Entry> entries = log.unstableEntries();
    Snapshot snapshot = log.unstableSnapshot();
    boolean mustSync =
        !entries.isEmpty()
            || snapshot != null
            || hardState.term() != lastHardState.term()
            || hardState.vote() != lastHardState.vote();
    Ready ready =
        new Ready(
            softState.equals(lastSoftState) ? Optional.empty() : Optional.of(softState),
            hardState.equals(lastHardState) ? Optional.empty() : Optional.of(hardState),
            entries,
            Optional.ofNullable(snapshot),
            log.committedEntriesToApply(config.committedBytesPerReadyMax()),
            outbox,
            readStates,
            mustSync);
    outbox.clear();
    readStates.clear();
    awaitingAdvance = true;
    return ready;
  }

  /** The caller did everything {@code ready} asked. */
  public void advance(Ready ready) {
    if (!awaitingAdvance) {
      throw new IllegalStateException("advance without a ready outstanding");
    }
    awaitingAdvance = false;
    ready.softState().ifPresent(state -> lastSoftState = state);
    ready.hardState().ifPresent(state -> lastHardState = state);
    ready.snapshot().ifPresent(log::snapshotInstalled);
    if (!ready.entries().isEmpty()) {
      Entry last = ready.entries().getLast();
      log.stableTo(last.index(), last.term());
    }
    if (!ready.committedEntries().isEmpty()) {
      log.appliedTo(ready.committedEntries().getLast().index());
    }
    if (role == Role.LEADER) {
      // The leader counts itself towards a quorum only for entries it has stored.
      progress.get(id).maybeUpdate(log.stableIndex());
      leaderMaybeCommit();
    }
  }

  /** A snapshot of this node's state, for display and checkers. */
  public Status status() {
    SortedMap<Long, Status.MemberProgress> members = new TreeMap<>();
    if (role == Role.LEADER) {
      for (Map.Entry<Long, Progress> entry : progress.entrySet()) {
        Progress p = entry.getValue();
        members.put(
            entry.getKey(),
            new Status.MemberProgress(
                p.match,
                p.next,
                p.state.name(),
                p.isPaused(),
                p.inflights.count(),
                p.recentActive));
      }
    }
    return new Status(
        id,
        role,
        term,
        vote,
        leader,
        log.firstIndex(),
        log.lastIndex(),
        log.lastTerm(),
        log.committed(),
        log.applied(),
        log.configuration(),
        transferee,
        members);
  }

  /** The latest snapshot this node holds (the empty one if none). */
  public Snapshot snapshot() {
    return log.snapshot();
  }

  // ---------------------------------------------------------------------------------------------
  // Terms and roles

  /**
   * The term rules that apply to every message: a higher term makes this node a follower (except
   * for pre-votes, and for vote requests while it still hears from a leader); a lower term is
   * ignored or answered so that its sender learns the newer term. Returns whether to go on handling
   * the message.
   */
  private boolean checkTerm(Message message) {
    if (message.term() > term) {
      if (message instanceof VoteRequest request) {
        if (!request.leadershipTransfer() && inLease()) {
          // This node heard from a leader within an election timeout: the candidate is probably a
          // node that was cut off; ignoring it keeps the working leader (thesis §4.2.3).
          return false;
        }
        if (request.preVote()) {
          return true;
        }
      }
      if (message instanceof VoteResponse response && response.preVote() && response.granted()) {
        // A granted pre-vote carries the term we would campaign in; our term rises only when the
        // real election starts.
        return true;
      }
      long newLeader =
          switch (message) {
            case AppendEntries append -> append.from();
            case Heartbeat heartbeat -> heartbeat.from();
            case InstallSnapshot install -> install.from();
            default -> 0;
          };
      becomeFollower(message.term(), newLeader);
      return true;
    }
    if (message.term() < term) {
      if ((config.checkQuorum() || config.preVote())
          && (message instanceof AppendEntries || message instanceof Heartbeat)) {
        // A leader of an older term that we no longer follow: with pre-vote or check-quorum our
        // term may have risen without an election it could see, so tell it, or it would never
        // step down.
        send(new AppendResponse(id, message.from(), term, false, 0, 0, 0));
      } else if (message instanceof VoteRequest request && request.preVote()) {
        send(new VoteResponse(id, request.from(), term, true, false));
      }
      return false;
    }
    return true;
  }

  private boolean inLease() {
    boolean heardFromLeader = leader != 0 && electionElapsedTicks < config.electionTimeoutTicks();
    boolean justRestarted = tickCount < voteRefusalUntilTick;
    return config.checkQuorum() && (heardFromLeader || justRestarted);
  }

  private void onVoteRequest(VoteRequest request) {
    boolean canVote =
        vote == request.from()
            || (vote == 0 && leader == 0)
            || (request.preVote() && request.term() > term);
    if (canVote && log.isUpToDate(request.lastLogIndex(), request.lastLogTerm())) {
      send(new VoteResponse(id, request.from(), request.term(), request.preVote(), true));
      if (!request.preVote()) {
        electionElapsedTicks = 0;
        vote = request.from();
      }
    } else {
      send(new VoteResponse(id, request.from(), term, request.preVote(), false));
    }
  }

  /**
   * Whether this node may campaign: it is a voter in its latest configuration, or it was a voter
   * before a configuration change it does not know committed. The second case is thesis §4.2.2: a
   * leader that removed (or demoted) itself and lost leadership before the change committed may
   * hold the only log that has the change, and must be able to win with the new configuration's
   * votes (its own vote counts only if it is in that configuration), or the group could deadlock.
   */
  private boolean promotable() {
    if (log.unstableSnapshot() != null) {
      return false;
    }
    if (log.configuration().isVoter(id)) {
      return true;
    }
    return log.lastConfigurationIndex() > log.committed()
        && log.previousConfiguration().isVoter(id);
  }

  private void tickElection() {
    electionElapsedTicks++;
    if (promotable() && electionElapsedTicks >= randomizedElectionTimeoutTicks) {
      electionElapsedTicks = 0;
      startElection(false);
    }
  }

  private void startElection(boolean leadershipTransfer) {
    if (role == Role.LEADER || !promotable()) {
      return;
    }
    boolean preVote = config.preVote() && !leadershipTransfer;
    if (preVote) {
      becomePreCandidate();
    } else {
      becomeCandidate();
    }
    long electionTerm = preVote ? term + 1 : term;
    recordVote(id, true);
    if (pollElection(preVote)) {
      return;
    }
    for (long voter : log.configuration().voters()) {
      if (voter != id) {
        send(
            new VoteRequest(
                id,
                voter,
                electionTerm,
                preVote,
                log.lastIndex(),
                log.lastTerm(),
                leadershipTransfer));
      }
    }
  }

  private void recordVote(long voter, boolean granted) {
    votes.putIfAbsent(voter, granted);
  }

  /** Acts on the election's result if it is decided; returns whether it is. */
  private boolean pollElection(boolean preVote) {
    Configuration configuration = log.configuration();
    int granted = 0;
    int rejected = 0;
    for (long voter : configuration.voters()) {
      Boolean answer = votes.get(voter);
      if (answer == null) {
        continue;
      }
      if (answer) {
        granted++;
      } else {
        rejected++;
      }
    }
    if (granted >= configuration.quorum()) {
      if (preVote) {
        startElectionAfterPreVote();
      } else {
        becomeLeader();
      }
      return true;
    }
    if (rejected > configuration.voters().size() - configuration.quorum()) {
      becomeFollower(term, 0);
      return true;
    }
    return false;
  }

  private void startElectionAfterPreVote() {
    becomeCandidate();
    recordVote(id, true);
    if (pollElection(false)) {
      return;
    }
    for (long voter : log.configuration().voters()) {
      if (voter != id) {
        send(new VoteRequest(id, voter, term, false, log.lastIndex(), log.lastTerm(), false));
      }
    }
  }

  private void becomeFollower(long newTerm, long newLeader) {
    reset(newTerm);
    role = Role.FOLLOWER;
    leader = newLeader;
  }

  private void becomePreCandidate() {
    // Neither the term nor the vote changes: a pre-vote changes nothing anywhere.
    votes.clear();
    clearLeaderState();
    role = Role.PRE_CANDIDATE;
    leader = 0;
    resetRandomizedElectionTimeout();
  }

  private void becomeCandidate() {
    reset(term + 1);
    vote = id;
    role = Role.CANDIDATE;
  }

  private void becomeLeader() {
    reset(term);
    role = Role.LEADER;
    leader = id;
    for (long member : log.configuration().members()) {
      progress.put(member, newProgress(member));
    }
    if (!progress.containsKey(id)) {
      progress.put(id, newProgress(id));
    }
    Progress self = progress.get(id);
    self.maybeUpdate(log.stableIndex());
    self.becomeReplicate();
    self.recentActive = true;
    // The first entry of the term: committing it commits everything before it (paper §8), and
    // until then the leader takes no configuration change and serves no read.
    appendAsLeader(EntryType.NORMAL, new byte[0]);
    broadcastAppend();
  }

  private Progress newProgress(long member) {
    Progress memberProgress =
        new Progress(log.lastIndex() + 1, config.inflightAppendsMax(), config.inflightBytesMax());
    memberProgress.recentActive = member == id;
    return memberProgress;
  }

  private void reset(long newTerm) {
    if (term != newTerm) {
      term = newTerm;
      vote = 0;
    }
    leader = 0;
    electionElapsedTicks = 0;
    heartbeatElapsedTicks = 0;
    resetRandomizedElectionTimeout();
    votes.clear();
    clearLeaderState();
  }

  private void clearLeaderState() {
    progress.clear();
    transferee = 0;
    uncommittedBytes = 0;
    readRound = 0;
    leaseForfeited = false;
    pendingReads.clear();
    readsAwaitingCommit.clear();
  }

  private void resetRandomizedElectionTimeout() {
    randomizedElectionTimeoutTicks =
        config.electionTimeoutTicks() + rng.nextInt(config.electionTimeoutTicks());
  }

  // ---------------------------------------------------------------------------------------------
  // Followers and candidates

  private void stepFollower(Message message) {
    switch (message) {
      case AppendEntries append -> {
        heardFromLeader(append.from());
        onAppendEntries(append);
      }
      case Heartbeat heartbeat -> {
        heardFromLeader(heartbeat.from());
        onHeartbeat(heartbeat);
      }
      case InstallSnapshot install -> {
        heardFromLeader(install.from());
        onInstallSnapshot(install);
      }
      case TimeoutNow timeoutNow -> startElection(true);
      case ReadIndexResponse response ->
          readStates.add(new ReadState(response.requestId(), response.index()));
      case VoteRequest request ->
          throw new IllegalStateException("vote requests are handled first");
      case VoteResponse response -> {
        // A late answer to an election this node gave up.
      }
      case AppendResponse response -> {
        // A late answer to this node's leadership of this term, which it has lost.
      }
      case HeartbeatResponse response -> {
        // Likewise.
      }
      case ReadIndexRequest request -> {
        // Meant for the leader; the requester times out and retries.
      }
    }
  }

  private void stepCandidate(Message message) {
    switch (message) {
      case AppendEntries append -> {
        becomeFollower(term, append.from());
        onAppendEntries(append);
      }
      case Heartbeat heartbeat -> {
        becomeFollower(term, heartbeat.from());
        onHeartbeat(heartbeat);
      }
      case InstallSnapshot install -> {
        becomeFollower(term, install.from());
        onInstallSnapshot(install);
      }
      case VoteResponse response -> {
        boolean current =
            response.preVote() == (role == Role.PRE_CANDIDATE)
                && (!response.preVote() || !response.granted() || response.term() == term + 1);
        if (current) {
          // A stale pre-vote grant (for an earlier pre-campaign) carries an older term.
          recordVote(response.from(), response.granted());
          pollElection(response.preVote());
        }
      }
      case VoteRequest request ->
          throw new IllegalStateException("vote requests are handled first");
      case TimeoutNow timeoutNow -> {
        // Already campaigning.
      }
      case AppendResponse response -> {
        // Stale.
      }
      case HeartbeatResponse response -> {
        // Stale.
      }
      case ReadIndexRequest request -> {
        // No leader to confirm a read; the requester times out.
      }
      case ReadIndexResponse response -> {
        // An answer from a leader of this term that this node no longer follows: still a valid
        // read index, since it was confirmed by that leader.
        readStates.add(new ReadState(response.requestId(), response.index()));
      }
    }
  }

  private void heardFromLeader(long from) {
    electionElapsedTicks = 0;
    leader = from;
  }

  private void onAppendEntries(AppendEntries append) {
    if (append.prevLogIndex() < log.committed()) {
      // Everything up to our commit index matches the leader already.
      send(new AppendResponse(id, append.from(), term, true, log.committed(), 0, 0));
      return;
    }
    long lastNewIndex =
        log.maybeAppend(append.prevLogIndex(), append.prevLogTerm(), append.entries());
    if (lastNewIndex >= 0) {
      log.commitTo(Math.min(append.leaderCommit(), lastNewIndex));
      send(new AppendResponse(id, append.from(), term, true, lastNewIndex, 0, 0));
      return;
    }
    long hintIndex =
        log.findConflictByTerm(
            Math.min(append.prevLogIndex(), log.lastIndex()), append.prevLogTerm());
    long hintTerm = Math.max(0, log.term(hintIndex));
    send(
        new AppendResponse(
            id, append.from(), term, false, append.prevLogIndex(), hintIndex, hintTerm));
  }

  private void onHeartbeat(Heartbeat heartbeat) {
    // The leader sends min(its commit, our match), so our log holds that much of its log.
    log.commitTo(Math.min(heartbeat.commit(), log.lastIndex()));
    send(
        new HeartbeatResponse(
            id, heartbeat.from(), term, heartbeat.readRound(), heartbeat.sentAtTick()));
  }

  private void onInstallSnapshot(InstallSnapshot install) {
    Snapshot snapshot = install.snapshot();
    if (snapshot.index() <= log.committed()) {
      send(new AppendResponse(id, install.from(), term, true, log.committed(), 0, 0));
      return;
    }
    if (log.matchTerm(snapshot.index(), snapshot.term())) {
      // Our log already holds the snapshot's last entry: keep the entries after it.
      log.commitTo(snapshot.index());
    } else {
      log.restore(snapshot);
    }
    send(new AppendResponse(id, install.from(), term, true, snapshot.index(), 0, 0));
  }

  // ---------------------------------------------------------------------------------------------
  // Leaders

  private void tickLeader() {
    heartbeatElapsedTicks++;
    electionElapsedTicks++;
    if (electionElapsedTicks >= config.electionTimeoutTicks()) {
      electionElapsedTicks = 0;
      if (config.checkQuorum() && !quorumActive()) {
        becomeFollower(term, 0);
        return;
      }
      if (transferee != 0) {
        transferee = 0;
      }
    }
    for (Map.Entry<Long, Progress> entry : progress.entrySet()) {
      Progress memberProgress = entry.getValue();
      if (memberProgress.state == Progress.State.SNAPSHOT
          && ++memberProgress.snapshotElapsedTicks >= config.electionTimeoutTicks()) {
        // The snapshot or its answer was lost: probe again, which sends it again if still needed.
        memberProgress.becomeProbe();
      }
    }
    if (heartbeatElapsedTicks >= config.heartbeatIntervalTicks()) {
      heartbeatElapsedTicks = 0;
      broadcastHeartbeat();
    }
  }

  /** Whether a quorum was heard from since the last check; starts a new check period. */
  private boolean quorumActive() {
    int active = 0;
    for (long voter : log.configuration().voters()) {
      Progress memberProgress = progress.get(voter);
      if (voter == id || (memberProgress != null && memberProgress.recentActive)) {
        active++;
      }
    }
    for (Map.Entry<Long, Progress> entry : progress.entrySet()) {
      entry.getValue().recentActive = entry.getKey() == id;
    }
    return active >= log.configuration().quorum();
  }

  private void stepLeader(Message message) {
    Progress memberProgress = progress.get(message.from());
    switch (message) {
      case AppendResponse response -> {
        if (memberProgress != null) {
          onAppendResponse(response, memberProgress);
        }
      }
      case HeartbeatResponse response -> {
        if (memberProgress != null) {
          onHeartbeatResponse(response, memberProgress);
        }
      }
      case ReadIndexRequest request -> leaderRead(request.from(), request.requestId());
      case AppendEntries append -> throw twoLeaders(append);
      case Heartbeat heartbeat -> throw twoLeaders(heartbeat);
      case InstallSnapshot install -> throw twoLeaders(install);
      case VoteRequest request ->
          throw new IllegalStateException("vote requests are handled first");
      case VoteResponse response -> {
        // Late votes of the election already won.
      }
      case TimeoutNow timeoutNow -> {
        // Already leader.
      }
      case ReadIndexResponse response -> {
        // Answers a request made while following; the leader of this term is this node, so the
        // answer comes from nowhere valid: drop it.
      }
    }
  }

  private IllegalStateException twoLeaders(Message message) {
    return new IllegalStateException(
        "election safety violated: node " + id + " leads term " + term + " and got " + message);
  }

  private void onAppendResponse(AppendResponse response, Progress memberProgress) {
    memberProgress.recentActive = true;
    if (!response.success()) {
      long nextProbe = response.hintIndex();
      if (response.hintTerm() > 0) {
        nextProbe = log.findConflictByTerm(response.hintIndex(), response.hintTerm());
      }
      if (memberProgress.maybeDecrementTo(response.index(), nextProbe)) {
        if (memberProgress.state == Progress.State.REPLICATE) {
          memberProgress.becomeProbe();
        }
        sendAppend(response.from());
      }
      return;
    }
    if (response.index() > log.lastIndex()) {
      throw new IllegalStateException(
          "member "
              + response.from()
              + " acknowledged index "
              + response.index()
              + " beyond leader's last "
              + log.lastIndex());
    }
    boolean wasPaused = memberProgress.isPaused();
    if (!memberProgress.maybeUpdate(response.index())) {
      return;
    }
    switch (memberProgress.state) {
      case PROBE -> memberProgress.becomeReplicate();
      case SNAPSHOT -> {
        if (memberProgress.match + 1 >= log.firstIndex()) {
          memberProgress.becomeProbe();
          memberProgress.becomeReplicate();
        }
      }
      case REPLICATE -> memberProgress.inflights.freeTo(response.index());
    }
    if (!leaderMaybeCommit() && wasPaused) {
      sendAppend(response.from());
    }
    if (role != Role.LEADER) {
      return;
    }
    while (maybeSendAppend(response.from(), false)) {
      // Stream while the flow control allows.
    }
    if (response.from() == transferee && memberProgress.match == log.lastIndex()) {
      sendTimeoutNow(transferee);
    }
  }

  private void onHeartbeatResponse(HeartbeatResponse response, Progress memberProgress) {
    memberProgress.recentActive = true;
    memberProgress.probeSent = false;
    memberProgress.readRoundAcknowledged =
        Math.max(memberProgress.readRoundAcknowledged, response.readRound());
    memberProgress.leaseTickAcknowledged =
        Math.max(memberProgress.leaseTickAcknowledged, response.sentAtTick());
    if (memberProgress.state == Progress.State.REPLICATE && memberProgress.inflights.isFull()) {
      // An append or its answer may be lost: let one more through, which a gap turns into a probe.
      memberProgress.inflights.freeFirstOne();
    }
    if (memberProgress.match < log.lastIndex()) {
      sendAppend(response.from());
    }
    releaseConfirmedReads();
  }

  private Submission.Rejected checkCanPropose(long sizeBytes) {
    if (role != Role.LEADER) {
      return new Submission.Rejected(RejectReason.NOT_LEADER, leader);
    }
    if (transferee != 0) {
      return new Submission.Rejected(RejectReason.LEADERSHIP_TRANSFER_IN_PROGRESS, leader);
    }
    if (sizeBytes > config.entryBytesMax()) {
      return new Submission.Rejected(RejectReason.ENTRY_TOO_LARGE, leader);
    }
    if (uncommittedBytes > 0 && uncommittedBytes + sizeBytes > config.uncommittedBytesMax()) {
      return new Submission.Rejected(RejectReason.TOO_MANY_UNCOMMITTED_BYTES, leader);
    }
    return null;
  }

  private Entry appendAsLeader(EntryType type, byte[] data) {
    Entry entry = new Entry(log.lastIndex() + 1, term, type, data);
    log.append(entry);
    uncommittedBytes += entry.sizeBytes();
    if (type == EntryType.CONFIGURATION) {
      syncProgressWithConfiguration();
    }
    return entry;
  }

  /** Tracks exactly the members of the configuration in force, and this node. */
  private void syncProgressWithConfiguration() {
    Configuration configuration = log.configuration();
    for (long member : configuration.members()) {
      if (!progress.containsKey(member)) {
        Progress added = newProgress(member);
        // Counted active, so that a check-quorum right after the change does not depose us.
        added.recentActive = true;
        progress.put(member, added);
      }
    }
    progress.keySet().removeIf(member -> member != id && !configuration.contains(member));
    if (transferee != 0 && !configuration.isVoter(transferee)) {
      transferee = 0;
    }
  }

  private boolean committedInCurrentTerm() {
    return log.term(log.committed()) == term;
  }

  /**
   * Commits the highest index stored by a quorum of voters, if its entry is of this term (an older
   * term's entry is committed only indirectly: paper Figure 8). Returns whether the commit index
   * moved.
   */
  private boolean leaderMaybeCommit() {
    Configuration configuration = log.configuration();
    long[] matches = new long[configuration.voters().size()];
    int i = 0;
    for (long voter : configuration.voters()) {
      Progress voterProgress = progress.get(voter);
      matches[i++] = voterProgress == null ? 0 : voterProgress.match;
    }
    Arrays.sort(matches);
    long quorumIndex = matches[matches.length - configuration.quorum()];
    long oldCommit = log.committed();
    if (quorumIndex <= oldCommit || log.term(quorumIndex) != term) {
      return false;
    }
    log.commitTo(quorumIndex);
    for (long index = oldCommit + 1; index <= quorumIndex; index++) {
      Entry entry = log.entry(index);
      if (entry.term() == term) {
        uncommittedBytes = Math.max(0, uncommittedBytes - entry.sizeBytes());
      }
    }
    broadcastAppend();
    while (!readsAwaitingCommit.isEmpty()) {
      PendingRead read = readsAwaitingCommit.removeFirst();
      serveRead(read.origin(), read.requestId());
    }
    if (!configuration.isVoter(id) && log.committed() >= log.lastConfigurationIndex()) {
      // This leader's removal (or demotion) is committed: it stops leading (thesis §4.2.2), and
      // hands over to the most up-to-date voter so the group need not wait out an election
      // timeout (its voters, hearing from this leader, would ignore other candidates until then).
      long successor = 0;
      long successorMatch = -1;
      for (long voter : configuration.voters()) {
        Progress voterProgress = progress.get(voter);
        if (voterProgress != null && voterProgress.match > successorMatch) {
          successor = voter;
          successorMatch = voterProgress.match;
        }
      }
      if (successor != 0 && successorMatch == log.lastIndex()) {
        sendTimeoutNow(successor);
      }
      becomeFollower(term, 0);
    }
    return true;
  }

  private void broadcastAppend() {
    for (long member : progress.keySet()) {
      if (member != id) {
        sendAppend(member);
      }
    }
  }

  private void broadcastHeartbeat() {
    for (Map.Entry<Long, Progress> entry : progress.entrySet()) {
      if (entry.getKey() != id) {
        long commit = Math.min(entry.getValue().match, log.committed());
        send(new Heartbeat(id, entry.getKey(), term, commit, readRound, tickCount));
      }
    }
  }

  private void sendAppend(long member) {
    maybeSendAppend(member, true);
  }

  /**
   * Sends {@code member} the entries after what it has, or the snapshot if those are compacted,
   * unless its flow control says wait. With {@code sendIfEmpty} false, sends only if there are
   * entries. Returns whether it sent.
   */
  private boolean maybeSendAppend(long member, boolean sendIfEmpty) {
    Progress memberProgress = progress.get(member);
    if (memberProgress == null || memberProgress.isPaused()) {
      return false;
    }
    long prevIndex = memberProgress.next - 1;
    long prevTerm = log.term(prevIndex);
    if (prevTerm == RaftLog.UNKNOWN_TERM) {
      if (!memberProgress.recentActive) {
        return false;
      }
      Snapshot snapshot = log.snapshot();
      send(new InstallSnapshot(id, member, term, snapshot));
      memberProgress.becomeSnapshot(snapshot.index());
      return true;
    }
    List<Entry> entries =
        memberProgress.next > log.lastIndex()
            ? List.of()
            : log.slice(memberProgress.next, log.lastIndex(), config.appendBytesMax());
    if (entries.isEmpty() && !sendIfEmpty) {
      return false;
    }
    long bytes = 0;
    for (Entry entry : entries) {
      bytes += entry.sizeBytes();
    }
    send(new AppendEntries(id, member, term, prevIndex, prevTerm, entries, log.committed()));
    memberProgress.sentAppend(
        entries.size(), entries.isEmpty() ? prevIndex : entries.getLast().index(), bytes);
    return true;
  }

  private void sendTimeoutNow(long member) {
    leaseForfeited = true;
    send(new TimeoutNow(id, member, term));
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  private Submission leaderRead(long origin, long requestId) {
    if (transferee != 0) {
      return new Submission.Rejected(RejectReason.LEADERSHIP_TRANSFER_IN_PROGRESS, leader);
    }
    if (pendingReads.size() + readsAwaitingCommit.size() >= config.pendingReadsMax()) {
      return new Submission.Rejected(RejectReason.TOO_MANY_PENDING_READS, leader);
    }
    if (!committedInCurrentTerm()) {
      // Until its first entry commits, a new leader does not know the commit index.
      readsAwaitingCommit.addLast(new PendingRead(origin, requestId, 0, 0));
    } else {
      serveRead(origin, requestId);
    }
    return new Submission.Accepted(0, term);
  }

  private void serveRead(long origin, long requestId) {
    if (config.leaseReads() && leaseValid()) {
      answerRead(origin, requestId, log.committed());
      return;
    }
    readRound++;
    pendingReads.addLast(new PendingRead(origin, requestId, log.committed(), readRound));
    broadcastHeartbeat();
    releaseConfirmedReads();
  }

  /**
   * Whether a quorum of voters acknowledged a heartbeat sent less than {@link
   * RaftConfig#leaseDurationTicks()} ago: none of them will vote for another leader until an
   * election timeout after receiving it, so no other leader can exist yet (given the clock
   * assumption in {@link RaftConfig#leaseReads()}).
   */
  private boolean leaseValid() {
    if (leaseForfeited || transferee != 0) {
      return false;
    }
    long leaseStart =
        quorumValue(memberProgress -> memberProgress.leaseTickAcknowledged, tickCount);
    return leaseStart >= 0 && tickCount < leaseStart + config.leaseDurationTicks();
  }

  /** Answers, in order, every pending read whose round a quorum of voters has acknowledged. */
  private void releaseConfirmedReads() {
    if (pendingReads.isEmpty()) {
      return;
    }
    long confirmedRound =
        quorumValue(memberProgress -> memberProgress.readRoundAcknowledged, readRound);
    while (!pendingReads.isEmpty() && pendingReads.peekFirst().round() <= confirmedRound) {
      PendingRead read = pendingReads.removeFirst();
      answerRead(read.origin(), read.requestId(), read.index());
    }
  }

  /**
   * The largest value that a quorum of voters has reached, {@code selfValue} standing for this
   * node; -1 if a voter has no progress.
   */
  private long quorumValue(java.util.function.ToLongFunction<Progress> value, long selfValue) {
    Configuration configuration = log.configuration();
    long[] values = new long[configuration.voters().size()];
    int i = 0;
    for (long voter : configuration.voters()) {
      Progress voterProgress = progress.get(voter);
      values[i++] =
          voter == id ? selfValue : voterProgress == null ? -1 : value.applyAsLong(voterProgress);
    }
    Arrays.sort(values);
    return values[values.length - configuration.quorum()];
  }

  private void answerRead(long origin, long requestId, long index) {
    if (origin == id) {
      readStates.add(new ReadState(requestId, index));
    } else {
      send(new ReadIndexResponse(id, origin, term, requestId, index));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private void send(Message message) {
    outbox.add(message);
  }

  private SoftState currentSoftState() {
    return new SoftState(role, leader);
  }

  private HardState currentHardState() {
    return new HardState(term, vote, log.committed());
  }

  private void checkNotAwaitingAdvance() {
    if (awaitingAdvance) {
      throw new IllegalStateException(
          "called between ready() and advance(): handle the Ready first");
    }
  }
}
