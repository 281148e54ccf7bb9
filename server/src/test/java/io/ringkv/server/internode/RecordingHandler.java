package io.ringkv.server.internode;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A handler that records what arrives. Requests: an {@link InternodeMessage.Echo} is answered with
 * an {@link InternodeMessage.EchoReply}, unless the handler is told to never answer or to fail.
 */
final class RecordingHandler implements InternodeHandler {
  /** One message received. */
  record Received(String fromPeer, InternodeMessage message) {}

  enum Mode {
    ANSWER,
    NEVER_ANSWER,
    FAIL
  }

  final ConcurrentLinkedQueue<Received> messages = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<Received> requests = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
  volatile Mode mode = Mode.ANSWER;

  @Override
  public void onMessage(String fromPeer, InternodeMessage message) {
    messages.add(new Received(fromPeer, message));
  }

  @Override
  public CompletableFuture<InternodeMessage> onRequest(String fromPeer, InternodeMessage request) {
    requests.add(new Received(fromPeer, request));
    return switch (mode) {
      case NEVER_ANSWER -> new CompletableFuture<>();
      case FAIL -> CompletableFuture.failedFuture(new IllegalStateException("disk on fire"));
      case ANSWER ->
          request instanceof InternodeMessage.Echo echo
              ? CompletableFuture.completedFuture(
                  new InternodeMessage.EchoReply(echo.sentNanos(), 0))
              : CompletableFuture.failedFuture(new UnsupportedOperationException("not an echo"));
    };
  }

  @Override
  public void onConnectionRefused(String peer) {
    refused.add(peer);
  }

  List<InternodeMessage> messagesFrom(String peer) {
    return messages.stream().filter(m -> m.fromPeer().equals(peer)).map(Received::message).toList();
  }
}
