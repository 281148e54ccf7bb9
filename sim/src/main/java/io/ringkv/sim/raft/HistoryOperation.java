package io.ringkv.sim.raft;

import io.ringkv.sim.SimTime;

/**
 * One client operation as the linearizability checker sees it: when the client invoked it, when it
 * heard the answer (true simulated time), and the answer.
 *
 * <p>An operation whose answer never came (the client gave up after its deadline, or the run ended
 * first) is <em>indeterminate</em>: it may have taken effect, at any time after its invocation, or
 * not at all. Its return time is {@link #NEVER} and its result is unknown; the checker may place it
 * anywhere after its invocation, including after everything else, which is the same as its not
 * having happened (Knossos and porcupine treat crashed operations the same way). Reads that never
 * returned constrain nothing and are left out of the history altogether.
 *
 * @param id the operation's number in its history, from 0
 * @param client the client that invoked it
 * @param invokeNanos when it was invoked
 * @param returnNanos when its answer arrived, or {@link #NEVER}
 * @param operation what was asked
 * @param result for a get, the value read ({@link KvOperation#ABSENT} if none); for a
 *     compare-and-set, 1 if it set the value, 0 if not; for a put, 0. Meaningless if indeterminate.
 */
public record HistoryOperation(
    int id, int client, long invokeNanos, long returnNanos, KvOperation operation, long result) {
  /** The return time of an operation whose answer never came. */
  public static final long NEVER = Long.MAX_VALUE;

  public HistoryOperation {
    if (returnNanos < invokeNanos) {
      throw new IllegalArgumentException(
          "operation "
              + id
              + " returns at "
              + returnNanos
              + ", before its invocation "
              + invokeNanos);
    }
    if (returnNanos == NEVER && !operation.isWrite()) {
      throw new IllegalArgumentException("a read that never returned belongs in no history");
    }
  }

  /** A completed operation. */
  public static HistoryOperation completed(
      int id, int client, long invokeNanos, long returnNanos, KvOperation operation, long result) {
    return new HistoryOperation(id, client, invokeNanos, returnNanos, operation, result);
  }

  /** A write whose answer never came. */
  public static HistoryOperation indeterminate(
      int id, int client, long invokeNanos, KvOperation operation) {
    return new HistoryOperation(id, client, invokeNanos, NEVER, operation, 0);
  }

  public boolean isIndeterminate() {
    return returnNanos == NEVER;
  }

  @Override
  public String toString() {
    String answer =
        isIndeterminate()
            ? "?"
            : switch (operation) {
              case KvOperation.Get get -> result == KvOperation.ABSENT ? "absent" : "" + result;
              case KvOperation.Put put -> "ok";
              case KvOperation.CompareAndSet cas -> result == 1 ? "set" : "not set";
            };
    return "#"
        + id
        + " c"
        + client
        + " "
        + operation
        + " -> "
        + answer
        + " ["
        + SimTime.format(invokeNanos)
        + ", "
        + (isIndeterminate() ? "never" : SimTime.format(returnNanos))
        + "]";
  }
}
