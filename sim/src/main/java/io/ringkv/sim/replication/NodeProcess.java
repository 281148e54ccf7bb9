package io.ringkv.sim.replication;

import io.ringkv.cluster.hints.HintBatch;
import io.ringkv.cluster.membership.PhiAccrualFailureDetector;
import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.replication.Effects;
import io.ringkv.cluster.replication.Hint;
import io.ringkv.cluster.replication.LocalReplica;
import io.ringkv.cluster.replication.Outcome;
import io.ringkv.cluster.replication.ReadCoordination;
import io.ringkv.cluster.replication.ReplicaLatencies;
import io.ringkv.cluster.replication.ReplicaReply;
import io.ringkv.cluster.replication.ReplicaRequest;
import io.ringkv.cluster.replication.Send;
import io.ringkv.cluster.replication.StandIns;
import io.ringkv.cluster.replication.WriteCoordination;
import io.ringkv.cluster.ring.ImpossiblePlan;
import io.ringkv.cluster.ring.KeyCodec;
import io.ringkv.cluster.ring.ReplicaPlan;
import io.ringkv.cluster.ring.ReplicaPlanResult;
import io.ringkv.cluster.ring.Token;
import io.ringkv.cluster.version.Actor;
import io.ringkv.cluster.version.CausalCells;
import io.ringkv.cluster.version.CausalFormatException;
import io.ringkv.cluster.version.CausalOperation;
import io.ringkv.cluster.version.Dot;
import io.ringkv.cluster.version.DvvSet;
import io.ringkv.cluster.version.Hlc;
import io.ringkv.cluster.version.OrSet;
import io.ringkv.cluster.version.PeerClocks;
import io.ringkv.cluster.version.Sibling;
import io.ringkv.cluster.version.VersionVector;
import io.ringkv.sim.SimTime;
import io.ringkv.storage.Cell;
import io.ringkv.storage.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * One process of a simulated node: the driver of the pure replication handlers, doing in the
 * simulator what the server does over sockets. It owns what a process loses in a crash: the hybrid
 * logical clock, the coordinations in progress, the requests awaiting replies, the failure detector
 * (fed by pings), the peer clock estimates and the read latency windows.
 *
 * <p>The driver's loop, for each input (a client request, a message, a refusal, a timer): call the
 * handler, then carry out its {@link Effects} in order: <b>store</b> the hints (before anything is
 * sent, so that a write acknowledged at ANY is kept), <b>send</b> the requests (to itself through
 * its {@link LocalReplica}, to others through the network, each with a request id and its HLC),
 * <b>answer</b> the client once. A coordination is forgotten when its handler says it is finished,
 * or at its timeout, when its requests still awaiting replies are forgotten too.
 *
 * <p>Invariants: request ids carry the process's incarnation, so a reply meant for an earlier
 * process is never taken for one of this process's requests; a reply is taken only from the node
 * the request went to; every coordination has a timeout scheduled; the HLC merges the clock of
 * every message received and the session timestamp of every client request.
 *
 * <p>Bounds: at most {@link NodeSettings#coordinationsMax()} coordinations at once (more are
 * refused as overloaded); replies are only awaited for coordinations alive, which time out.
 *
 * <p>Not thread-safe: runs on the simulation's one thread.
 */
public final class NodeProcess {
  /** The time a request to the node itself takes (a local call, scheduled to avoid reentrancy). */
  static final long LOCAL_CALL_NANOS = 20 * SimTime.MICROSECOND_NANOS;

  /** A request sent and not answered yet. */
  private record Outstanding(
      Coordination owner,
      NodeId target,
      long sentTrueNanos,
      long sentLocalNanos,
      HintBatch hintBatch) {}

