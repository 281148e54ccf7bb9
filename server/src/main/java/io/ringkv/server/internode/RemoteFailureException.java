package io.ringkv.server.internode;

/**
 * The peer received the request but could not answer it: its handler failed, or its response could
 * not be encoded. The message carries the peer's reason.
 */
public final class RemoteFailureException extends InternodeException {
  private static final long serialVersionUID = 1L;

  RemoteFailureException(String peer, String reason) {
    super(peer, peer + " failed to answer: " + reason);
  }
}
