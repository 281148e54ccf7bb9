package io.ringkv.client;

import io.ringkv.common.ConsistencyLevel;
import java.time.Duration;

/**
 * How one read (get, multi-get) is carried out. Immutable; {@code with...} methods return changed
 * copies.
 *
 * @param consistency how many replicas must answer; null for the client's default level
 * @param timeout the deadline of the whole call, failover included; null for the client's default
 * @param causalContext reserved for causal consistency: the context of values this client has seen
 *     (accepted by the server and ignored until causal mode exists); empty for none
 */
public record ReadOptions(ConsistencyLevel consistency, Duration timeout, byte[] causalContext) {
  private static final byte[] EMPTY = new byte[0];
  private static final ReadOptions DEFAULTS = new ReadOptions(null, null, EMPTY);

  public ReadOptions {
    if (consistency != null && !consistency.allowsReads()) {
      throw new IllegalArgumentException(
          "consistency " + consistency + " is for writes only; a read cannot use it");
    }
    Options.checkTimeout(timeout);
    causalContext = causalContext == null ? EMPTY : causalContext;
  }

  /** The client's defaults. */
  public static ReadOptions defaults() {
    return DEFAULTS;
  }

  public ReadOptions withConsistency(ConsistencyLevel level) {
    return new ReadOptions(level, timeout, causalContext);
  }

  public ReadOptions withTimeout(Duration newTimeout) {
    return new ReadOptions(consistency, newTimeout, causalContext);
  }

  public ReadOptions withCausalContext(byte[] context) {
    return new ReadOptions(consistency, timeout, context);
  }
}
