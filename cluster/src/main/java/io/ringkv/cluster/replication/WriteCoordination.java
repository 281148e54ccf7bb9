package io.ringkv.cluster.replication;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.ReplicaPlan;
import io.ringkv.cluster.version.CausalOperation;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.storage.Cell;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One coordinated write, as a pure state machine (Cassandra's write response handler): the driver
 * calls {@link #start}, then {@link #onWritten} or {@link #onFailed} for each answer, and {@link
 * #onTimeout} at the write timeout; each returns the {@link Effects} to carry out.
 *
 * <p>What it does:
 *
 * <ul>
 *   <li>If the live replicas cannot meet the level, the outcome is {@link Outcome.Unavailable} and
 *       nothing is sent, unless the level is ANY (a hint counts) or sloppy quorum finds live
 *       stand-ins (below).
 *   <li>Every live replica gets the write. A replica known to be down gets a hint kept by the
 *       coordinator, or, with sloppy quorum, a {@link ReplicaRequest.StandInWrite} to the next live
 *       node round the ring that is not a replica (Dynamo's hinted handoff); the stand-in keeps the
 *       write as a hint and its acknowledgement counts for the replica it stands in for.
 *   <li>The outcome is {@link Outcome.Success} as soon as the acknowledgements meet the level
 *       ({@link ReplicaPlan#satisfiedBy}); for ANY as soon as one acknowledgement arrives or a hint
 *       was kept at the start.
 *   <li>Replicas that fail or do not answer by the timeout get a hint (for a silent stand-in, the
 *       hint is for the replica it stood in for). If the level was not met by then, the outcome is
 *       {@link Outcome.TimedOut}: the write may have applied on some replicas.
 * </ul>
 *
 * <p>The handler stays useful after its outcome: later answers still arrive, and the timeout still
 * hints the silent replicas. {@link #isFinished} says when the driver may forget it.
 *
 * <p>Pure. Not thread-safe: the driver serialises calls (a lock, or one thread).
 */
public final class WriteCoordination implements RequestCoordination {
  private final ReplicaPlan plan;
  private final byte[] key;

  /** The cell sent to the replicas; for a causal write, null until the dot replica answers. */
  private Cell cell;

  /** A causal write's operation and stamp (null for a plain write). */
  private final CausalOperation operation;

  private final long causalTimestamp;

  /** The replica asked to assign the dot of a causal write, until it answers. */
  private NodeId dotReplica;

  /** The dot replica's answer to a causal write, once it applied it. */
  private ReplicaReply.CausalApplied causalApplied;

  private final Set<NodeId> alive;
  private final Deque<NodeId> standIns;
  private final boolean sloppy;
  private final boolean hintsEnabled;

  /** Who was sent the write: replica, or stand-in, to the replica it stands for. */
  private final Map<NodeId, NodeId> pending = new HashMap<>();

  private final Set<NodeId> acknowledged = new LinkedHashSet<>();
  private int hintsKept;
  private int standInsUsed;
  private boolean started;
  private boolean timedOut;
  private boolean decided;

  /**
   * @param plan the replicas and the level (a write plan)
   * @param key the stored key
   * @param cell the cell, stamped by the coordinator (a tombstone with its deletion time)
   * @param alive the nodes the failure detector holds up now
   * @param standIns live non-replica nodes in ring order after the replicas, for sloppy quorum
   * @param sloppy whether the keyspace allows sloppy quorum
   * @param hintsEnabled whether the node keeps hints (if not, a down replica just misses the write)
   */
  public WriteCoordination(
      ReplicaPlan plan,
      byte[] key,
      Cell cell,
      Set<NodeId> alive,
      List<NodeId> standIns,
      boolean sloppy,
      boolean hintsEnabled) {
    this(
        plan,
        key,
        Objects.requireNonNull(cell, "cell"),
        null,
        0,
        alive,
        standIns,
        sloppy,
        hintsEnabled);
  }

  /**
   * A causal write (docs/design/causal.md): {@code operation} goes first to one dot replica (the
   * first live replica in the plan's preference order: this node if it is a replica; for an
   * increment with an idempotency key, the live replica with the least node id, which every
   * coordinator picks alike, so that a retry meets its first attempt), which assigns the dot and
   * answers with the key's new cell; that cell then goes to the other replicas (hints and stand-ins
   * as for any write), which join it. The dot replica's answer counts as its acknowledgement. If it
   * refuses, the outcome is {@link Outcome.Refused} and nothing is sent; if it fails or stays
   * silent, the write is indeterminate ({@link Outcome.TimedOut}) and nothing is hinted (there is
   * no cell to hint). ANY needs a live replica here: a hint cannot assign a dot.
   *
   * @param timestamp the coordinator's HLC stamp of the write
   */
  public static WriteCoordination causal(
      ReplicaPlan plan,
      byte[] key,
      CausalOperation operation,
      long timestamp,
      Set<NodeId> alive,
      List<NodeId> standIns,
      boolean sloppy,
      boolean hintsEnabled) {
    return new WriteCoordination(
        plan,
        key,
        null,
        Objects.requireNonNull(operation, "operation"),
        timestamp,
        alive,
        standIns,
        sloppy,
        hintsEnabled);
  }

  private WriteCoordination(
      ReplicaPlan plan,
      byte[] key,
      Cell cell,
      CausalOperation operation,
      long causalTimestamp,
      Set<NodeId> alive,
      List<NodeId> standIns,
      boolean sloppy,
      boolean hintsEnabled) {
    this.plan = Objects.requireNonNull(plan, "plan");
    if (plan.operation() != ReplicaPlan.Operation.WRITE) {
      throw new IllegalArgumentException("a write needs a write plan, got " + plan.operation());
    }
    this.key = Objects.requireNonNull(key, "key");
    this.cell = cell;
    this.operation = operation;
    this.causalTimestamp = causalTimestamp;
    this.alive = Set.copyOf(alive);
    this.standIns = new ArrayDeque<>(standIns);
    this.sloppy = sloppy;
    this.hintsEnabled = hintsEnabled;
  }

  /** Sends the write; may decide at once (Unavailable, or ANY met by a hint). */
  @Override
  public Effects start() {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    Effects.Builder effects = new Effects.Builder();
    boolean any = plan.consistencyLevel() == ConsistencyLevel.ANY;
    Set<NodeId> reachable = new LinkedHashSet<>();
    int standInsAvailable = 0;
    for (ReplicaPlan.Replica replica : plan.replicas()) {
      NodeId node = replica.node();
      if (alive.contains(node)) {
        reachable.add(node);
      } else if (sloppy && standInsAvailable < liveStandIns()) {
        standInsAvailable++;
        reachable.add(node);
      }
    }
    if (!any && !plan.satisfiedBy(reachable)) {
      decided = true;
      return effects.outcome(new Outcome.Unavailable(unavailableMessage(reachable))).build();
    }
    if (operation != null) {
      boolean keyedIncrement =
          operation instanceof CausalOperation.Increment increment
              && increment.idempotencyKey() != null;
      for (ReplicaPlan.Replica replica : plan.replicas()) {
        if (alive.contains(replica.node())) {
          if (dotReplica == null || keyedIncrement && replica.node().compareTo(dotReplica) < 0) {
            dotReplica = replica.node();
          }
          if (!keyedIncrement) {
            break;
          }
        }
      }
      if (dotReplica == null) {
        decide(
            effects,
            new Outcome.Unavailable(
                "a causal write needs a live replica to assign its dot, and none of the "
                    + plan.replicas().size()
                    + " is up; nothing was written"));
        return effects.build();
      }
      pending.put(dotReplica, dotReplica);
      effects.send(
          new Send(dotReplica, new ReplicaRequest.CausalUpdate(key, operation, causalTimestamp)));
      return effects.build();
    }
    fanOut(effects, null);
    return effects.build();
  }

  /**
   * Sends {@link #cell} to every replica but {@code done} (the dot replica of a causal write, which
   * holds it already), stand-ins or hints for the down ones.
   */
  private void fanOut(Effects.Builder effects, NodeId done) {
    boolean any = plan.consistencyLevel() == ConsistencyLevel.ANY;
    Map<NodeId, NodeId> standInFor = new HashMap<>();
    if (sloppy) {
      for (ReplicaPlan.Replica replica : plan.replicas()) {
        if (!alive.contains(replica.node())) {
          NodeId standIn = nextStandIn();
          if (standIn != null) {
            standInFor.put(standIn, replica.node());
          }
        }
      }
    }
    for (ReplicaPlan.Replica replica : plan.replicas()) {
      NodeId node = replica.node();
      if (alive.contains(node) && !node.equals(done)) {
        pending.put(node, node);
        effects.send(new Send(node, new ReplicaRequest.Write(key, cell)));
      }
    }
    for (Map.Entry<NodeId, NodeId> entry : standInFor.entrySet()) {
      pending.put(entry.getKey(), entry.getValue());
      standInsUsed++;
      effects.send(
          new Send(entry.getKey(), new ReplicaRequest.StandInWrite(entry.getValue(), key, cell)));
    }
    for (ReplicaPlan.Replica replica : plan.replicas()) {
      NodeId node = replica.node();
      if (!alive.contains(node) && !standInFor.containsValue(node)) {
        hint(effects, node);
      }
    }
    if (decided) {
      return;
    }
    if (operation != null) {
      if (met()) {
        decide(effects, new Outcome.Success(cell, acknowledged.size()));
      }
    } else if (any && hintsKept > 0) {
      decide(effects, new Outcome.Success(null, hintsKept));
    } else if (any && pending.isEmpty()) {
      decide(effects, new Outcome.Unavailable("no replica is up and hints are off; ANY needs one"));
    }
  }

  private int liveStandIns() {
    int live = 0;
    for (NodeId standIn : standIns) {
      if (alive.contains(standIn)) {
        live++;
      }
    }
    return live;
  }

  @Override
  public Effects onAnswer(NodeId from, ReplicaReply reply) {
    if (from.equals(dotReplica) && cell == null) {
      return switch (reply) {
        case ReplicaReply.CausalApplied applied -> onCausalApplied(from, applied);
        case ReplicaReply.CausalRefused refused -> onCausalRefused(from, refused);
        default -> onFailed(from, "answered a causal update with " + reply);
      };
    }
    return reply instanceof ReplicaReply.Written
        ? onWritten(from)
        : onFailed(from, "answered a write with " + reply);
  }

  /** The dot replica applied the causal write: send the new cell to the other replicas. */
  private Effects onCausalApplied(NodeId from, ReplicaReply.CausalApplied applied) {
    if (pending.remove(from) == null || timedOut) {
      return Effects.none();
    }
    causalApplied = applied;
    cell = applied.cell();
    acknowledged.add(from);
    Effects.Builder effects = new Effects.Builder();
    fanOut(effects, from);
    return effects.build();
  }

  private Effects onCausalRefused(NodeId from, ReplicaReply.CausalRefused refused) {
    if (pending.remove(from) == null || decided) {
      return Effects.none();
    }
    Effects.Builder effects = new Effects.Builder();
    decide(effects, new Outcome.Refused(refused.reason(), refused.message()));
    return effects.build();
  }

  /** The dot replica's new cell of a causal write, once it answered (null before, or if plain). */
  public Cell causalCell() {
    return operation == null ? null : cell;
  }

  /**
   * The dot replica's answer to a causal write once it applied it (its cell, whether it was a
   * duplicate, how many set members it changed); null before, or for a plain write.
   */
  public ReplicaReply.CausalApplied causalApplied() {
    return causalApplied;
  }

  /** {@code from} acknowledged the write. */
  public Effects onWritten(NodeId from) {
    NodeId replica = pending.remove(from);
    if (replica == null) {
      return Effects.none(); // a duplicate, or after the timeout
    }
    acknowledged.add(replica);
    Effects.Builder effects = new Effects.Builder();
    if (!decided && met()) {
      decide(effects, new Outcome.Success(operation == null ? null : cell, acknowledged.size()));
    }
    return effects.build();
  }

  /**
   * Sending to {@code from} failed, or it answered with an error: it gets a hint, and if the level
   * can no longer be met the outcome is a timeout (indeterminate).
   */
  @Override
  public Effects onFailed(NodeId from, String reason) {
    NodeId replica = pending.remove(from);
    if (replica == null) {
      return Effects.none();
    }
    Effects.Builder effects = new Effects.Builder();
    hint(effects, replica);
    if (!decided && !stillPossible()) {
      decide(
          effects,
          new Outcome.TimedOut(
              acknowledged.size(),
              plan.blockFor(),
              "write failed at "
                  + plan.consistencyLevel()
                  + ": "
                  + acknowledged.size()
                  + " of "
                  + plan.blockFor()
                  + " required replicas acknowledged ("
                  + from
                  + ": "
                  + reason
                  + "); the write may or may not have applied"));
    }
    return effects.build();
  }

  /** The write timeout passed: silent replicas get hints; an undecided write times out. */
  @Override
  public Effects onTimeout() {
    if (timedOut) {
      return Effects.none();
    }
    timedOut = true;
    Effects.Builder effects = new Effects.Builder();
    for (NodeId replica : pending.values()) {
      hint(effects, replica);
    }
    pending.clear();
    if (!decided) {
      decide(
          effects,
          new Outcome.TimedOut(
              acknowledged.size(),
              plan.blockFor(),
              "write timed out at "
                  + plan.consistencyLevel()
                  + ": "
                  + acknowledged.size()
                  + " of "
                  + plan.blockFor()
                  + " required replicas acknowledged in time; the write may or may not have"
                  + " applied"));
    }
    return effects.build();
  }

  /** True once every send has an answer or the timeout passed, and the outcome is given. */
  @Override
  public boolean isFinished() {
    return decided && (pending.isEmpty() || timedOut);
  }

  /** True once the outcome is given. */
  public boolean isDecided() {
    return decided;
  }

  /** Hints kept so far (by this coordinator). */
  public int hintsKept() {
    return hintsKept;
  }

  /** Stand-ins sent the write (sloppy quorum). */
  public int standInsUsed() {
    return standInsUsed;
  }

  public ReplicaPlan plan() {
    return plan;
  }

  private boolean met() {
    if (plan.consistencyLevel() == ConsistencyLevel.ANY) {
      return !acknowledged.isEmpty() || hintsKept > 0;
    }
    return plan.satisfiedBy(acknowledged);
  }

  private boolean stillPossible() {
    if (plan.consistencyLevel() == ConsistencyLevel.ANY) {
      return !pending.isEmpty() || hintsKept > 0;
    }
    Set<NodeId> possible = new LinkedHashSet<>(acknowledged);
    possible.addAll(pending.values());
    return plan.satisfiedBy(possible);
  }

  private void decide(Effects.Builder effects, Outcome outcome) {
    decided = true;
    effects.outcome(outcome);
  }

  private void hint(Effects.Builder effects, NodeId target) {
    if (hintsEnabled && cell != null) {
      hintsKept++;
      effects.hint(new Hint(target, key, cell));
    }
  }

  private NodeId nextStandIn() {
    while (!standIns.isEmpty()) {
      NodeId candidate = standIns.poll();
      if (alive.contains(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private String unavailableMessage(Set<NodeId> reachable) {
    int live = 0;
    for (ReplicaPlan.Replica replica : plan.replicas()) {
      if (reachable.contains(replica.node())) {
        live++;
      }
    }
    return "cannot achieve consistency level "
        + plan.consistencyLevel()
        + ": it needs "
        + plan.blockFor()
        + (plan.blockForPerDatacenter().isEmpty()
            ? ""
            : " (per datacenter " + plan.blockForPerDatacenter() + ")")
        + " of "
        + plan.replicas().size()
        + " replicas, "
        + live
        + " are up; nothing was written";
  }
}