  private final ReplicaNode node;
  private final ReplicatedCluster cluster;
  private final NodeSettings settings;
  private final ReplicationCounters counters;
  private final Hlc hlc = new Hlc();
  private final LocalReplica replica;
  private final NodeHints hints;
  private final PhiAccrualFailureDetector detector;
  private final PeerClocks peerClocks;
  private final ReplicaLatencies latencies;
  private final TreeMap<String, Long> lastPongLocalNanos = new TreeMap<>();
  private final TreeMap<Long, Outstanding> outstanding = new TreeMap<>();
  private final TreeMap<Long, Coordination> coordinations = new TreeMap<>();
  private final long idBase;
  private long nextId;
  private long nextCoordinationId;

  NodeProcess(ReplicaNode node, ReplicatedCluster cluster, NodeHints hints) {
    this.node = node;
    this.cluster = cluster;
    this.settings = cluster.settings();
    this.counters = cluster.counters();
    this.hints = hints;
    // The actor's incarnation is the process's: bumped on every start, so a node that lost unsynced
    // writes in a crash never reuses a dot (docs/design/causal.md, "Actors").
    this.replica =
        new LocalReplica(
            node.engine(),
            settings.durability(),
            this::storeStandInHint,
            node::wallMillisNow,
            LocalReplica.DEFAULT_SCAN_REPLY_BYTES_MAX,
            new Actor(node.id(), node.incarnation()),
            DvvSet.SIBLINGS_MAX_DEFAULT,
            CausalWorkload.OBJECT_BYTES_MAX);
    this.detector = new PhiAccrualFailureDetector(settings.detector());
    this.peerClocks =
        new PeerClocks(settings.maxClockSkewMillis(), 10 * settings.pingIntervalNanos());
    this.latencies =
        new ReplicaLatencies(
            settings.speculativePercentile(),
            settings.speculativeFloorNanos(),
            Math.max(settings.speculativeFloorNanos(), settings.readTimeoutNanos() / 2));
    this.idBase = (long) node.incarnation() << 40;
  }

  // --- queries, for checkers and tests ---

  /** The nodes this process's failure detector holds up, itself included. */
  public Set<NodeId> alive() {
    Set<NodeId> alive = new TreeSet<>();
    alive.add(node.id());
    for (String peer : cluster.names()) {
      if (!peer.equals(node.name()) && detector.isUp(peer)) {
        alive.add(cluster.node(peer).id());
      }
    }
    return alive;
  }

  /** Whether this process's failure detector holds {@code peer} up. */
  public boolean seesUp(String peer) {
    return peer.equals(node.name()) || detector.isUp(peer);
  }

  /** Why this node refuses to coordinate writes now, if it does. */
  public Optional<String> clockRefusal() {
    return peerClocks.refusal(node.localNanos());
  }

  public Hlc hlc() {
    return hlc;
  }

  /** The process's hint store and delivery schedule. */
  NodeHints hints() {
    return hints;
  }

  /** Coordinations in progress. */
  public int coordinationsInProgress() {
    return coordinations.size();
  }

  /** Requests sent and not answered or forgotten yet (coordinations' and hint batches'). */
  public int outstandingRequests() {
    return outstanding.size();
  }

  // --- client requests ---

