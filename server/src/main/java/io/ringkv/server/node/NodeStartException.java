package io.ringkv.server.node;

/**
 * Why a node could not start. Everything the failed start had opened is closed again before this is
 * thrown, so the caller may simply report it (or retry). The message is for the operator: it names
 * the directory, address or option at fault.
 */
public final class NodeStartException extends Exception {

  /** What went wrong, for the exit status and for tests. */
  public enum Kind {
    /** The configuration was refused (an option or a relation between options). */
    INVALID_CONFIG,
    /** Another node (in this process or another) holds the node's directory. */
    DATA_DIRECTORY_IN_USE,
    /** The storage could not be created or opened (permissions, damage, full disk). */
    STORAGE_FAILED,
    /** A front end could not start (its address in use, not an address of this machine). */
    FRONT_END_FAILED,
    /**
     * The cluster service could not start (the internode port in use, the gossip state damaged or
     * contradicting the configuration).
     */
    CLUSTER_FAILED
  }

  private final Kind kind;

  public NodeStartException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
