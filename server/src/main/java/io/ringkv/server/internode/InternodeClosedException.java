package io.ringkv.server.internode;

/**
 * The transport was closed before the request completed. If the request had been sent, its outcome
 * is unknown.
 */
public final class InternodeClosedException extends InternodeException {
  private static final long serialVersionUID = 1L;

  InternodeClosedException(String peer) {
    super(peer, "the internode transport was closed before " + peer + " answered");
  }
}
