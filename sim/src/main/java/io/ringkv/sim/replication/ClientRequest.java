package io.ringkv.sim.replication;

import io.ringkv.cluster.version.VersionVector;
import io.ringkv.common.ConsistencyLevel;
import java.util.Objects;

/**
 * What a simulated client asks a coordinator: a read, a write or a delete of one key at one level.
 *
 * @param kind read, write or delete
 * @param key the user key (ASCII, so that traces stay readable)
 * @param value the value of a write; null for reads and deletes
 * @param level the consistency level
 * @param sessionTimestamp the highest HLC timestamp the client's session has been told of (0:
 *     none); the coordinator merges it into its clock before stamping, so that a session's writes
 *     through different coordinators are ordered as issued (see docs/design/simulator.md)
 * @param ttlMillis a write's time to live from the coordinator's wall clock, 0 for none
 * @param causalContext a causal write's context (what its client read), or null: a blind causal
 *     write, or not a causal write
 * @param idempotencyKey a counter increment's idempotency key (a retry reuses it), or null
 */
public record ClientRequest(
    Kind kind,
    String key,
    String value,
    ConsistencyLevel level,
    long sessionTimestamp,
    long ttlMillis,
    VersionVector causalContext,
    String idempotencyKey) {

  /** What the request does. */
  public enum Kind {
    READ,
    WRITE,
    DELETE,
    /** A causal write (docs/design/causal.md): siblings instead of last-write-wins. */
    CAUSAL_WRITE,
    /**
     * A counter increment by {@code value} (a signed decimal), at most once per idempotency key.
     */
    COUNTER_INCREMENT,
    /** Adds the element {@code value} to a set. */
    SET_ADD,
    /** Removes the element {@code value} from a set, as the dot replica observes it. */
    SET_REMOVE;

    /** True for the kinds that go to a dot replica as a causal operation. */
    public boolean isCausal() {
      return this == CAUSAL_WRITE
          || this == COUNTER_INCREMENT
          || this == SET_ADD
          || this == SET_REMOVE;
    }
  }

  public ClientRequest {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(level, "level");
    if ((kind == Kind.WRITE || kind.isCausal()) != (value != null)) {
      throw new IllegalArgumentException("a write, and only a write, has a value");
    }
    if (idempotencyKey != null && kind != Kind.COUNTER_INCREMENT) {
      throw new IllegalArgumentException("only an increment has an idempotency key");
    }
    if (causalContext != null && kind != Kind.CAUSAL_WRITE) {
      throw new IllegalArgumentException("only a causal write has a causal context");
    }
    if (ttlMillis < 0) {
      throw new IllegalArgumentException("ttlMillis must be >= 0, was " + ttlMillis);
    }
  }

  public static ClientRequest read(String key, ConsistencyLevel level) {
    return new ClientRequest(Kind.READ, key, null, level, 0, 0, null, null);
  }

  public static ClientRequest write(String key, String value, ConsistencyLevel level) {
    return new ClientRequest(Kind.WRITE, key, value, level, 0, 0, null, null);
  }

  public static ClientRequest delete(String key, ConsistencyLevel level) {
    return new ClientRequest(Kind.DELETE, key, null, level, 0, 0, null, null);
  }

  /**
   * A causal write of {@code value} that read {@code context} (null: blind, superseding what the
   * dot replica has seen).
   */
  public static ClientRequest causalWrite(
      String key, String value, VersionVector context, ConsistencyLevel level) {
    return new ClientRequest(Kind.CAUSAL_WRITE, key, value, level, 0, 0, context, null);
  }

  /**
   * An increment of counter {@code key} by {@code delta}, at most once per {@code idempotencyKey}.
   */
  public static ClientRequest increment(
      String key, long delta, String idempotencyKey, ConsistencyLevel level) {
    return new ClientRequest(
        Kind.COUNTER_INCREMENT, key, Long.toString(delta), level, 0, 0, null, idempotencyKey);
  }

  /** Adds ({@code add}) or removes {@code element} to or from set {@code key}. */
  public static ClientRequest setUpdate(
      String key, String element, boolean add, ConsistencyLevel level) {
    return new ClientRequest(
        add ? Kind.SET_ADD : Kind.SET_REMOVE, key, element, level, 0, 0, null, null);
  }

  /** This request carrying the session's timestamp. */
  public ClientRequest inSession(long timestamp) {
    return new ClientRequest(
        kind, key, value, level, timestamp, ttlMillis, causalContext, idempotencyKey);
  }

  /** This write expiring {@code millis} after it is stamped. */
  public ClientRequest withTtl(long millis) {
    return new ClientRequest(
        kind, key, value, level, sessionTimestamp, millis, causalContext, idempotencyKey);
  }

  public boolean isRead() {
    return kind == Kind.READ;
  }
}
