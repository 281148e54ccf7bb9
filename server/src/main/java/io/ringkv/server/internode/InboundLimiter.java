package io.ringkv.server.internode;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sits on the listening channel and sees each accepted connection before it is registered: beyond
 * {@code inboundConnectionsMax} open ones, the new connection is closed at once (before any of its
 * bytes are read) and counted. Accepted connections arrive one at a time on the listener's event
 * loop, so the check and the increment need no lock; closes decrement from any loop.
 */
final class InboundLimiter extends ChannelInboundHandlerAdapter {
  private final int max;
  private final TransportCounters counters;
  private final AtomicInteger open = new AtomicInteger();

  InboundLimiter(int max, TransportCounters counters) {
    this.max = max;
    this.counters = counters;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    Channel child = (Channel) message;
    if (open.get() >= max) {
      counters.inboundConnectionsRejected.increment();
      counters.logOnce(
          "inbound-limit",
          "closed an internode connection from "
              + child.remoteAddress()
              + ": "
              + max
              + " are open (inboundConnectionsMax)",
          null);
      child.unsafe().closeForcibly();
      return;
    }
    open.incrementAndGet();
    child.closeFuture().addListener(closed -> open.decrementAndGet());
    ctx.fireChannelRead(message);
  }

  /** Inbound connections open now. */
  int open() {
    return open.get();
  }
}
