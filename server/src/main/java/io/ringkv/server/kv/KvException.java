package io.ringkv.server.kv;

/**
 * Why a {@link KeyValueService} call failed, as a kind that each front end maps to its protocol
 * (Redis error prefix, HTTP status, gRPC status code). The message is for people: it names the
 * problem and, for limits, the limit.
 */
public final class KvException extends RuntimeException {

  /** What the caller may conclude. */
  public enum Kind {
    /** The request itself is wrong (too large, bad key, bad option): nothing was attempted. */
    INVALID_REQUEST,
    /** Not enough live replicas: nothing was attempted, retrying later may work. */
    UNAVAILABLE,
    /** Not enough answers in time: a write may or may not have been applied (indeterminate). */
    TIMEOUT,
    /**
     * The node cannot serve: storage failure, shutting down. A write may or may not have applied.
     */
    FAILED,
    /**
     * The key holds another type than the command needs (Redis' WRONGTYPE: a counter command on a
     * register, a set command on a counter): nothing was written.
     */
    WRONG_TYPE,
    /**
     * The key's state refuses the write (the sibling cap, a counter overflow, an object past its
     * byte bound, a last-write-wins value in a causal keyspace): nothing was written; the message
     * names the limit.
     */
    CONFLICT,
    /** The keyspace named does not exist: nothing was attempted. */
    NO_SUCH_KEYSPACE
  }

  private final Kind kind;

  public KvException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public KvException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  public static KvException invalid(String message) {
    return new KvException(Kind.INVALID_REQUEST, message);
  }
}
