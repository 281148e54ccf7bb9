package io.ringkv.cluster.replication;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.ReplicaPlan;
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
  private final Cell cell;
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
    this.plan = Objects.requireNonNull(plan, "plan");
    if (plan.operation() != ReplicaPlan.Operation.WRITE) {
      throw new IllegalArgumentException("a write needs a write plan, got " + plan.operation());
    }
    this.key = Objects.requireNonNull(key, "key");
    this.cell = Objects.requireNonNull(cell, "cell");
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
    Map<NodeId, NodeId> standInFor = new HashMap<>();
    for (ReplicaPlan.Replica replica : plan.replicas()) {
      NodeId node = replica.node();
      if (alive.contains(node)) {
        reachable.add(node);
      } else if (sloppy) {
        NodeId standIn = nextStandIn();
        if (standIn != null) {
          standInFor.put(standIn, node);
          reachable.add(node);
        }
      }
    }
    if (!any && !plan.satisfiedBy(reachable)) {
      decided = true;
      return effects.outcome(new Outcome.Unavailable(unavailableMessage(reachable))).build();
    }
    for (ReplicaPlan.Replica replica : plan.replicas()) {
      NodeId node = replica.node();
      if (alive.contains(node)) {
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
    if (any && hintsKept > 0) {
      decide(effects, new Outcome.Success(null, hintsKept));
    } else if (any && pending.isEmpty()) {
      decide(effects, new Outcome.Unavailable("no replica is up and hints are off; ANY needs one"));
    }
    return effects.build();
  }

  @Override
  public Effects onAnswer(NodeId from, ReplicaReply reply) {
    return reply instanceof ReplicaReply.Written
        ? onWritten(from)
        : onFailed(from, "answered a write with " + reply);
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
      decide(effects, new Outcome.Success(null, acknowledged.size()));
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
    if (hintsEnabled) {
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