  /**
   * Coordinates {@code request}; {@code answer} hears the outcome once (unless the process dies).
   */
  void coordinate(ClientRequest request, Consumer<ClientOutcome> answer) {
    long local = node.localNanos();
    long wall = node.wallMillisNow();
    if (coordinations.size() >= settings.coordinationsMax()) {
      counters.refusedOverload++;
      answer(answer, new ClientOutcome(ClientOutcome.Kind.REFUSED, null, 0, "overloaded"));
      return;
    }
    byte[] userKey = request.key().getBytes(StandardCharsets.UTF_8);
    Token token = Token.forKey(userKey);
    byte[] key = KeyCodec.encode(token, KeyCodec.DEFAULT_TAG, userKey); // clients use default
    ClusterMetadata metadata = cluster.metadata();
    Keyspace keyspace = metadata.keyspace(Keyspace.DEFAULT_NAME).orElseThrow();
    if (request.sessionTimestamp() > 0) {
      hlc.observe(request.sessionTimestamp(), wall);
    }
    long coordinationId = ++nextCoordinationId;
    if (request.isRead()) {
      ReplicaPlanResult planned =
          ReplicaPlan.forRead(metadata, keyspace.name(), token, request.level(), node.id());
      if (planned instanceof ImpossiblePlan impossible) {
        answer(
            answer, new ClientOutcome(ClientOutcome.Kind.REFUSED, null, 0, impossible.message()));
        return;
      }
      boolean repairAll = node.rng().chance(settings.backgroundRepairChance());
      ReadCoordination read = new ReadCoordination(planned.orElseThrow(), key, alive(), repairAll);
      counters.readsCoordinated++;
      Coordination coordination = new Coordination.Read(coordinationId, request, read, answer);
      begin(coordination, read.start(), settings.readTimeoutNanos());
      if (!coordination.retired && !read.contacted().isEmpty()) {
        NodeId first = read.contacted().iterator().next();
        long speculateAfter = latencies.speculateAfterNanos(first);
        if (speculateAfter >= 0 && speculateAfter < settings.readTimeoutNanos()) {
          cluster.schedule(
              node,
              speculateAfter,
              () -> {
                if (!coordination.retired) {
                  Effects effects = coordination.handler().onSpeculate();
                  if (!effects.isEmpty()) {
                    counters.speculativeReads++;
                  }
                  apply(coordination, effects);
                }
              });
        }
      }
      return;
    }
    Optional<String> refusal = peerClocks.refusal(local);
    if (refusal.isPresent()) {
      counters.refusedSkew++;
      answer(answer, new ClientOutcome(ClientOutcome.Kind.REFUSED, null, 0, refusal.get()));
      return;
    }
    ReplicaPlanResult planned =
        ReplicaPlan.forWrite(metadata, keyspace.name(), token, request.level(), node.id());
    if (planned instanceof ImpossiblePlan impossible) {
      answer(answer, new ClientOutcome(ClientOutcome.Kind.REFUSED, null, 0, impossible.message()));
      return;
    }
    ReplicaPlan plan = planned.orElseThrow();
    long timestamp = hlc.now(wall);
    if (request.kind().isCausal()) {
      List<NodeId> causalStandIns =
          keyspace.sloppyQuorum() ? StandIns.of(metadata.ring(), token, plan.nodes()) : List.of();
      WriteCoordination causal =
          WriteCoordination.causal(
              plan,
              key,
              causalOperation(request),
              timestamp,
              alive(),
              causalStandIns,
              keyspace.sloppyQuorum(),
              settings.hintsEnabled());
      counters.writesCoordinated++;
      Coordination coordination =
          new Coordination.Write(coordinationId, request, causal, timestamp, answer);
      // Two round trips when the dot replica is another node (the update, then the fan-out of its
      // cell), so twice the write timeout (docs/design/causal.md, "End to end").
      begin(coordination, causal.start(), 2 * settings.writeTimeoutNanos());
      return;
    }
    Cell cell =
        request.kind() == ClientRequest.Kind.WRITE
            ? Cell.value(request.value().getBytes(StandardCharsets.UTF_8), timestamp)
            : Cell.tombstone(timestamp).stampDeletionTime(wall);
    if (request.ttlMillis() > 0) {
      cell = cell.withExpiry(wall + request.ttlMillis());
    }
    List<NodeId> standIns =
        keyspace.sloppyQuorum() ? StandIns.of(metadata.ring(), token, plan.nodes()) : List.of();
    WriteCoordination write =
        new WriteCoordination(
            plan, key, cell, alive(), standIns, keyspace.sloppyQuorum(), settings.hintsEnabled());
    counters.writesCoordinated++;
    Coordination coordination =
        new Coordination.Write(coordinationId, request, write, timestamp, answer);
    begin(coordination, write.start(), settings.writeTimeoutNanos());
    counters.standInWrites += write.standInsUsed();
  }

