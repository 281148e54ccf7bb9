package io.ringkv.server.kv;

import io.ringkv.storage.Cell;

/**
 * A value as a read returns it: the bytes, the write's timestamp, its expiry, and an opaque causal
 * context (empty until the causal issue fills it). {@link #absent()} when there is no live value.
 *
 * @param value the value, or null when absent
 * @param timestamp the write's timestamp (the coordinator's clock)
 * @param expiresAtMillis epoch milliseconds of expiry, or {@link Cell#NO_EXPIRY}
 * @param context opaque causal context; empty when none
 */
public record Versioned(byte[] value, long timestamp, long expiresAtMillis, byte[] context) {
  private static final byte[] EMPTY = new byte[0];
  private static final Versioned ABSENT = new Versioned(null, 0, Cell.NO_EXPIRY, EMPTY);

  public Versioned {
    context = context == null ? EMPTY : context;
  }

  public static Versioned absent() {
    return ABSENT;
  }

  public static Versioned of(byte[] value, long timestamp, long expiresAtMillis) {
    return new Versioned(value, timestamp, expiresAtMillis, EMPTY);
  }

  public boolean isPresent() {
    return value != null;
  }

  public boolean hasExpiry() {
    return expiresAtMillis != Cell.NO_EXPIRY;
  }
}
