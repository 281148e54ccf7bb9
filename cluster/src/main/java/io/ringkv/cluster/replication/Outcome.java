package io.ringkv.cluster.replication;

import io.ringkv.storage.Cell;

/** How a coordinated request ended, as the client hears it. */
public sealed interface Outcome {

  /**
   * The level was met.
   *
   * @param cell for a read, the reconciled newest cell (tombstones and expired cells included; the
   *     front end decides what is live), or null when no replica holds the key; null for a write
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
}
