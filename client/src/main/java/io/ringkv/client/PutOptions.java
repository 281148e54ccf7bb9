package io.ringkv.client;

import io.ringkv.common.ConsistencyLevel;
import java.time.Duration;

/**
 * How one put is carried out. Immutable; {@code with...} methods return changed copies. At most one
 * expiry is set: a TTL, an absolute time, or keeping the replaced value's expiry.
 *
 * @param consistency how many replicas must acknowledge; null for the client's default level
 * @param timeout the deadline of the whole call; null for the client's default
 * @param ttl the value expires this long after the node receives it; null for none
 * @param expiresAtMillis the value expires at this time (milliseconds since the epoch; a time past
 *     makes the put a delete); 0 for none
 * @param keepTtl keep the expiry of the value being replaced (Redis KEEPTTL)
 * @param condition when the put applies
 * @param returnPrevious whether the result carries the value the put replaced
 * @param idempotencyKey 1 to 64 bytes of UTF-8 naming this write, or null: a put with one may be
 *     retried, by the client on another node too, even when its outcome is unknown (see the README,
 *     "Failover")
 * @param causalContext in a causal keyspace, the context of the read this put follows ({@link
 *     Versions#causalContext()}): the put supersedes exactly what that read saw; empty for a blind
 *     put. Cannot be combined with an expiry, a condition or returnPrevious in a causal keyspace.
 * @param keyspace the keyspace written; null for the client's default keyspace
 */
public record PutOptions(
    ConsistencyLevel consistency,
    Duration timeout,
    Duration ttl,
    long expiresAtMillis,
    boolean keepTtl,
    WriteCondition condition,
    boolean returnPrevious,
    String idempotencyKey,
    byte[] causalContext,
    String keyspace) {
  private static final byte[] EMPTY = new byte[0];
  private static final PutOptions DEFAULTS =
      new PutOptions(null, null, null, 0, false, WriteCondition.ALWAYS, false, null, EMPTY, null);

  public PutOptions {
    Options.checkTimeout(timeout);
    if (ttl != null && (ttl.isNegative() || ttl.isZero() || ttl.toMillis() == 0)) {
      throw new IllegalArgumentException("ttl must be at least 1 ms, was " + ttl);
    }
    if (expiresAtMillis < 0) {
      throw new IllegalArgumentException(
          "expiresAtMillis must be positive, was " + expiresAtMillis);
    }
    int expiries = (ttl != null ? 1 : 0) + (expiresAtMillis != 0 ? 1 : 0) + (keepTtl ? 1 : 0);
    if (expiries > 1) {
      throw new IllegalArgumentException(
          "set at most one of ttl, expiresAtMillis and keepTtl; got " + expiries);
    }
    condition = condition == null ? WriteCondition.ALWAYS : condition;
    causalContext = causalContext == null ? EMPTY : causalContext;
    idempotencyKey = Options.idempotencyKey(idempotencyKey);
    keyspace = Options.keyspace(keyspace);
  }

  /** Options in the client's default keyspace. */
  public PutOptions(
      ConsistencyLevel consistency,
      Duration timeout,
      Duration ttl,
      long expiresAtMillis,
      boolean keepTtl,
      WriteCondition condition,
      boolean returnPrevious,
      String idempotencyKey,
      byte[] causalContext) {
    this(
        consistency,
        timeout,
        ttl,
        expiresAtMillis,
        keepTtl,
        condition,
        returnPrevious,
        idempotencyKey,
        causalContext,
        null);
  }

  /** The client's defaults: no expiry, no condition. */
  public static PutOptions defaults() {
    return DEFAULTS;
  }

  public PutOptions withConsistency(ConsistencyLevel level) {
    return new PutOptions(
        level,
        timeout,
        ttl,
        expiresAtMillis,
        keepTtl,
        condition,
        returnPrevious,
        idempotencyKey,
        causalContext,
        keyspace);
  }

  public PutOptions withTimeout(Duration newTimeout) {
    return new PutOptions(
        consistency,
        newTimeout,
        ttl,
        expiresAtMillis,
        keepTtl,
        condition,
        returnPrevious,
        idempotencyKey,
        causalContext,
        keyspace);
  }

  /** Expires {@code newTtl} after the node receives the put (replaces any other expiry). */
  public PutOptions withTtl(Duration newTtl) {
    return new PutOptions(
        consistency,
        timeout,
        newTtl,
        0,
        false,
        condition,
        returnPrevious,
        idempotencyKey,
        causalContext,
        keyspace);
  }

  /** Expires at {@code epochMillis} (replaces any other expiry). */
  public PutOptions withExpiresAtMillis(long epochMillis) {
    if (epochMillis <= 0) {
      throw new IllegalArgumentException("expiresAtMillis must be positive, was " + epochMillis);
    }
    return new PutOptions(
        consistency,
        timeout,
        null,
        epochMillis,
        false,
        condition,
        returnPrevious,
        idempotencyKey,
        causalContext,
        keyspace);
  }

  /** Keeps the replaced value's expiry (replaces any other expiry). */
  public PutOptions keepingTtl() {
    return new PutOptions(
        consistency,
        timeout,
        null,
        0,
        true,
        condition,
        returnPrevious,
        idempotencyKey,
        causalContext,
        keyspace);
  }

  public PutOptions withCondition(WriteCondition newCondition) {
    return new PutOptions(
        consistency,
        timeout,
        ttl,
        expiresAtMillis,
        keepTtl,
        newCondition,
        returnPrevious,
        idempotencyKey,
        causalContext,
        keyspace);
  }

  /** Applies only if the key has no live value. */
  public PutOptions ifAbsent() {
    return withCondition(WriteCondition.IF_ABSENT);
  }

  /** Applies only if the key has a live value. */
  public PutOptions ifPresent() {
    return withCondition(WriteCondition.IF_PRESENT);
  }

  public PutOptions returningPrevious() {
    return new PutOptions(
        consistency,
        timeout,
        ttl,
        expiresAtMillis,
        keepTtl,
        condition,
        true,
        idempotencyKey,
        causalContext,
        keyspace);
  }

  public PutOptions withIdempotencyKey(String key) {
    return new PutOptions(
        consistency,
        timeout,
        ttl,
        expiresAtMillis,
        keepTtl,
        condition,
        returnPrevious,
        key,
        causalContext,
        keyspace);
  }

  /** Writes {@code name} (null: the client's default keyspace). */
  public PutOptions withKeyspace(String name) {
    return new PutOptions(
        consistency,
        timeout,
        ttl,
        expiresAtMillis,
        keepTtl,
        condition,
        returnPrevious,
        idempotencyKey,
        causalContext,
        name);
  }

  public PutOptions withCausalContext(byte[] context) {
    return new PutOptions(
        consistency,
        timeout,
        ttl,
        expiresAtMillis,
        keepTtl,
        condition,
        returnPrevious,
        idempotencyKey,
        context,
        keyspace);
  }
}
