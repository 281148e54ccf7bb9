package io.ringkv.sim.replication;

import io.ringkv.storage.Cell;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * How a client request ended, as the client hears it.
 *
 * @param kind what happened
 * @param cell for a successful read, the reconciled cell (null: no replica holds the key)
 * @param timestamp for a write or delete the coordinator stamped, its HLC timestamp (the client's
 *     session keeps the highest); for a read, the cell's timestamp; 0 otherwise
 * @param message why, for failures
 */
public record ClientOutcome(Kind kind, Cell cell, long timestamp, String message) {

  /** The ways a request ends. */
  public enum Kind {
    /** The level was met. */
    SUCCESS,
    /** Not enough live replicas: nothing was attempted. */
    UNAVAILABLE,
    /** Fewer answers than needed in time: a write may or may not have applied (indeterminate). */
    TIMED_OUT,
    /**
     * The coordinator refused before stamping anything: its clock is too far from its peers', it is
     * overloaded, or the level is impossible. Nothing was attempted.
     */
    REFUSED,
    /** The coordinator's process is not there (connection refused): nothing was attempted. */
    NOT_CONNECTED,
    /**
     * The client heard nothing before its own deadline (the coordinator crashed or froze): a write
     * may or may not have applied.
     */
    NO_ANSWER
  }

  public ClientOutcome {
    Objects.requireNonNull(kind, "kind");
    message = message == null ? "" : message;
  }

  public boolean succeeded() {
    return kind == Kind.SUCCESS;
  }

  /** True if a write certainly did not apply anywhere: nothing was attempted. */
  public boolean notAttempted() {
    return kind == Kind.UNAVAILABLE || kind == Kind.REFUSED || kind == Kind.NOT_CONNECTED;
  }

  /** True if a write may or may not have applied. */
  public boolean indeterminate() {
    return kind == Kind.TIMED_OUT || kind == Kind.NO_ANSWER;
  }

  /** The value a successful read returned, or null if the key is absent, deleted or expired. */
  public String liveValue(long nowMillis) {
    if (cell == null || !cell.isLive(nowMillis)) {
      return null;
    }
    return new String(cell.value(), StandardCharsets.UTF_8);
  }

  /** The value of the cell regardless of expiry, or null for none or a tombstone. */
  public String value() {
    return cell == null || cell.isTombstone()
        ? null
        : new String(cell.value(), StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return kind
        + (cell != null ? " " + ReplicaMessage.cell(cell) : "")
        + (message.isEmpty() ? "" : " (" + message + ")");
  }
}
