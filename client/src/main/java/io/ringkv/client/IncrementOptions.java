package io.ringkv.client;

import io.ringkv.common.ConsistencyLevel;
import java.time.Duration;

/**
 * How one counter increment is carried out. Immutable; {@code with...} methods return changed
 * copies.
 *
 * @param consistency how many replicas must acknowledge; null for the client's default level
 * @param timeout the deadline of the whole call; null for the client's default
 * @param idempotencyKey 1 to 64 bytes of UTF-8 naming this increment, or null: a retry with the
 *     same key counts once, so the client may retry it on another node even when its outcome is
 *     unknown (README, "Failover")
 * @param keyspace the keyspace (it must be causal); null for the client's default keyspace
 */
public record IncrementOptions(
    ConsistencyLevel consistency, Duration timeout, String idempotencyKey, String keyspace) {
  private static final IncrementOptions DEFAULTS = new IncrementOptions(null, null, null, null);

  public IncrementOptions {
    Options.checkTimeout(timeout);
    idempotencyKey = Options.idempotencyKey(idempotencyKey);
    keyspace = Options.keyspace(keyspace);
  }

  public static IncrementOptions defaults() {
    return DEFAULTS;
  }

  public IncrementOptions withConsistency(ConsistencyLevel level) {
    return new IncrementOptions(level, timeout, idempotencyKey, keyspace);
  }

  public IncrementOptions withTimeout(Duration newTimeout) {
    return new IncrementOptions(consistency, newTimeout, idempotencyKey, keyspace);
  }

  public IncrementOptions withIdempotencyKey(String key) {
    return new IncrementOptions(consistency, timeout, key, keyspace);
  }

  public IncrementOptions withKeyspace(String name) {
    return new IncrementOptions(consistency, timeout, idempotencyKey, name);
  }
}
