package io.ringkv.client;

import io.ringkv.common.ConsistencyLevel;
import java.time.Duration;

/**
 * How one set write (add, remove) is carried out. Immutable; {@code with...} methods return changed
 * copies. Set writes carry no idempotency key: adding a member twice leaves it once, so an
 * indeterminate add may be retried by the caller; the client does not retry set writes itself.
 *
 * @param consistency how many replicas must acknowledge; null for the client's default level
 * @param timeout the deadline of the whole call; null for the client's default
 * @param causalContext for a remove, the context of the {@link RingkvClient#setMembers} read it
 *     follows: only the adds that read saw are removed, so a concurrent add survives; empty removes
 *     what the coordinating replica holds. Ignored by adds.
 * @param keyspace the keyspace (it must be causal); null for the client's default keyspace
 */
public record SetOptions(
    ConsistencyLevel consistency, Duration timeout, byte[] causalContext, String keyspace) {
  private static final byte[] EMPTY = new byte[0];
  private static final SetOptions DEFAULTS = new SetOptions(null, null, EMPTY, null);

  public SetOptions {
    Options.checkTimeout(timeout);
    causalContext = causalContext == null ? EMPTY : causalContext;
    keyspace = Options.keyspace(keyspace);
  }

  public static SetOptions defaults() {
    return DEFAULTS;
  }

  public SetOptions withConsistency(ConsistencyLevel level) {
    return new SetOptions(level, timeout, causalContext, keyspace);
  }

  public SetOptions withTimeout(Duration newTimeout) {
    return new SetOptions(consistency, newTimeout, causalContext, keyspace);
  }

  public SetOptions withCausalContext(byte[] context) {
    return new SetOptions(consistency, timeout, context, keyspace);
  }

  public SetOptions withKeyspace(String name) {
    return new SetOptions(consistency, timeout, causalContext, name);
  }
}