  private void begin(Coordination coordination, Effects started, long timeoutNanos) {
    coordinations.put(coordination.id, coordination);
    cluster
        .simulation()
        .trace(node.name() + " coordinate c" + coordination.id + " " + coordination.describe());
    cluster.schedule(
        node,
        timeoutNanos,
        () -> {
          if (!coordination.retired) {
            apply(coordination, coordination.handler().onTimeout());
            retire(coordination);
          }
        });
    apply(coordination, started);
  }

  // --- messages ---

  /** A message from {@code from} arrived. */
  void receive(String from, ReplicaMessage message) {
    long wall = node.wallMillisNow();
    hlc.observe(message.hlc(), wall);
    switch (message) {
      case ReplicaMessage.Request request -> serve(cluster.node(from).id(), request);
      case ReplicaMessage.Reply reply -> onReply(cluster.node(from).id(), reply);
      case ReplicaMessage.Ping ping ->
          cluster.send(
              node.name(), from, new ReplicaMessage.Pong(ping.sentWallMillis(), wall, hlc.last()));
      case ReplicaMessage.Pong pong -> {
        long local = node.localNanos();
        detector.report(from, local);
        lastPongLocalNanos.put(from, local);
        peerClocks.sample(from, pong.pingWallMillis(), pong.wallMillis(), wall, local);
      }
    }
  }

  /**
   * A connection to {@code destination} attempted at true time {@code attemptNanos} was refused:
   * every request sent to it until then fails (the connection is reset), and the detector convicts
   * it at once, unless a pong arrived since the attempt (the refusal is for a process that has
   * since been replaced: the server's rule, docs/design/simulator.md).
   */
  void refused(String destination, long attemptNanos) {
    NodeId target = cluster.node(destination).id();
    long local = node.localNanos();
    long attemptLocal = local - (cluster.simulation().nowNanos() - attemptNanos);
    List<Long> failedIds = new ArrayList<>();
    for (Map.Entry<Long, Outstanding> entry : outstanding.entrySet()) {
      Outstanding sent = entry.getValue();
      if (sent.target().equals(target) && sent.sentTrueNanos() <= attemptNanos) {
        failedIds.add(entry.getKey());
      }
    }
    for (long id : failedIds) {
      Outstanding sent = outstanding.remove(id);
      if (sent == null) {
        continue; // forgotten when an earlier failure finished its coordination
      }
      if (sent.hintBatch() != null) {
        counters.hintBatchesFailed++;
        hints.failed(target, local);
      } else if (!sent.owner().retired) {
        apply(sent.owner(), sent.owner().handler().onFailed(target, "connection refused"));
      }
    }
    Long lastPong = lastPongLocalNanos.get(destination);
    if (lastPong != null && attemptLocal < lastPong) {
      counters.staleRefusals++;
      return;
    }
    counters.refusedConnections++;
    detector
        .convict(destination, local, settings.refusalHoldNanos())
        .ifPresent(
            transition -> {
              counters.detectorDowns++;
              cluster.simulation().trace(node.name() + " sees " + destination + " down (refused)");
            });
  }

  private static CausalOperation causalOperation(ClientRequest request) {
    byte[] value = request.value().getBytes(StandardCharsets.UTF_8);
    return switch (request.kind()) {
      case CAUSAL_WRITE -> new CausalOperation.Put(request.causalContext(), value);
      case COUNTER_INCREMENT ->
          new CausalOperation.Increment(
              Long.parseLong(request.value()),
              request.idempotencyKey() == null
                  ? null
                  : request.idempotencyKey().getBytes(StandardCharsets.UTF_8));
      case SET_ADD -> new CausalOperation.SetAdd(List.of(value));
      case SET_REMOVE -> new CausalOperation.SetRemove(List.of(value), null);
      case READ, WRITE, DELETE ->
          throw new IllegalArgumentException("not a causal request: " + request.kind());
    };
  }

