package io.ringkv.server.kv;

/** The expiry a write gives its value. */
public sealed interface Expiry {

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
