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
 * @param idempotencyKey as in {@link PutOptions}: lets the client retry the delete; null for none
 * @param causalContext in a causal keyspace, the context of the read this delete follows: it
 *     supersedes what that read saw; empty for a blind delete. Cannot be combined with
 *     returnPrevious in a causal keyspace.
 * @param keyspace the keyspace written; null for the client's default keyspace
 */
public record DeleteOptions(
    ConsistencyLevel consistency,
    Duration timeout,
    boolean returnPrevious,
    String idempotencyKey,
    byte[] causalContext,
    String keyspace) {
  private static final byte[] EMPTY = new byte[0];
  private static final DeleteOptions DEFAULTS =
      new DeleteOptions(null, null, false, null, EMPTY, null);

  public DeleteOptions {
    Options.checkTimeout(timeout);
    causalContext = causalContext == null ? EMPTY : causalContext;
    idempotencyKey = Options.idempotencyKey(idempotencyKey);
    keyspace = Options.keyspace(keyspace);
  }

  /** Options in the client's default keyspace. */
  public DeleteOptions(
      ConsistencyLevel consistency,
      Duration timeout,
      boolean returnPrevious,
      String idempotencyKey,
      byte[] causalContext) {
    this(consistency, timeout, returnPrevious, idempotencyKey, causalContext, null);
  }

  public static DeleteOptions defaults() {
    return DEFAULTS;
  }

  public DeleteOptions withConsistency(ConsistencyLevel level) {
    return new DeleteOptions(
        level, timeout, returnPrevious, idempotencyKey, causalContext, keyspace);
  }

  public DeleteOptions withTimeout(Duration newTimeout) {
    return new DeleteOptions(
        consistency, newTimeout, returnPrevious, idempotencyKey, causalContext, keyspace);
  }

  public DeleteOptions returningPrevious() {
    return new DeleteOptions(consistency, timeout, true, idempotencyKey, causalContext, keyspace);
  }

  public DeleteOptions withIdempotencyKey(String key) {
    return new DeleteOptions(consistency, timeout, returnPrevious, key, causalContext, keyspace);
  }

  public DeleteOptions withCausalContext(byte[] context) {
    return new DeleteOptions(
        consistency, timeout, returnPrevious, idempotencyKey, context, keyspace);
  }

  /** Writes {@code name} (null: the client's default keyspace). */
  public DeleteOptions withKeyspace(String name) {
    return new DeleteOptions(
        consistency, timeout, returnPrevious, idempotencyKey, causalContext, name);
  }
}
