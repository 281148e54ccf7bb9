package io.ringkv.server.internode;

/**
 * No response came within the request's timeout. The outcome is unknown: the peer may have received
 * and applied the request, and its answer may still arrive (it is then counted as a response for an
 * unknown request and ignored).
 */
public final class InternodeTimeoutException extends InternodeException {
  private static final long serialVersionUID = 1L;

  private final long timeoutMillis;

  InternodeTimeoutException(String peer, long timeoutMillis, boolean written) {
    super(
        peer,
        "no response from "
            + peer
            + " within "
            + timeoutMillis
            + " ms"
            + (written
                ? "; the request was sent, so the outcome is unknown"
                : "; the request was still queued (never sent), but treat the outcome as unknown"));
    this.timeoutMillis = timeoutMillis;
  }

  /** The timeout that passed. */
  public long timeoutMillis() {
    return timeoutMillis;
  }
}
