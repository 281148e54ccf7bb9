package io.ringkv.server.kv;

import io.ringkv.common.ConsistencyLevel;

/**
 * How a write is carried out.
 *
 * @param consistency how many replicas must acknowledge; null for the keyspace's default
 * @param condition when the write applies
 * @param returnPrevious whether the outcome carries the value the write replaced
 * @param sessionTimestamp the highest timestamp the client has been told of (a hybrid logical clock
 *     value), 0 for none. A coordinator in a cluster merges it into its clock before stamping, so
 *     that a client's write through a coordinator whose clock is behind still wins over the
 *     client's earlier writes through others (docs/design/replication.md, "Sessions"); one further
 *     ahead of the coordinator's wall clock than {@code replication.max_clock_skew_millis} is
 *     refused. A node without the cluster ignores it: its own clock orders all its writes.
 * @param keyspace the keyspace written; null for {@code default}
 * @param idempotencyKey the client's key for this write (1 to 64 bytes), or null: a retry of a
 *     write with the same key is applied at most once where the data type can tell (counters
 *     exactly, docs/design/causal.md); not copied
 */
public record WriteOptions(
    ConsistencyLevel consistency,
    Condition condition,
    boolean returnPrevious,
    long sessionTimestamp,
    String keyspace,
    byte[] idempotencyKey) {

  /** When a conditional write applies. */
  public enum Condition {
    /** Always. */
    ALWAYS,
    /** Only if the key has no live value (Redis NX). */
    IF_ABSENT,
    /** Only if the key has a live value (Redis XX). */
    IF_PRESENT
  }

  public WriteOptions {
    condition = condition == null ? Condition.ALWAYS : condition;
  }

  /** Options for the default keyspace, without an idempotency key. */
  public WriteOptions(
      ConsistencyLevel consistency,
      Condition condition,
      boolean returnPrevious,
      long sessionTimestamp) {
    this(consistency, condition, returnPrevious, sessionTimestamp, null, null);
  }

  /** Options without a session timestamp. */
  public WriteOptions(ConsistencyLevel consistency, Condition condition, boolean returnPrevious) {
    this(consistency, condition, returnPrevious, 0);
  }

  public static WriteOptions defaults() {
    return new WriteOptions(null, Condition.ALWAYS, false, 0, null, null);
  }

  public WriteOptions withConsistency(ConsistencyLevel level) {
    return new WriteOptions(
        level, condition, returnPrevious, sessionTimestamp, keyspace, idempotencyKey);
  }

  public WriteOptions withCondition(Condition newCondition) {
    return new WriteOptions(
        consistency, newCondition, returnPrevious, sessionTimestamp, keyspace, idempotencyKey);
  }

  public WriteOptions returningPrevious() {
    return new WriteOptions(
        consistency, condition, true, sessionTimestamp, keyspace, idempotencyKey);
  }

  /** These options with the client's session timestamp (0: none). */
  public WriteOptions withSessionTimestamp(long timestamp) {
    return new WriteOptions(
        consistency, condition, returnPrevious, timestamp, keyspace, idempotencyKey);
  }

  /** These options in {@code name} (null: the default keyspace). */
  public WriteOptions withKeyspace(String name) {
    return new WriteOptions(
        consistency, condition, returnPrevious, sessionTimestamp, name, idempotencyKey);
  }

  /** These options with the client's idempotency key (null: none). */
  public WriteOptions withIdempotencyKey(byte[] key) {
    return new WriteOptions(
        consistency, condition, returnPrevious, sessionTimestamp, keyspace, key);
  }
}
