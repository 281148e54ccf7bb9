package io.ringkv.client;

import java.util.Optional;

/**
 * What a put or delete did.
 *
 * @param applied false if the write's condition did not hold (nothing was written)
 * @param timestamp the write's timestamp (a hybrid logical clock value); 0 if not applied
 * @param expiresAtMillis when the written value expires (milliseconds since the epoch); 0 if never,
 *     for a delete, or if not applied
 * @param causalContext the key's causal context after the write in a causal keyspace (send it with
 *     the next write of the key); empty in a last-write-wins keyspace
 * @param previous the live value the write replaced, if the options asked for it and there was one
 */
public record WriteResult(
    boolean applied,
    long timestamp,
    long expiresAtMillis,
    byte[] causalContext,
    Optional<Value> previous) {
  private static final byte[] EMPTY = new byte[0];

  public WriteResult {
    causalContext = causalContext == null ? EMPTY : causalContext;
    previous = previous == null ? Optional.empty() : previous;
  }
}
