package io.ringkv.server.internode;

/**
 * No usable connection to the peer: no address is known, the connection was refused or timed out,
 * the handshake failed, or the connection was lost. The message says which, and, when the request
 * had already been written, that the outcome is unknown.
 */
public final class PeerUnreachableException extends InternodeException {
  private static final long serialVersionUID = 1L;

  PeerUnreachableException(String peer, String reason) {
    super(peer, peer + " is unreachable: " + reason);
  }

  PeerUnreachableException(String peer, String reason, Throwable cause) {
    super(peer, peer + " is unreachable: " + reason, cause);
  }
}
