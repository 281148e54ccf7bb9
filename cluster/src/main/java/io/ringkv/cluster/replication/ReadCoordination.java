package io.ringkv.cluster.replication;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.ReplicaPlan;
import io.ringkv.cluster.version.CausalCells;
import io.ringkv.cluster.version.Lww;
import io.ringkv.storage.Cell;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One coordinated read, as a pure state machine (Cassandra's read executor, digest resolver and
 * blocking read repair in one): the driver calls {@link #start}, then {@link #onRead}, {@link
 * #onWritten} (repair acknowledgements) or {@link #onFailed} for each answer, {@link #onSpeculate}
 * when the speculative-retry delay passes, and {@link #onTimeout} at the read timeout.
 *
 * <p>The protocol:
 *
 * <ol>
 *   <li><b>Gather.</b> The fewest live replicas, in the plan's preference order, that can meet the
 *       level are contacted: the first gets a data read, the others digest reads (seed 000). Not
 *       enough live replicas: {@link Outcome.Unavailable}, nothing sent. A replica that fails is
 *       replaced by the next live one; one that is slow past the speculative delay gets a backup
 *       data read to the next live one. Once the answers meet the level and one carries data, the
 *       cells are reconciled by {@link Lww} (causal cells by their join, {@link
 *       CausalCells#merge}); if every digest matches the winner's, that is the answer.
 *   <li><b>Full reads.</b> On a digest mismatch, every replica that answered only a digest is asked
 *       for its full cell.
 *   <li><b>Blocking repair.</b> The winner is written back to every answering replica that does not
 *       hold it, and the answer waits for their acknowledgements, so that a value once returned at
 *       QUORUM is held by a quorum: the next QUORUM read cannot return anything older (monotonic
 *       reads).
 * </ol>
 *
 * <p>With {@code repairAllReplicas} (the driver draws it with the keyspace's background read repair
 * chance) every other live replica also gets a data read that the answer does not wait for; when
 * its cell differs from the answer, the newer cell is written where it is missing, in the
 * background.
 *
 * <p>Pure. Not thread-safe: the driver serialises calls.
 */
public final class ReadCoordination implements RequestCoordination {
  private enum Phase {
    GATHER,
    FULL,
    REPAIR,
    DONE
  }

  private enum Kind {
    DATA,
    DIGEST
  }

  private final ReplicaPlan plan;
  private final byte[] key;
  private final List<NodeId> live = new ArrayList<>();
  private final boolean repairAllReplicas;

  private final Map<NodeId, Kind> contacted = new LinkedHashMap<>();
  private final Set<NodeId> failed = new LinkedHashSet<>();
  private final Map<NodeId, Long> digests = new LinkedHashMap<>();
  private final Map<NodeId, Cell> fullCells = new HashMap<>();
  private final Set<NodeId> participants = new LinkedHashSet<>();
  private final Set<NodeId> awaitingFull = new LinkedHashSet<>();
  private final Set<NodeId> awaitingRepair = new LinkedHashSet<>();
  private final Set<NodeId> background = new LinkedHashSet<>();
  private final Map<NodeId, Cell> backgroundCells = new HashMap<>();
  private final Set<NodeId> backgroundAnswered = new LinkedHashSet<>();

  private Phase phase = Phase.GATHER;
  private boolean started;
  private boolean decided;
  private boolean timedOut;
  private boolean speculated;
  private boolean digestMismatch;
  private int repairWrites;
  private Cell winner;

  /**
   * @param plan the replicas and the level (a read plan)
   * @param key the stored key
   * @param alive the nodes the failure detector holds up now
   * @param repairAllReplicas whether the other live replicas are read and repaired in the
   *     background
   */
  public ReadCoordination(
      ReplicaPlan plan, byte[] key, Set<NodeId> alive, boolean repairAllReplicas) {
    this.plan = Objects.requireNonNull(plan, "plan");
    if (plan.operation() != ReplicaPlan.Operation.READ) {
      throw new IllegalArgumentException("a read needs a read plan, got " + plan.operation());
    }
    this.key = Objects.requireNonNull(key, "key");
    for (NodeId node : plan.nodes()) {
      if (alive.contains(node)) {
        live.add(node);
      }
    }
    this.repairAllReplicas = repairAllReplicas;
  }

  /** Sends the first reads; may decide at once (Unavailable). */
  @Override
  public Effects start() {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    Effects.Builder effects = new Effects.Builder();
    if (!plan.satisfiedBy(live)) {
      decide(
          effects,
          new Outcome.Unavailable(
              "cannot achieve consistency level "
                  + plan.consistencyLevel()
                  + ": it needs "
                  + plan.blockFor()
                  + (plan.blockForPerDatacenter().isEmpty()
                      ? ""
                      : " (per datacenter " + plan.blockForPerDatacenter() + ")")
                  + " of "
                  + plan.replicas().size()
                  + " replicas, "
                  + live.size()
                  + " are up"));
      phase = Phase.DONE;
      return effects.build();
    }
    List<NodeId> chosen = new ArrayList<>();
    for (NodeId node : live) {
      chosen.add(node);
      if (plan.satisfiedBy(chosen)) {
        break;
      }
    }
    for (NodeId node : chosen) {
      contact(effects, node, contacted.isEmpty() ? Kind.DATA : Kind.DIGEST);
    }
    if (repairAllReplicas) {
      for (NodeId node : live) {
        if (!contacted.containsKey(node)) {
          background.add(node);
          effects.send(new Send(node, new ReplicaRequest.Read(key, false)));
        }
      }
    }
    return effects.build();
  }

  @Override
  public Effects onAnswer(NodeId from, ReplicaReply reply) {
    return switch (reply) {
      case ReplicaReply.ReadResult result -> onRead(from, result);
      case ReplicaReply.Written written -> onWritten(from);
      case ReplicaReply.ScanResult scan -> onFailed(from, "answered a read with a scan");
      case ReplicaReply.CausalApplied applied -> onFailed(from, "answered a read with " + applied);
      case ReplicaReply.CausalRefused refused -> onFailed(from, "answered a read with " + refused);
    };
  }

  /** {@code from} answered a read. */
  public Effects onRead(NodeId from, ReplicaReply.ReadResult result) {
    Effects.Builder effects = new Effects.Builder();
    if (background.contains(from) && !contacted.containsKey(from)) {
      if (backgroundAnswered.add(from)) {
        backgroundCells.put(from, result.cell());
        if (decided) {
          repairInBackground(effects, from);
        }
      }
      return effects.build();
    }
    switch (phase) {
      case GATHER -> {
        Kind kind = contacted.get(from);
        if (kind == null || digests.containsKey(from) || failed.contains(from)) {
          return Effects.none();
        }
        digests.put(from, result.digest());
        if (kind == Kind.DATA) {
          fullCells.put(from, result.cell());
        }
        checkGathered(effects);
      }
      case FULL -> {
        if (result.cell() == null && result.digest() != 0) {
          // A digest-only answer (to this replica's digest read of the gather phase, arriving
          // after the data read that moved the read on): the full cell asked for is still to come.
          // Taken for it, it would count as "no cell" and the answer could be older than what the
          // replica holds (simulator seed 663).
          return Effects.none();
        }
        if (!awaitingFull.remove(from)) {
          return Effects.none();
        }
        fullCells.put(from, result.cell());
        digests.put(from, result.digest());
        if (awaitingFull.isEmpty()) {
          reconcileAndRepair(effects);
        }
      }
      case REPAIR, DONE -> {
        return Effects.none();
      }
    }
    return effects.build();
  }

  /** {@code from} acknowledged a repair write. */
  public Effects onWritten(NodeId from) {
    if (phase != Phase.REPAIR || !awaitingRepair.remove(from)) {
      return Effects.none();
    }
    Effects.Builder effects = new Effects.Builder();
    if (awaitingRepair.isEmpty()) {
      succeed(effects);
    }
    return effects.build();
  }

  /** Reading from (or repairing) {@code from} failed. */
  @Override
  public Effects onFailed(NodeId from, String reason) {
    Effects.Builder effects = new Effects.Builder();
    if (background.contains(from) && !contacted.containsKey(from)) {
      backgroundAnswered.add(from);
      return Effects.none();
    }
    switch (phase) {
      case GATHER -> {
        Kind kind = contacted.get(from);
        if (kind == null || digests.containsKey(from) || !failed.add(from)) {
          return Effects.none();
        }
        boolean haveData = false;
        for (Map.Entry<NodeId, Kind> entry : contacted.entrySet()) {
          if (entry.getValue() == Kind.DATA && !failed.contains(entry.getKey())) {
            haveData = true;
            break;
          }
        }
        NodeId replacement = nextUncontacted();
        if (replacement != null) {
          contact(effects, replacement, haveData ? Kind.DIGEST : Kind.DATA);
        } else if (!stillPossible()) {
          fail(effects, "read failed: replica " + from + " failed (" + reason + ")");
        }
      }
      case FULL, REPAIR -> {
        if (awaitingFull.contains(from) || awaitingRepair.contains(from)) {
          fail(
              effects,
              "read repair failed: replica "
                  + from
                  + " failed ("
                  + reason
                  + ") while reconciling a digest mismatch");
        }
      }
      case DONE -> {
        return Effects.none();
      }
    }
    return effects.build();
  }

  /**
   * The speculative-retry delay passed: if the level is not met yet, one backup data read goes to
   * the next live replica not contacted. At most once per read.
   */
  @Override
  public Effects onSpeculate() {
    if (phase != Phase.GATHER || speculated) {
      return Effects.none();
    }
    NodeId backup = nextUncontacted();
    if (backup == null) {
      return Effects.none();
    }
    speculated = true;
    Effects.Builder effects = new Effects.Builder();
    contact(effects, backup, Kind.DATA);
    return effects.build();
  }

  /** The read timeout passed. */
  @Override
  public Effects onTimeout() {
    if (timedOut) {
      return Effects.none();
    }
    timedOut = true;
    if (decided) {
      return Effects.none();
    }
    Effects.Builder effects = new Effects.Builder();
    String what =
        switch (phase) {
          case GATHER -> "read timed out";
          case FULL -> "read timed out fetching full values after a digest mismatch";
          case REPAIR -> "read timed out waiting for read repair to be acknowledged";
          case DONE -> throw new AssertionError("undecided read in phase DONE");
        };
    fail(effects, what);
    return effects.build();
  }

  /** True once the outcome is given and nothing more is expected (or the timeout passed). */
  @Override
  public boolean isFinished() {
    // After the timeout nothing more is expected, even repair acknowledgements that a failed or
    // timed-out repair phase still waits for: a driver that forgets finished reads must be able to.
    return decided
        && (timedOut
            || (backgroundAnswered.size() == background.size() && awaitingRepair.isEmpty()));
  }

  public boolean isDecided() {
    return decided;
  }

  /** True if the digests disagreed (a read repair was needed). */
  public boolean digestMismatch() {
    return digestMismatch;
  }

  /** Repair writes sent, blocking and background. */
  public int repairWrites() {
    return repairWrites;
  }

  /** True if a backup read was sent. */
  public boolean speculated() {
    return speculated;
  }

  /** The replicas contacted for the answer, in order, and whether they were sent data reads. */
  public Set<NodeId> contacted() {
    return contacted.keySet();
  }

  public ReplicaPlan plan() {
    return plan;
  }

  private void contact(Effects.Builder effects, NodeId node, Kind kind) {
    contacted.put(node, kind);
    effects.send(new Send(node, new ReplicaRequest.Read(key, kind == Kind.DIGEST)));
  }

  private NodeId nextUncontacted() {
    for (NodeId node : live) {
      if (!contacted.containsKey(node) && !background.contains(node)) {
        return node;
      }
    }
    for (NodeId node : live) {
      // A background reader has not been asked for the answer yet; it may stand in.
      if (!contacted.containsKey(node)) {
        background.remove(node);
        backgroundAnswered.remove(node);
        backgroundCells.remove(node);
        return node;
      }
    }
    return null;
  }

  private boolean stillPossible() {
    List<NodeId> possible = new ArrayList<>();
    for (NodeId node : contacted.keySet()) {
      if (!failed.contains(node)) {
        possible.add(node);
      }
    }
    if (!plan.satisfiedBy(possible)) {
      return false;
    }
    for (NodeId node : possible) {
      if (contacted.get(node) == Kind.DATA) {
        return true;
      }
    }
    return nextUncontacted() != null;
  }

  private void checkGathered(Effects.Builder effects) {
    if (fullCells.isEmpty() || !plan.satisfiedBy(digests.keySet())) {
      return;
    }
    participants.addAll(digests.keySet());
    Cell best = null;
    for (Cell cell : fullCells.values()) {
      best = CausalCells.merge(best, cell);
    }
    long bestDigest = Lww.digest(best);
    boolean agree = true;
    for (long digest : digests.values()) {
      if (digest != bestDigest) {
        agree = false;
        break;
      }
    }
    if (agree) {
      winner = best;
      succeed(effects);
      return;
    }
    digestMismatch = true;
    phase = Phase.FULL;
    for (NodeId node : participants) {
      if (!fullCells.containsKey(node)) {
        awaitingFull.add(node);
        effects.send(new Send(node, new ReplicaRequest.Read(key, false)));
      }
    }
    if (awaitingFull.isEmpty()) {
      reconcileAndRepair(effects);
    }
  }

  private void reconcileAndRepair(Effects.Builder effects) {
    Cell best = null;
    for (NodeId node : participants) {
      best = CausalCells.merge(best, fullCells.get(node));
    }
    winner = best;
    phase = Phase.REPAIR;
    long bestDigest = Lww.digest(best);
    for (NodeId node : participants) {
      if (Lww.digest(fullCells.get(node)) != bestDigest) {
        awaitingRepair.add(node);
        repairWrites++;
        effects.send(new Send(node, new ReplicaRequest.Write(key, best)));
      }
    }
    if (awaitingRepair.isEmpty()) {
      succeed(effects);
    }
  }

  private void succeed(Effects.Builder effects) {
    phase = Phase.DONE;
    decide(effects, new Outcome.Success(winner, participants.size()));
    for (NodeId node : backgroundAnswered) {
      repairInBackground(effects, node);
    }
  }

  private void fail(Effects.Builder effects, String what) {
    phase = Phase.DONE;
    int answered = digests.size();
    decide(
        effects,
        new Outcome.TimedOut(
            answered,
            plan.blockFor(),
            what
                + " at "
                + plan.consistencyLevel()
                + ": "
                + answered
                + " of "
                + plan.blockFor()
                + " required replicas answered"));
  }

  /** Compares a background reader's cell with the answer and writes the newer where it lacks. */
  private void repairInBackground(Effects.Builder effects, NodeId node) {
    if (!backgroundCells.containsKey(node) || winner == null && backgroundCells.get(node) == null) {
      return;
    }
    Cell theirs = backgroundCells.remove(node);
    if (Lww.digest(theirs) == Lww.digest(winner)) {
      return;
    }
    Cell best = CausalCells.merge(winner, theirs);
    if (best != theirs) {
      repairWrites++;
      effects.send(new Send(node, new ReplicaRequest.Write(key, best)));
    }
    if (best != winner) {
      // The background replica holds what the answer lacks (newer, or for causal cells siblings or
      // dots the answering replicas have not seen): bring them up.
      for (NodeId participant : participants) {
        repairWrites++;
        effects.send(new Send(participant, new ReplicaRequest.Write(key, best)));
      }
    }
  }

  private void decide(Effects.Builder effects, Outcome outcome) {
    decided = true;
    effects.outcome(outcome);
  }
}
