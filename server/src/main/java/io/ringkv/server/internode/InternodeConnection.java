package io.ringkv.server.internode;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.ScheduledFuture;
import io.ringkv.server.internode.TransportCounters.Event;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * One internode connection: runs the handshake, then dispatches frames. The same class serves both
 * ends:
 *
 * <ul>
 *   <li>an <em>outbound</em> connection (this node connected, to send to a peer) sends HELLO and
 *       waits for the answer; it reports the outcome to its {@link Outcome} (the peer's {@link
 *       PeerConnections}, or a seed handshake);
 *   <li>an <em>inbound</em> connection (a peer connected) waits for HELLO and answers it.
 * </ul>
 *
 * <p>Until the handshake completes, nothing but the handshake frames is accepted, frames are
 * limited to {@link InternodeFormat#HANDSHAKE_FRAME_BYTES_MAX}, and the connection is closed after
 * {@link InternodeConfig#handshakeTimeoutMillis()}. After it, both ends are alike: one-way messages
 * go to {@link InternodeHandler#onMessage}, requests to {@link InternodeHandler#onRequest} with the
 * answer written back on the same connection, responses complete pending requests. Any malformed
 * frame closes the connection (its framing can no longer be trusted).
 *
 * <p>Back-pressure: an inbound connection stops reading while its answers cannot be written (the
 * channel is not writable), so a peer that sends requests without reading the answers cannot make
 * this node buffer without bound. Outbound connections always read (they carry this node's
 * requests; stopping them could deadlock two nodes waiting on each other).
 *
 * <p>Not sharable; every method but {@link #respond} runs on the connection's event loop.
 */
final class InternodeConnection extends ChannelInboundHandlerAdapter {
  /** What an outbound connection reports; called on the connection's event loop. */
  interface Outcome {
    /** The handshake completed: the connection may carry messages to {@code peerId}. */
    void handshaken(Channel channel, String peerId);

    /** The connection closed or failed before its handshake completed. */
    void failed(Channel channel, String reason);

    /** A handshaken connection closed. */
    void closed(Channel channel);

    /** The connection became writable or stopped being writable. */
    void writabilityChanged(Channel channel);
  }

  private final ConnectionContext context;
  private final FrameDecoder decoder;
  private final Outcome outcome;
  private final String expectedPeer;
  private ScheduledFuture<?> handshakeTimer;
  private String peerId;
  private boolean handshaken;
  private boolean failed;

  private InternodeConnection(
      ConnectionContext context, FrameDecoder decoder, Outcome outcome, String expectedPeer) {
    this.context = context;
    this.decoder = decoder;
    this.outcome = outcome;
    this.expectedPeer = expectedPeer;
  }

  /** A connection a peer opened to this node. */
  static InternodeConnection inbound(ConnectionContext context, FrameDecoder decoder) {
    return new InternodeConnection(context, decoder, null, null);
  }

  /**
   * A connection this node opened.
   *
   * @param expectedPeer the node id that must answer; null for a seed, whose id is not known yet
   */
  static InternodeConnection outbound(
      ConnectionContext context, FrameDecoder decoder, String expectedPeer, Outcome outcome) {
    return new InternodeConnection(context, decoder, outcome, expectedPeer);
  }

  private boolean isOutbound() {
    return outcome != null;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    handshakeTimer =
        ctx.executor()
            .schedule(
                () ->
                    failHandshake(
                        ctx,
                        "no handshake within "
                            + context.config().handshakeTimeoutMillis()
                            + " ms (handshakeTimeoutMillis)"),
                context.config().handshakeTimeoutMillis(),
                TimeUnit.MILLISECONDS);
    if (isOutbound()) {
      Frame hello =
          Handshake.hello(context.clusterName(), context.selfId(), context.listenPort().getAsInt());
      ctx.writeAndFlush(context.encode(ctx.alloc(), hello), ctx.voidPromise());
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    Frame frame = (Frame) message;
    if (!handshaken) {
      if (failed) {
        return;
      }
      if (isOutbound()) {
        onAnswer(ctx, frame);
      } else {
        onHello(ctx, frame);
      }
      return;
    }
    switch (frame) {
      case Frame.Message carried -> onMessage(ctx.channel(), carried);
      case Frame.Failure failure -> {
        context.counters().count(peerId, Event.MESSAGE_RECEIVED);
        if (!context
            .pending()
            .fail(
                failure.requestId(),
                peerId,
                new RemoteFailureException(peerId, failure.reason()))) {
          context.counters().unknownResponses.increment();
        }
      }
      case Frame.Hello ignored -> protocolError(ctx, "a HELLO after the handshake");
      case Frame.HelloAccept ignored -> protocolError(ctx, "a HELLO_ACCEPT after the handshake");
      case Frame.HelloRefuse ignored -> protocolError(ctx, "a HELLO_REFUSE after the handshake");
    }
  }

  private void onHello(ChannelHandlerContext ctx, Frame frame) {
    if (!(frame instanceof Frame.Hello hello)) {
      failHandshake(ctx, "expected HELLO first, got " + frame.getClass().getSimpleName());
      return;
    }
    Frame answer = Handshake.answer(hello, context.clusterName(), context.selfId());
    ByteBuf bytes = context.encode(ctx.alloc(), answer);
    if (answer instanceof Frame.HelloRefuse refuse) {
      failed = true;
      cancelHandshakeTimer();
      context.counters().count(null, Event.HANDSHAKE_FAILURE);
      context
          .counters()
          .logOnce(
              "refused:" + hello.nodeId() + ":" + refuse.reason(),
              "refused an internode handshake from '"
                  + hello.nodeId()
                  + "' at "
                  + ctx.channel().remoteAddress()
                  + " ("
                  + refuse.reason()
                  + "): "
                  + refuse.detail(),
              null);
      ctx.writeAndFlush(bytes).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    completeHandshake(hello.nodeId());
    if (hello.listenPort() != 0
        && ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
      context
          .learnAddress()
          .accept(hello.nodeId(), new InetSocketAddress(remote.getAddress(), hello.listenPort()));
    }
    ctx.writeAndFlush(bytes, ctx.voidPromise());
  }

  private void onAnswer(ChannelHandlerContext ctx, Frame frame) {
    switch (frame) {
      case Frame.HelloAccept accept -> {
        String problem = Handshake.checkAccept(accept, context.selfId(), expectedPeer);
        if (problem != null) {
          failHandshake(ctx, problem);
          return;
        }
        completeHandshake(accept.nodeId());
        outcome.handshaken(ctx.channel(), peerId);
      }
      case Frame.HelloRefuse refuse ->
          failHandshake(
              ctx, "the peer refused the handshake (" + refuse.reason() + "): " + refuse.detail());
      default ->
          failHandshake(
              ctx,
              "expected HELLO_ACCEPT or HELLO_REFUSE, got " + frame.getClass().getSimpleName());
    }
  }

  private void completeHandshake(String peer) {
    handshaken = true;
    peerId = peer;
    cancelHandshakeTimer();
    decoder.handshakeCompleted();
    context.counters().track(peer);
  }

  private void onMessage(Channel channel, Frame.Message carried) {
    context.counters().count(peerId, Event.MESSAGE_RECEIVED);
    switch (carried.kind()) {
      case ONE_WAY -> {
        try {
          context.handler().onMessage(peerId, carried.message());
        } catch (RuntimeException e) {
          context
              .counters()
              .logOnce("handler:" + peerId, "the internode handler failed on a message", e);
        }
      }
      case REQUEST -> answer(channel, carried.requestId(), carried.message());
      case RESPONSE -> {
        if (!context.pending().complete(carried.requestId(), peerId, carried.message())) {
          context.counters().unknownResponses.increment();
        }
      }
    }
  }

  private void answer(Channel channel, long requestId, InternodeMessage request) {
    CompletableFuture<InternodeMessage> answer;
    try {
      answer = context.handler().onRequest(peerId, request);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    if (answer == null) {
      answer =
          CompletableFuture.failedFuture(
              new IllegalStateException("the handler returned no future"));
    }
    String peer = peerId;
    answer.whenComplete(
        (response, failure) -> respond(context, channel, peer, requestId, response, failure));
  }

  /** Writes the answer to a request; called on whatever thread completed the handler's future. */
  private static void respond(
      ConnectionContext context,
      Channel channel,
      String peer,
      long requestId,
      InternodeMessage response,
      Throwable failure) {
    if (!channel.isActive()) {
      return; // the requester sees the connection close and fails the request itself
    }
    Frame frame;
    if (failure != null) {
      frame = new Frame.Failure(requestId, describe(failure));
    } else if (response == null) {
      frame = new Frame.Failure(requestId, "the handler completed with no response");
    } else {
      frame = Frame.response(requestId, response);
    }
    ByteBuf bytes;
    try {
      bytes = context.encode(channel.alloc(), frame);
    } catch (IllegalArgumentException e) {
      context.counters().count(peer, Event.DROPPED_UNROUTABLE);
      bytes =
          context.encode(
              channel.alloc(),
              new Frame.Failure(requestId, "the response could not be encoded: " + e.getMessage()));
    }
    context.counters().count(peer, Event.MESSAGE_SENT);
    channel.writeAndFlush(bytes, channel.voidPromise());
  }

  private static String describe(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return cause.getMessage() == null
        ? cause.getClass().getSimpleName()
        : cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String peer = handshaken ? peerId : expectedPeer;
    if (cause instanceof FrameTooLargeException) {
      context.counters().count(peer, Event.FRAME_TOO_LARGE);
      context
          .counters()
          .logOnce(
              "frame-too-large:" + logKey(ctx),
              "closing the internode connection " + describe(ctx) + ": " + cause.getMessage(),
              null);
    }
    if (!handshaken) {
      failHandshake(ctx, cause.getMessage() == null ? cause.toString() : cause.getMessage());
      return;
    }
    if (cause instanceof DecoderException && !(cause instanceof FrameTooLargeException)) {
      protocolError(ctx, cause.getMessage());
      return;
    }
    ctx.close(); // an I/O error (a reset) or an oversized frame: the connection is done
  }

  private void protocolError(ChannelHandlerContext ctx, String problem) {
    context.counters().count(peerId, Event.PROTOCOL_ERROR);
    context
        .counters()
        .logOnce(
            "protocol:" + peerId,
            "closing the internode connection " + describe(ctx) + ": " + problem,
            null);
    ctx.close();
  }

  private void failHandshake(ChannelHandlerContext ctx, String reason) {
    if (handshaken || failed) {
      ctx.close();
      return;
    }
    failed = true;
    cancelHandshakeTimer();
    context.counters().count(expectedPeer, Event.HANDSHAKE_FAILURE);
    context
        .counters()
        .logOnce(
            "handshake:" + logKey(ctx),
            "internode handshake " + describe(ctx) + " failed: " + reason,
            null);
    if (isOutbound()) {
      outcome.failed(ctx.channel(), reason);
    }
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelHandshakeTimer();
    if (handshaken) {
      context.pending().connectionLost(ctx.channel(), peerId);
      if (isOutbound()) {
        outcome.closed(ctx.channel());
      }
    } else if (!failed) {
      failHandshake(ctx, "the connection closed before the handshake completed");
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Channel channel = ctx.channel();
    if (isOutbound()) {
      outcome.writabilityChanged(channel);
    } else {
      channel.config().setAutoRead(channel.isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  private void cancelHandshakeTimer() {
    if (handshakeTimer != null) {
      handshakeTimer.cancel(false);
      handshakeTimer = null;
    }
  }

  /** "to node-2 at /127.0.0.1:7001" or "from /127.0.0.1:53211", for log lines. */
  private String describe(ChannelHandlerContext ctx) {
    String peer = handshaken ? peerId : expectedPeer;
    String direction = isOutbound() ? "to " : "from ";
    SocketAddress remote = ctx.channel().remoteAddress();
    return direction + (peer == null ? "" : "'" + peer + "' at ") + remote;
  }

  /** The peer, or the remote host (not its port: one line per misbehaving host, not per socket). */
  private String logKey(ChannelHandlerContext ctx) {
    String peer = handshaken ? peerId : expectedPeer;
    if (peer != null) {
      return peer;
    }
    return ctx.channel().remoteAddress() instanceof InetSocketAddress address
        ? address.getHostString()
        : String.valueOf(ctx.channel().remoteAddress());
  }
}
