package io.ringkv.server.internode;

import java.util.concurrent.CompletableFuture;

/**
 * What the node does with what its peers send. Every method is called on a transport event-loop
 * thread and must not block: hand slow work to another executor and complete the future from there.
 */
public interface InternodeHandler {
  /** A one-way message from an authenticated peer (called on a Netty thread; must not block). */
  void onMessage(String fromPeer, InternodeMessage message);

  /**
   * A request; complete the future with the response (called on a Netty thread; must not block). A
   * future that fails, a null future or a thrown exception answers the requester with a failure
   * ({@link RemoteFailureException} on its side); a future never completed leaves the requester to
   * time out.
   */
  CompletableFuture<InternodeMessage> onRequest(String fromPeer, InternodeMessage request);

  /**
   * A connection attempt to this peer was actively refused (nothing listens there), as opposed to
   * timing out.
   */
  default void onConnectionRefused(String peer) {}
}