  /**
   * Notes an applied causal write in the cluster's {@link CausalLedger}: the ground truth the
   * causal checker judges by, taken outside the protocol (the dot and the context it superseded).
   */
  private void recordCausal(ReplicaRequest.CausalUpdate update, Cell before, ReplicaReply reply) {
    if (!(reply instanceof ReplicaReply.CausalApplied applied)) {
      return;
    }
    String userKey = ReplicaMessage.key(update.key());
    cluster.causalLedger().noteObjectBytes(applied.cell().value().length);
    try {
      switch (update.operation()) {
        case CausalOperation.Increment increment -> {
          cluster
              .causalLedger()
              .recordIncrement(
                  userKey,
                  increment.delta(),
                  increment.idempotencyKey() == null
                      ? null
                      : new String(increment.idempotencyKey(), StandardCharsets.UTF_8),
                  applied.duplicate(),
                  replica.actor());
          return;
        }
        case CausalOperation.IncrementDecimal increment -> {
          // The simulated workload sends integer increments only; nothing to record.
          return;
        }
        case CausalOperation.SetAdd add -> {
          recordSet(userKey, add.elements().get(0), before, applied.cell(), true);
          return;
        }
        case CausalOperation.SetRemove remove -> {
          recordSet(userKey, remove.elements().get(0), before, applied.cell(), false);
          return;
        }
        case CausalOperation.Put put -> {}
        case CausalOperation.Delete delete -> {
          return;
        }
      }
      CausalOperation.Put put = (CausalOperation.Put) update.operation();
      DvvSet previous =
          CausalCells.isCausal(before) ? CausalCells.register(before) : DvvSet.empty();
      DvvSet after = CausalCells.register(applied.cell());
      VersionVector superseded = put.context() != null ? put.context() : previous.context();
      Actor actor = replica.actor();
      Dot dot = new Dot(actor, Math.max(1, after.context().get(actor)));
      for (Sibling sibling : after.siblings()) {
        if (sibling.dot().equals(dot)
            && !previous.context().covers(dot)
            && sibling.sameContents(put.value())) {
          cluster
              .causalLedger()
              .record(
                  ReplicaMessage.key(update.key()),
                  new String(put.value(), StandardCharsets.UTF_8),
                  dot,
                  superseded);
          return;
        }
      }
      // No new dot: the value equalled a sibling the write did not cover (a duplicate delivery).
      cluster
          .causalLedger()
          .record(
              ReplicaMessage.key(update.key()),
              new String(put.value(), StandardCharsets.UTF_8),
              null,
              superseded);
    } catch (CausalFormatException e) {
      throw new IllegalStateException("a causal cell this replica wrote does not decode", e);
    }
  }

  /** Notes a set add or remove: the dots of the element it observed, and the dot it added. */
  private void recordSet(String key, byte[] element, Cell before, Cell after, boolean add)
      throws CausalFormatException {
    OrSet previous = CausalCells.isCausal(before) ? CausalCells.set(before) : OrSet.empty();
    Set<Dot> observed = dotsOf(previous, element);
    Dot added = null;
    if (add) {
      Set<Dot> now = dotsOf(CausalCells.set(after), element);
      now.removeAll(observed);
      added = now.size() == 1 ? now.iterator().next() : null;
    }
    cluster
        .causalLedger()
        .recordSet(key, new String(element, StandardCharsets.UTF_8), added, observed);
  }

  private static Set<Dot> dotsOf(OrSet set, byte[] element) {
    for (Map.Entry<byte[], NavigableSet<Dot>> entry : set.dots()) {
      if (Arrays.equals(entry.getKey(), element)) {
        return new TreeSet<>(entry.getValue());
      }
    }
    return new TreeSet<>();
  }

