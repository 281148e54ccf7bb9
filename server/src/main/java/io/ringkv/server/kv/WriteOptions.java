package io.ringkv.server.kv;

import io.ringkv.common.ConsistencyLevel;

/**
 * How a write is carried out.
 *
 * @param consistency how many replicas must acknowledge; null for the keyspace's default
 * @param condition when the write applies
 * @param returnPrevious whether the outcome carries the value the write replaced
 */
public record WriteOptions(
    ConsistencyLevel consistency, Condition condition, boolean returnPrevious) {

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

  public static WriteOptions defaults() {
    return new WriteOptions(null, Condition.ALWAYS, false);
  }

  public WriteOptions withConsistency(ConsistencyLevel level) {
    return new WriteOptions(level, condition, returnPrevious);
  }

  public WriteOptions withCondition(Condition newCondition) {
    return new WriteOptions(consistency, newCondition, returnPrevious);
  }

  public WriteOptions returningPrevious() {
    return new WriteOptions(consistency, condition, true);
  }
}
