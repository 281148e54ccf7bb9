package io.ringkv.server.internode;

/**
 * A request refused at once, before anything was sent, because a bound was reached: too many
 * requests in flight ({@link InternodeConfig#pendingRequestsMax()}) or the peer's outbound queue
 * full ({@link InternodeConfig#outboundQueueMessagesMax()}). The request was not sent.
 */
public final class InternodeOverloadedException extends InternodeException {
  private static final long serialVersionUID = 1L;

  InternodeOverloadedException(String peer, String reason) {
    super(peer, "request to " + peer + " not sent: " + reason);
  }
}
