package io.ringkv.client;

import io.ringkv.common.ConsistencyLevel;
import java.time.Duration;

/**
 * How one delete is carried out. Immutable; {@code with...} methods return changed copies.
 *
 * @param consistency how many replicas must acknowledge; null for the client's default level
 * @param timeout the deadline of the whole call; null for the client's default
 * @param returnPrevious whether the result carries the value the delete removed (the way to learn
 *     whether there was one)
 * @param idempotencyKey reserved for safe retries; null for none
 * @param causalContext reserved for causal consistency; empty for none
 */
public record DeleteOptions(
    ConsistencyLevel consistency,
    Duration timeout,
    boolean returnPrevious,
    String idempotencyKey,
    byte[] causalContext) {
  private static final byte[] EMPTY = new byte[0];
  private static final DeleteOptions DEFAULTS = new DeleteOptions(null, null, false, null, EMPTY);

  public DeleteOptions {
    Options.checkTimeout(timeout);
    causalContext = causalContext == null ? EMPTY : causalContext;
  }

  public static DeleteOptions defaults() {
    return DEFAULTS;
  }

  public DeleteOptions withConsistency(ConsistencyLevel level) {
    return new DeleteOptions(level, timeout, returnPrevious, idempotencyKey, causalContext);
  }

  public DeleteOptions withTimeout(Duration newTimeout) {
    return new DeleteOptions(
        consistency, newTimeout, returnPrevious, idempotencyKey, causalContext);
  }

  public DeleteOptions returningPrevious() {
    return new DeleteOptions(consistency, timeout, true, idempotencyKey, causalContext);
  }

  public DeleteOptions withIdempotencyKey(String key) {
    return new DeleteOptions(consistency, timeout, returnPrevious, key, causalContext);
  }

  public DeleteOptions withCausalContext(byte[] context) {
    return new DeleteOptions(consistency, timeout, returnPrevious, idempotencyKey, context);
  }
}
