package io.ringkv.sim.replication;

import io.ringkv.common.ConsistencyLevel;
import io.ringkv.sim.Violation;
import io.ringkv.storage.Cell;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * No acknowledged write lost, and no write read that was never attempted: the checker of the {@link
 * SetWorkload}, whose keys are each written once at QUORUM.
 *
 * <p>For each set key, with W its write (value v, stamped T), every successful QUORUM read R of the
 * key (during the run, and the final read after healing) must return:
 *
 * <ul>
 *   <li>if W was acknowledged before R was sent: exactly (v, T). Anything else, or nothing, is a
 *       lost write;
 *   <li>if W was not attempted (unavailable, refused, not connected): nothing, since a value that
 *       was never sent anywhere cannot be read (a phantom);
 *   <li>otherwise (W in flight, indeterminate, or acknowledged after R was sent): nothing or v,
 *       with T if the client learnt T.
 * </ul>
 *
 * <p>Every acknowledged key must also have a successful final read; without one, its loss cannot be
 * judged, which on a healed cluster is a violation too.
 *
 * <p>When the run could lose data legitimately (nodes without SYNC durability lost power), the
 * checker counts but reports no violations ({@code strict} false). Stateless between calls.
 */
public final class AcknowledgedWritesChecker {
  /** The figures of one check. */
  public record Figures(
      long acknowledged, long lost, long indeterminate, long notAttempted, long readsJudged) {}

  private final List<Violation> violations = new ArrayList<>();
  private Figures figures = new Figures(0, 0, 0, 0, 0);

  /**
   * Judges every set key of {@code history}.
   *
   * @param strict false only counts (data could be lost)
   * @param duringRun whether reads during the run are judged against acknowledged writes too; false
   *     under sloppy quorum, where an acknowledged write may sit on stand-ins (as hints) that reads
   *     do not ask until the hints are delivered: then only the final reads judge loss
   */
  public List<Violation> check(History history, boolean strict, boolean duringRun) {
    violations.clear();
    long acknowledged = 0;
    long lost = 0;
    long indeterminate = 0;
    long notAttempted = 0;
    long readsJudged = 0;
    for (String key : history.keys(History.Workload.SET)) {
      History.Operation write = null;
      List<History.Operation> reads = new ArrayList<>();
      History.Operation finalRead = null;
      for (History.Operation operation : history.of(key)) {
        if (operation.request().kind() == ClientRequest.Kind.WRITE) {
          if (write != null) {
            throw new IllegalStateException("set key " + key + " written twice: " + operation);
          }
          write = operation;
        } else if (operation.request().isRead()
            && operation.request().level() == ConsistencyLevel.QUORUM
            && operation.succeeded()) {
          reads.add(operation);
          if (operation.workload() == History.Workload.FINAL) {
            finalRead = operation;
          }
        }
      }
      if (write == null) {
        continue; // read before any write could be sent: nothing to judge
      }
      ClientOutcome outcome = write.outcome();
      boolean acked = outcome != null && outcome.succeeded();
      if (acked) {
        acknowledged++;
      } else if (outcome == null || outcome.indeterminate()) {
        indeterminate++;
      } else {
        notAttempted++;
      }
      byte[] value = write.request().value().getBytes(StandardCharsets.UTF_8);
      long timestamp = outcome == null ? 0 : outcome.timestamp();
      boolean keyLost = false;
      for (History.Operation read : reads) {
        readsJudged++;
        Cell cell = read.outcome().cell();
        String problem = null;
        if (acked
            && write.endedBefore(read)
            && (duringRun || read.workload() == History.Workload.FINAL)) {
          if (cell == null
              || cell.isTombstone()
              || !Arrays.equals(cell.value(), value)
              || cell.timestamp() != timestamp) {
            problem = "lost: acknowledged " + write + ", then " + read;
            keyLost = true;
          }
        } else if (outcome != null && outcome.notAttempted()) {
          if (cell != null) {
            problem = "phantom: never attempted " + write + ", yet " + read;
          }
        } else if (cell != null) {
          boolean same = !cell.isTombstone() && Arrays.equals(cell.value(), value);
          if (!same || (timestamp != 0 && cell.timestamp() != timestamp)) {
            problem = "phantom: " + read + " is not what " + write + " wrote";
          }
        }
        if (problem != null && strict) {
          violations.add(new Violation("acknowledged-writes", read.endNanos(), problem));
        }
      }
      if (acked && finalRead == null) {
        keyLost = true;
        if (strict) {
          violations.add(
              new Violation(
                  "acknowledged-writes",
                  write.endNanos(),
                  "no successful final QUORUM read of " + key + " to judge " + write));
        }
      }
      if (acked && keyLost) {
        lost++;
      }
    }
    figures = new Figures(acknowledged, lost, indeterminate, notAttempted, readsJudged);
    return List.copyOf(violations);
  }

  public Figures figures() {
    return figures;
  }
}