  private void serve(NodeId from, ReplicaMessage.Request request) {
    ReplicaReply reply = null;
    String error = null;
    try {
      Cell before =
          request.request() instanceof ReplicaRequest.CausalUpdate update
              ? replica.read(update.key())
              : null;
      reply = replica.handle(request.request());
      if (request.request() instanceof ReplicaRequest.CausalUpdate update) {
        recordCausal(update, before, reply);
      }
    } catch (StorageException e) {
      if (node.engine().hasFailed()) {
        cluster.failStop(node, e.getMessage());
        return; // the process is gone; it answers nothing
      }
      error = e.getMessage();
    } catch (IOException e) {
      error = e.getMessage();
    }
    if (error != null) {
      counters.replicaErrors++;
    }
    ReplicaMessage.Reply answer = new ReplicaMessage.Reply(request.id(), reply, error, hlc.last());
    if (from.equals(node.id())) {
      int incarnation = node.incarnation();
      cluster.schedule(
          node,
          LOCAL_CALL_NANOS,
          () -> {
            if (node.incarnation() == incarnation) {
              onReply(from, answer);
            }
          });
    } else {
      cluster.send(node.name(), from.value(), answer);
    }
  }

  private void onReply(NodeId from, ReplicaMessage.Reply reply) {
    Outstanding sent = outstanding.get(reply.id());
    if (sent == null || !sent.target().equals(from)) {
      return; // late, duplicated, or for a coordination forgotten at its timeout
    }
    outstanding.remove(reply.id());
    if (sent.hintBatch() != null) {
      if (reply.reply() != null) {
        counters.hintsDelivered += sent.hintBatch().cells().size();
        try {
          hints.delivered(sent.hintBatch());
        } catch (IOException e) {
          cluster.simulation().trace(node.name() + " hint store failed: " + e.getMessage());
        }
      } else {
        counters.hintBatchesFailed++;
        hints.failed(from, node.localNanos());
      }
      return;
    }
    Coordination owner = sent.owner();
    if (owner.retired) {
      return;
    }
    Effects effects;
    if (reply.reply() == null) {
      effects = owner.handler().onFailed(from, reply.error());
    } else {
      effects =
          switch (reply.reply()) {
            case ReplicaReply.Written written -> owner.handler().onAnswer(from, written);
            case ReplicaReply.ReadResult result -> {
              latencies.record(from, node.localNanos() - sent.sentLocalNanos());
              yield owner.handler().onAnswer(from, result);
            }
            case ReplicaReply.ScanResult result -> Effects.none();
            case ReplicaReply.CausalApplied applied -> owner.handler().onAnswer(from, applied);
            case ReplicaReply.CausalRefused refused -> owner.handler().onAnswer(from, refused);
          };
    }
    apply(owner, effects);
  }

  // --- effects ---

  private void apply(Coordination coordination, Effects effects) {
    boolean hintNotKept = false;
    for (Hint hint : effects.hints()) {
      if (!storeHint(hint)) {
        hintNotKept = true;
      }
    }
    for (Send send : effects.sends()) {
      send(coordination, send);
    }
    if (effects.outcome().isPresent()) {
      Outcome outcome = effects.outcome().get();
      ClientOutcome answer = coordination.toClient(outcome, hintNotKept);
      switch (answer.kind()) {
        case UNAVAILABLE -> counters.unavailable++;
        case TIMED_OUT -> counters.timedOut++;
        default -> {}
      }
      cluster.simulation().trace(node.name() + " c" + coordination.id + " " + answer);
      answer(coordination.answer, answer);
    }
    if (coordination.handler().isFinished()) {
      retire(coordination);
    }
  }

  private void retire(Coordination coordination) {
    if (coordination.retired) {
      return;
    }
    coordination.retired = true;
    coordination.collectFigures(counters);
    coordinations.remove(coordination.id);
    for (long id : coordination.requestIds) {
      outstanding.remove(id);
    }
  }

