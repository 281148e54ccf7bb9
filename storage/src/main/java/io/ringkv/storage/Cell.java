package io.ringkv.storage;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * What the engine stores under a key: a value or a tombstone, with the metadata the cluster layer
 * needs (a 64-bit timestamp, an optional expiry, an opaque version blob for causal metadata), so
 * that the cluster never re-encodes values. Immutable; the arrays are neither copied nor to be
 * changed.
 *
 * <p>The engine itself orders versions of a key by when they were written (sequence numbers), not
 * by {@link #timestamp()}: reconciling by timestamp is the cluster's job.
 *
 * <p>A dead cell's time of death is {@link #expiresAtMillis()}: a value's expiry, or, for a
 * tombstone, the local time of the deletion. Compaction purges a dead cell once it has been dead
 * for the tombstone grace period. Engines stamp a tombstone written without one with their clock's
 * time ({@link #stampDeletionTime}); a tombstone copied between nodes keeps its original time.
 */
public final class Cell {
  /** {@link #expiresAtMillis()} of a cell that never expires. */
  public static final long NO_EXPIRY = 0;

  private static final byte[] EMPTY = new byte[0];

  private final byte[] value;
  private final long timestamp;
  private final long expiresAtMillis;
  private final byte[] version;

  private Cell(byte[] value, long timestamp, long expiresAtMillis, byte[] version) {
    if (expiresAtMillis < 0) {
      throw new IllegalArgumentException("expiresAtMillis must be >= 0, was " + expiresAtMillis);
    }
    this.value = value;
    this.timestamp = timestamp;
    this.expiresAtMillis = expiresAtMillis;
    this.version = version == null ? EMPTY : version;
  }

  /** A live value written at {@code timestamp}. */
  public static Cell value(byte[] value, long timestamp) {
    if (value == null) {
      throw new IllegalArgumentException("value must not be null; use Cell.tombstone to delete");
    }
    return new Cell(value, timestamp, NO_EXPIRY, EMPTY);
  }

  /** A deletion marker written at {@code timestamp}. */
  public static Cell tombstone(long timestamp) {
    return new Cell(null, timestamp, NO_EXPIRY, EMPTY);
  }

  /** Creates a cell from its parts; {@code value} null means a tombstone. For decoders. */
  public static Cell of(byte[] value, long timestamp, long expiresAtMillis, byte[] version) {
    return new Cell(value, timestamp, expiresAtMillis, version);
  }

  /**
   * This cell, expiring at {@code expiresAtMillis} (epoch ms), or never with {@link #NO_EXPIRY}.
   */
  public Cell withExpiry(long expiresAtMillis) {
    return new Cell(value, timestamp, expiresAtMillis, version);
  }

  /**
   * This cell as an engine stores it at {@code nowMillis}: a tombstone without a deletion time gets
   * {@code nowMillis}; anything else is returned as it is.
   */
  public Cell stampDeletionTime(long nowMillis) {
    if (value != null || expiresAtMillis != NO_EXPIRY) {
      return this;
    }
    return new Cell(null, timestamp, Math.max(1, nowMillis), version);
  }

  /** This cell with an opaque version blob (causal metadata); empty for none. */
  public Cell withVersion(byte[] version) {
    return new Cell(value, timestamp, expiresAtMillis, version);
  }

  public boolean isTombstone() {
    return value == null;
  }

  /** The value, or null for a tombstone. */
  public byte[] value() {
    return value;
  }

  public long timestamp() {
    return timestamp;
  }

  /** Epoch milliseconds after which the cell reads as absent, or {@link #NO_EXPIRY}. */
  public long expiresAtMillis() {
    return expiresAtMillis;
  }

  public boolean hasExpiry() {
    return expiresAtMillis != NO_EXPIRY;
  }

  /** The opaque version blob; empty, never null, when there is none. */
  public byte[] version() {
    return version;
  }

  /** True if the cell is a value that has expired at {@code nowMillis}. */
  public boolean isExpired(long nowMillis) {
    return value != null && expiresAtMillis != NO_EXPIRY && nowMillis >= expiresAtMillis;
  }

  /** True if a read at {@code nowMillis} should see this cell's value. */
  public boolean isLive(long nowMillis) {
    return value != null && !isExpired(nowMillis);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cell other
        && timestamp == other.timestamp
        && expiresAtMillis == other.expiresAtMillis
        && Arrays.equals(value, other.value)
        && Arrays.equals(version, other.version);
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(timestamp);
    h = 31 * h + Long.hashCode(expiresAtMillis);
    h = 31 * h + Arrays.hashCode(value);
    return 31 * h + Arrays.hashCode(version);
  }

  @Override
  public String toString() {
    String body =
        value == null
            ? "tombstone"
            : "value="
                + (value.length <= 32 ? HexFormat.of().formatHex(value) : value.length + "B");
    return "Cell{"
        + body
        + ", ts="
        + timestamp
        + (hasExpiry() ? ", expires=" + expiresAtMillis : "")
        + (version.length > 0 ? ", version=" + version.length + "B" : "")
        + "}";
  }
}
