package io.ringkv.server.kv;

import io.ringkv.storage.Cell;

/** The expiry a write gives its value. */
public sealed interface Expiry {

  /**
   * {@code cell} with this expiry, given the key's {@code current} value (null or absent when it
   * has none; only {@link Keep} looks at it). A time already past at {@code nowMillis} turns the
   * write into a delete, as in Redis: a tombstone with the cell's timestamp and its deletion time
   * stamped now, so that every replica stores the same tombstone.
   */
  default Cell applyTo(Cell cell, Versioned current, long nowMillis) {
    long at =
        switch (this) {
          case None none -> Cell.NO_EXPIRY;
          case Keep keep ->
              current != null && current.isPresent() ? current.expiresAtMillis() : Cell.NO_EXPIRY;
          case At a -> a.epochMillis();
        };
    if (at == Cell.NO_EXPIRY) {
      return cell;
    }
    if (at <= nowMillis) {
      return Cell.tombstone(cell.timestamp()).stampDeletionTime(nowMillis);
    }
    return cell.withExpiry(at);
  }

  /** Never expires. */
  record None() implements Expiry {}

  /** Keeps the expiry the present value has (Redis KEEPTTL); none if there is no value. */
  record Keep() implements Expiry {}

  /** Expires at {@code epochMillis}; a time in the past makes the write a delete. */
  record At(long epochMillis) implements Expiry {}

  static Expiry none() {
    return new None();
  }

  static Expiry keep() {
    return new Keep();
  }

  static Expiry at(long epochMillis) {
    return new At(epochMillis);
  }
}
