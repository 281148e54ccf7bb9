package io.ringkv.client;

import io.ringkv.common.ConsistencyLevel;
import java.time.Duration;

/**
 * How one read (get, multi-get, get of versions, set members) is carried out. Immutable; {@code
 * with...} methods return changed copies.
 *
 * @param consistency how many replicas must answer; null for the client's default level
 * @param timeout the deadline of the whole call, failover included; null for the client's default
 * @param causalContext reserved for session guarantees: the context of values this client has seen
 *     (accepted by the server and ignored today); empty for none
 * @param keyspace the keyspace read; null for the client's default keyspace ({@code default} unless
 *     the builder set one)
 */
public record ReadOptions(
    ConsistencyLevel consistency, Duration timeout, byte[] causalContext, String keyspace) {
  private static final byte[] EMPTY = new byte[0];
  private static final ReadOptions DEFAULTS = new ReadOptions(null, null, EMPTY, null);

  public ReadOptions {
    if (consistency != null && !consistency.allowsReads()) {
      throw new IllegalArgumentException(
          "consistency " + consistency + " is for writes only; a read cannot use it");
    }
    Options.checkTimeout(timeout);
    causalContext = causalContext == null ? EMPTY : causalContext;
    keyspace = Options.keyspace(keyspace);
  }

  /** Options in the client's default keyspace. */
  public ReadOptions(ConsistencyLevel consistency, Duration timeout, byte[] causalContext) {
    this(consistency, timeout, causalContext, null);
  }

  /** The client's defaults. */
  public static ReadOptions defaults() {
    return DEFAULTS;
  }

  public ReadOptions withConsistency(ConsistencyLevel level) {
    return new ReadOptions(level, timeout, causalContext, keyspace);
  }

  public ReadOptions withTimeout(Duration newTimeout) {
    return new ReadOptions(consistency, newTimeout, causalContext, keyspace);
  }

  public ReadOptions withCausalContext(byte[] context) {
    return new ReadOptions(consistency, timeout, context, keyspace);
  }

  /** Reads {@code name} (null: the client's default keyspace). */
  public ReadOptions withKeyspace(String name) {
    return new ReadOptions(consistency, timeout, causalContext, name);
  }
}
