package io.ringkv.client;

/**
 * Why a ringkv call failed. One class with a {@link Kind}, rather than a subclass per failure, so
 * that callers can switch over every case and the compiler tells them when a kind is added. The
 * kinds mirror the server's: what a caller may conclude matters more than which layer failed.
 *
 * <p>{@link #indeterminate()} is the question that matters after a failed write: true means the
 * write may or may not have been applied (a timeout, a node failing mid-write, a connection lost
 * after the request left). The client never retries such a write on its own; the caller decides
 * (read the key back, or retry it with the same idempotency key).
 */
public final class RingkvException extends RuntimeException {

  /** What the caller may conclude. */
  public enum Kind {
    /**
     * The request is wrong (a key or value over the node's limit, a bad cursor, a consistency level
     * the operation does not allow) or too large: nothing was attempted; retrying will not help.
     */
    INVALID_REQUEST,
    /**
     * No node could take the request (connections refused, not enough live replicas, nodes at their
     * connection limit). Reads were tried on every node; a later retry may work.
     */
    UNAVAILABLE,
    /** The deadline passed. A write may or may not have been applied. */
    TIMEOUT,
    /**
     * A node failed to serve the request (storage failure, shutting down, an unexpected error) or
     * the call was cancelled. A write may or may not have been applied.
     */
    FAILED,
    /**
     * The key holds another type than the call needs (a counter call on a register, a set call on a
     * counter; Redis' WRONGTYPE): nothing was written.
     */
    WRONG_TYPE,
    /**
     * The key's state refuses the write (the sibling cap: read, then write with the read's context;
     * a counter overflow; an object over its bound): nothing was written.
     */
    CONFLICT,
    /** The keyspace named does not exist on the node: nothing was attempted. */
    NO_SUCH_KEYSPACE
  }

  private final Kind kind;
  private final boolean indeterminate;
  private final String reason;
  private final NodeAddress node;

  /**
   * @param reason the server's {@code ErrorInfo} reason (INVALID_REQUEST, UNAVAILABLE, TIMEOUT,
   *     FAILED, MAX_CONNECTIONS), or null when the failure did not come from a ringkv node
   * @param node the node that failed, or null if none was reached
   */
  public RingkvException(
      Kind kind,
      String message,
      boolean indeterminate,
      String reason,
      NodeAddress node,
      Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.indeterminate = indeterminate;
    this.reason = reason;
    this.node = node;
  }

  public Kind kind() {
    return kind;
  }

  /** True if a write may or may not have been applied; false for reads. */
  public boolean indeterminate() {
    return indeterminate;
  }

  /** The server's reason code, or null if the failure did not come from a ringkv node. */
  public String reason() {
    return reason;
  }

  /** The node the last attempt went to, or null. */
  public NodeAddress node() {
    return node;
  }

  /** The same failure, thrown again from the calling thread so its stack trace shows the caller. */
  RingkvException rethrownHere() {
    return new RingkvException(kind, getMessage(), indeterminate, reason, node, this);
  }
}
