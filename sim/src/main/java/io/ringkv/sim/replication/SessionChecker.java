package io.ringkv.sim.replication;

import io.ringkv.common.ConsistencyLevel;
import io.ringkv.sim.Violation;
import io.ringkv.storage.Cell;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Monotonic QUORUM reads and read-your-writes for keys with a single writer (the {@link
 * RegisterWorkload}, whose writer also deletes now and then), judged in last-write-wins order, that
 * is by HLC timestamp (a delete writes a tombstone, with its own stamp):
 *
 * <ol>
 *   <li><b>Integrity.</b> A successful read returns nothing or a value some attempted write of the
 *       key wrote, sent before the read ended; with that write's timestamp when its client learnt
 *       it.
 *   <li><b>Read-your-writes.</b> A successful QUORUM read sent after a write was acknowledged (with
 *       timestamp T) returns a cell stamped T or later. (Any client's read, not only the writer's:
 *       a QUORUM write and a QUORUM read meet on a replica. Not judged under sloppy quorum, whose
 *       acknowledged writes may sit on stand-ins that reads do not ask.)
 *   <li><b>Monotonic reads.</b> A successful QUORUM read sent after another one ended returns a
 *       cell stamped no earlier than that one's (blocking read repair put it on a quorum).
 *   <li><b>Session order.</b> A writer's writes whose timestamps it learnt are stamped in the order
 *       it sent them (each carries the session's timestamp, which the coordinator merges).
 * </ol>
 *
 * <p>"While a quorum is reachable": reads that failed are not judged. Timestamps, not value
 * numbers, are the order, because a write whose client heard nothing (its coordinator froze) may be
 * stamped later than the writer's next write, and then rightly wins.
 *
 * <p>When the run could lose data legitimately (nodes without SYNC durability lost power) the
 * checker reports nothing ({@code strict} false). Stateless between calls.
 */
public final class SessionChecker {
  /** The figures of one check. */
  public record Figures(long readsJudged, long writesJudged) {}

  private Figures figures = new Figures(0, 0);

  /**
   * Judges every register key of {@code history}.
   *
   * @param strict false to judge nothing (data could be lost)
   * @param readYourWrites false under sloppy quorum
   */
  public List<Violation> check(History history, boolean strict, boolean readYourWrites) {
    List<Violation> violations = new ArrayList<>();
    long readsJudged = 0;
    long writesJudged = 0;
    for (String key : history.keys(History.Workload.REGISTER)) {
      List<History.Operation> writes = new ArrayList<>();
      List<History.Operation> deletes = new ArrayList<>();
      List<History.Operation> reads = new ArrayList<>();
      Map<String, History.Operation> writeOf = new HashMap<>();
      for (History.Operation operation : history.of(key)) {
        if (operation.request().kind() == ClientRequest.Kind.WRITE) {
          writes.add(operation);
          writeOf.put(operation.request().value(), operation);
        } else if (operation.request().kind() == ClientRequest.Kind.DELETE) {
          writes.add(operation);
          deletes.add(operation);
        } else if (operation.request().isRead()
            && operation.request().level() == ConsistencyLevel.QUORUM
            && operation.succeeded()) {
          reads.add(operation);
        }
      }
      writesJudged += writes.size();
      readsJudged += reads.size();
      for (History.Operation read : reads) {
        integrity(read, writeOf, deletes, violations);
      }
      if (!strict) {
        continue;
      }
      sessionOrder(writes, violations);
      List<History.Operation> acknowledged = new ArrayList<>();
      for (History.Operation write : writes) {
        if (write.succeeded()) {
          acknowledged.add(write);
        }
      }
      if (readYourWrites) {
        notBefore("read-your-writes", acknowledged, reads, violations);
      }
      notBefore("monotonic-reads", reads, reads, violations);
    }
    figures = new Figures(readsJudged, writesJudged);
    return violations;
  }

  public Figures figures() {
    return figures;
  }

  private static void integrity(
      History.Operation read,
      Map<String, History.Operation> writeOf,
      List<History.Operation> deletes,
      List<Violation> violations) {
    Cell cell = read.outcome().cell();
    if (cell == null) {
      return;
    }
    History.Operation write =
        cell.isTombstone()
            ? deleteOf(cell, deletes, read.endNanos())
            : writeOf.get(new String(cell.value(), StandardCharsets.UTF_8));
    String problem = null;
    if (write == null || write.startNanos() > read.endNanos()) {
      problem = read + " returned a value (or tombstone) no write sent";
    } else if (write.outcome() != null && write.outcome().notAttempted()) {
      problem = read + " returned the value of " + write + ", which was never attempted";
    } else if (write.outcome() != null
        && write.outcome().timestamp() != 0
        && write.outcome().timestamp() != cell.timestamp()) {
      problem = read + " returned the value of " + write + " with another timestamp";
    }
    if (problem != null) {
      violations.add(new Violation("session-integrity", read.endNanos(), problem));
    }
  }

  /**
   * The delete that wrote tombstone {@code cell}: by its stamp, or else one sent before {@code
   * beforeNanos} whose stamp its client never learnt.
   */
  private static History.Operation deleteOf(
      Cell cell, List<History.Operation> deletes, long beforeNanos) {
    History.Operation unknown = null;
    for (History.Operation delete : deletes) {
      ClientOutcome outcome = delete.outcome();
      if (delete.startNanos() > beforeNanos) {
        continue;
      }
      if (outcome != null && outcome.timestamp() == cell.timestamp()) {
        return delete;
      }
      if (outcome == null || (outcome.timestamp() == 0 && !outcome.notAttempted())) {
        unknown = delete;
      }
    }
    return unknown;
  }

  private static void sessionOrder(List<History.Operation> writes, List<Violation> violations) {
    Map<String, History.Operation> lastKnown = new HashMap<>();
    for (History.Operation write : writes) {
      ClientOutcome outcome = write.outcome();
      if (outcome == null || outcome.timestamp() == 0) {
        continue;
      }
      History.Operation previous = lastKnown.put(write.client(), write);
      if (previous != null && previous.outcome().timestamp() >= outcome.timestamp()) {
        violations.add(
            new Violation(
                "session-order",
                write.endNanos(),
                write + " was stamped no later than the session's earlier " + previous));
      }
    }
  }

  /**
   * Every read must return a timestamp no earlier than that of every operation of {@code earlier}
   * that ended before the read was sent (a write's stamp, or a read's cell).
   */
  private static void notBefore(
      String checker,
      List<History.Operation> earlier,
      List<History.Operation> reads,
      List<Violation> violations) {
    List<History.Operation> byEnd = new ArrayList<>(earlier);
    byEnd.sort(Comparator.comparingLong(History.Operation::endNanos));
    List<History.Operation> byStart = new ArrayList<>(reads);
    byStart.sort(Comparator.comparingLong(History.Operation::startNanos));
    int next = 0;
    History.Operation newest = null;
    for (History.Operation read : byStart) {
      while (next < byEnd.size() && byEnd.get(next).endNanos() < read.startNanos()) {
        History.Operation candidate = byEnd.get(next++);
        if (newest == null || timestamp(candidate) > timestamp(newest)) {
          newest = candidate;
        }
      }
      if (newest != null && timestamp(newest) > 0 && timestamp(read) < timestamp(newest)) {
        violations.add(
            new Violation(
                checker,
                read.endNanos(),
                read + " is older than " + newest + ", which ended before it was sent"));
      }
    }
  }

  private static long timestamp(History.Operation operation) {
    ClientOutcome outcome = operation.outcome();
    if (operation.request().isRead()) {
      return outcome.cell() == null ? 0 : outcome.cell().timestamp();
    }
    return outcome.timestamp();
  }
}
