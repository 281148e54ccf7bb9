package io.ringkv.cluster.replication;

import io.ringkv.storage.Cell;

/** How a coordinated request ended, as the client hears it. */
public sealed interface Outcome {

  /**
   * The level was met.
   *
   * @param cell for a read, the reconciled newest cell (tombstones and expired cells included; the
   *     front end decides what is live), or null when no replica holds the key; for a causal write
   *     the key's cell as the dot replica left it (its context is the client's next one); null for
   *     any other write
   * @param answers how many replicas answered in time (for ANY, hints stored count)
   */
  record Success(Cell cell, int answers) implements Outcome {}

  /**
   * Not enough live replicas to meet the level: nothing was attempted; retrying later may work.
   *
   * @param message which level, how many needed, how many alive
   */
  record Unavailable(String message) implements Outcome {}

  /**
   * Fewer answers than the level needs arrived in time, or replicas failed. A write may or may not
   * have applied on some replicas (indeterminate); hints were kept for those that did not answer.
   *
   * @param answers how many answered
   * @param required how many the level needs
   * @param message what happened, saying that a write's outcome is unknown
   */
  record TimedOut(int answers, int required, String message) implements Outcome {}

  /**
   * A causal write the dot replica refused: nothing was written anywhere, and retrying the same
   * write will be refused again (until the key changes).
   *
   * @param reason why (WRONGTYPE, the sibling cap, counter overflow, …)
   * @param message for the client; a WRONGTYPE one starts with Redis' {@code WRONGTYPE}
   */
  record Refused(io.ringkv.cluster.version.CausalCells.Refusal reason, String message)
      implements Outcome {}
}
