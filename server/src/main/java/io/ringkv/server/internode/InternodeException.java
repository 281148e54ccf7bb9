package io.ringkv.server.internode;

/**
 * An operating error of internode messaging (STYLE.md §3): a value the caller handles, delivered as
 * the failure of a request's future. Each subclass says what went wrong and whether the request may
 * have reached the peer.
 */
public abstract class InternodeException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String peer;

  InternodeException(String peer, String message) {
    super(message);
    this.peer = peer;
  }

  InternodeException(String peer, String message, Throwable cause) {
    super(message, cause);
    this.peer = peer;
  }

  /** The peer the request was for (a node id, or an address for a seed handshake). */
  public String peer() {
    return peer;
  }
}