  private void send(Coordination coordination, Send send) {
    long id = newId();
    outstanding.put(
        id,
        new Outstanding(
            coordination, send.to(), cluster.simulation().nowNanos(), node.localNanos(), null));
    coordination.requestIds.add(id);
    ReplicaMessage.Request request = new ReplicaMessage.Request(id, send.request(), hlc.last());
    if (send.to().equals(node.id())) {
      int incarnation = node.incarnation();
      cluster.schedule(
          node,
          LOCAL_CALL_NANOS,
          () -> {
            if (node.incarnation() == incarnation) {
              serve(node.id(), request);
            }
          });
    } else {
      cluster.send(node.name(), send.to().value(), request);
    }
  }

  private boolean storeHint(Hint hint) {
    try {
      if (hints.store(hint.target(), hint.key(), hint.cell(), node.wallMillisNow())) {
        counters.hintsStored++;
        return true;
      }
    } catch (IOException e) {
      cluster.simulation().trace(node.name() + " hint store failed: " + e.getMessage());
    }
    counters.hintsNotKept++;
    return false;
  }

  private boolean storeStandInHint(NodeId target, byte[] key, Cell cell, long nowMillis)
      throws IOException {
    boolean kept = hints.store(target, key, cell, nowMillis);
    if (kept) {
      counters.hintsStored++;
    } else {
      counters.hintsNotKept++;
    }
    return kept;
  }

  private void answer(Consumer<ClientOutcome> answer, ClientOutcome outcome) {
    cluster.answerClient(answer, outcome);
  }

  // --- timers ---

  /** Pings every peer and re-evaluates the failure detector. */
  void pingTick() {
    long wall = node.wallMillisNow();
    for (String peer : cluster.names()) {
      if (!peer.equals(node.name())) {
        cluster.send(node.name(), peer, new ReplicaMessage.Ping(wall, hlc.last()));
      }
    }
    for (PhiAccrualFailureDetector.Transition transition : detector.interpret(node.localNanos())) {
      if (transition.up()) {
        counters.detectorUps++;
      } else {
        counters.detectorDowns++;
      }
      cluster
          .simulation()
          .trace(
              node.name() + " sees " + transition.endpoint() + (transition.up() ? " up" : " down"));
    }
  }

  /**
   * Sends a batch of hints to each target that is due (seen up, none in flight, not backing off,
   * within the throttle); at most one round per target per tick.
   */
  void hintTick() {
    long local = node.localNanos();
    Set<NodeId> up = alive();
    for (int round = 0; round <= cluster.names().size(); round++) {
      List<NodeId> due = hints.due(local, up);
      if (due.isEmpty()) {
        return;
      }
      for (NodeId target : due) {
        HintBatch batch;
        try {
          batch = hints.peek(target, node.wallMillisNow());
        } catch (IOException e) {
          cluster.simulation().trace(node.name() + " hint store failed: " + e.getMessage());
          return;
        }
        if (batch.isEmpty()) {
          continue; // its hints expired; the store forgot them
        }
        sendHints(batch, local);
      }
    }
  }

  private void sendHints(HintBatch batch, long local) {
    NodeId target = batch.target();
    long id = newId();
    outstanding.put(
        id, new Outstanding(null, target, cluster.simulation().nowNanos(), local, batch));
    hints.sent(batch, local);
    cluster.send(
        node.name(),
        target.value(),
        new ReplicaMessage.Request(id, new ReplicaRequest.WriteBatch(batch.cells()), hlc.last()));
    cluster.schedule(
        node,
        settings.writeTimeoutNanos(),
        () -> {
          if (outstanding.remove(id) != null) {
            counters.hintBatchesFailed++;
            hints.failed(target, node.localNanos());
          }
        });
  }

  /** The PERIODIC policy's sync; a failed fsync stops the node. */
  void periodicSync() {
    try {
      node.engine().periodicSync();
    } catch (StorageException e) {
      cluster.failStop(node, e.getMessage());
      return;
    }
    try {
      hints.sync();
    } catch (IOException e) {
      cluster.simulation().trace(node.name() + " hint sync failed: " + e.getMessage());
    }
  }

  private long newId() {
    return idBase | ++nextId;
  }
}
