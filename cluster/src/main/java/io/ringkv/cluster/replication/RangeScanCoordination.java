package io.ringkv.cluster.replication;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.ReplicaPlan;
import io.ringkv.cluster.version.CausalCells;
import io.ringkv.cluster.version.Lww;
import io.ringkv.storage.Cell;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One page of a scan over part of one token range, as a pure state machine: the fewest live
 * replicas of the range that meet the level are each asked for up to {@code limit} cells of stored
 * keys in [{@code from}, {@code to}); their answers are merged key by key with {@link Lww}.
 *
 * <p>Why the merge is exact: each replica answers a prefix of its keys. Past the last key of a
 * replica that is not exhausted, that replica's keys are unknown, so the page ends at the smallest
 * such last key ({@code bound}); below it every replica's keys are known, and a key deleted on one
 * replica and live on another reconciles as any read does. The page's {@link Page#next} resumes
 * after the last key returned.
 *
 * <p>Scans do not repair: a scan that meets disagreement returns the winner and leaves the replicas
 * as they are (anti-entropy and reads repair them).
 *
 * <p>Pure. Not thread-safe: the driver serialises calls.
 */
public final class RangeScanCoordination implements RequestCoordination {
  /**
   * A merged page.
   *
   * @param cells the winning cell of each key, tombstones and expired cells included, in stored-key
   *     order
   * @param next where the rest of the range starts (inclusive), or null when the range is done
   */
  public record Page(List<KeyedCell> cells, byte[] next) {
    public Page {
      cells = List.copyOf(cells);
    }
  }

  private final ReplicaPlan plan;
  private final byte[] from;
  private final byte[] to;
  private final int limit;
  private final List<NodeId> live = new ArrayList<>();
  private final Set<NodeId> contacted = new LinkedHashSet<>();
  private final Set<NodeId> failed = new LinkedHashSet<>();
  private final Map<NodeId, ReplicaReply.ScanResult> answers = new LinkedHashMap<>();
  private boolean started;
  private boolean decided;
  private Page page;

  /**
   * @param plan a read plan for the range (its replicas hold every key of it)
   * @param from the first stored key (inclusive)
   * @param to the end (exclusive), or null for no end
   * @param limit at most this many cells in the page
   * @param alive the nodes the failure detector holds up now
   */
  public RangeScanCoordination(
      ReplicaPlan plan, byte[] from, byte[] to, int limit, Set<NodeId> alive) {
    this.plan = Objects.requireNonNull(plan, "plan");
    this.from = Objects.requireNonNull(from, "from");
    this.to = to;
    if (limit < 1) {
      throw new IllegalArgumentException("scan limit must be >= 1, was " + limit);
    }
    this.limit = limit;
    for (NodeId node : plan.nodes()) {
      if (alive.contains(node)) {
        live.add(node);
      }
    }
  }

  @Override
  public Effects start() {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    Effects.Builder effects = new Effects.Builder();
    if (!plan.satisfiedBy(live)) {
      decided = true;
      return effects
          .outcome(
              new Outcome.Unavailable(
                  "cannot achieve consistency level "
                      + plan.consistencyLevel()
                      + " for a scan: it needs "
                      + plan.blockFor()
                      + " of "
                      + plan.replicas().size()
                      + " replicas of the range, "
                      + live.size()
                      + " are up"))
          .build();
    }
    List<NodeId> chosen = new ArrayList<>();
    for (NodeId node : live) {
      chosen.add(node);
      contact(effects, node);
      if (plan.satisfiedBy(chosen)) {
        break;
      }
    }
    return effects.build();
  }

  @Override
  public Effects onAnswer(NodeId node, ReplicaReply reply) {
    return reply instanceof ReplicaReply.ScanResult result
        ? onScanned(node, result)
        : onFailed(node, "answered a scan with " + reply);
  }

  public Effects onScanned(NodeId node, ReplicaReply.ScanResult result) {
    if (decided || !contacted.contains(node) || failed.contains(node)) {
      return Effects.none();
    }
    if (answers.putIfAbsent(node, result) != null) {
      return Effects.none();
    }
    Effects.Builder effects = new Effects.Builder();
    if (plan.satisfiedBy(answers.keySet())) {
      page = merge();
      decided = true;
      effects.outcome(new Outcome.Success(null, answers.size()));
    }
    return effects.build();
  }

  @Override
  public Effects onFailed(NodeId node, String reason) {
    if (decided || !contacted.contains(node) || answers.containsKey(node) || !failed.add(node)) {
      return Effects.none();
    }
    Effects.Builder effects = new Effects.Builder();
    for (NodeId candidate : live) {
      if (!contacted.contains(candidate)) {
        contact(effects, candidate);
        return effects.build();
      }
    }
    decided = true;
    return effects
        .outcome(
            new Outcome.TimedOut(
                answers.size(),
                plan.blockFor(),
                "scan failed at "
                    + plan.consistencyLevel()
                    + ": replica "
                    + node
                    + " failed ("
                    + reason
                    + ") and no other replica of the range is up"))
        .build();
  }

  @Override
  public Effects onTimeout() {
    if (decided) {
      return Effects.none();
    }
    decided = true;
    return new Effects.Builder()
        .outcome(
            new Outcome.TimedOut(
                answers.size(),
                plan.blockFor(),
                "scan timed out at "
                    + plan.consistencyLevel()
                    + ": "
                    + answers.size()
                    + " of "
                    + plan.blockFor()
                    + " required replicas answered"))
        .build();
  }

  /** A scan page needs nothing after its outcome: late answers are ignored. */
  @Override
  public boolean isFinished() {
    return decided;
  }

  public boolean isDecided() {
    return decided;
  }

  /** The merged page, once the outcome is a success. */
  public Page page() {
    if (page == null) {
      throw new IllegalStateException("the scan has no page (not succeeded)");
    }
    return page;
  }

  private void contact(Effects.Builder effects, NodeId node) {
    contacted.add(node);
    effects.send(new Send(node, new ReplicaRequest.Scan(from, to, limit)));
  }

  private Page merge() {
    byte[] bound = null;
    for (ReplicaReply.ScanResult result : answers.values()) {
      if (!result.exhausted() && !result.cells().isEmpty()) {
        byte[] last = result.cells().get(result.cells().size() - 1).key();
        if (bound == null || Arrays.compareUnsigned(last, bound) < 0) {
          bound = last;
        }
      }
    }
    TreeMap<byte[], Cell> merged = new TreeMap<>(Arrays::compareUnsigned);
    for (ReplicaReply.ScanResult result : answers.values()) {
      for (KeyedCell cell : result.cells()) {
        if (bound == null || Arrays.compareUnsigned(cell.key(), bound) <= 0) {
          merged.merge(cell.key(), cell.cell(), CausalCells::merge);
        }
      }
    }
    List<KeyedCell> cells = new ArrayList<>(Math.min(limit, merged.size()));
    for (Map.Entry<byte[], Cell> entry : merged.entrySet()) {
      if (cells.size() == limit) {
        break;
      }
      cells.add(new KeyedCell(entry.getKey(), entry.getValue()));
    }
    byte[] next;
    if (cells.size() < merged.size()) {
      next = successor(cells.get(cells.size() - 1).key());
    } else if (bound != null) {
      next = successor(bound);
    } else {
      next = null; // every answering replica is exhausted: the range is done
    }
    return new Page(cells, next);
  }

  private static byte[] successor(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }
}
