package io.ringkv.server.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.ringkv.server.metrics.NodeMetrics;
import java.util.concurrent.TimeUnit;

/**
 * Serves a connection beyond {@code max_connections}: it answers the first request with 503 and a
 * problem naming the limit, then closes. It waits for that request rather than writing at once,
 * because closing a socket with unread input makes the kernel reset it and the client may lose the
 * answer. A refused connection that sends nothing is closed after a short grace period, so refused
 * connections cost little and never pile up.
 *
 * <p>Not sharable: one per refused connection.
 */
final class ConnectionRefuser extends ChannelInboundHandlerAdapter {
  static final String OPERATION_REFUSED = "refused";

  private final int maxConnections;
  private final long graceMillis;
  private final NodeMetrics metrics;
  private boolean answered;

  ConnectionRefuser(int maxConnections, long graceMillis, NodeMetrics metrics) {
    this.maxConnections = maxConnections;
    this.graceMillis = graceMillis;
    this.metrics = metrics;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.executor().schedule(() -> ctx.close(), graceMillis, TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    try {
      if (message instanceof HttpRequest request && !answered) {
        answered = true;
        long startNanos = System.nanoTime();
        Problem problem =
            Problem.limit(
                HttpResponseStatus.SERVICE_UNAVAILABLE,
                "max_connections",
                maxConnections,
                "the server already has max_connections ("
                    + maxConnections
                    + ") connections open; retry later or reuse a connection");
        HttpReply reply =
            HttpReply.problem(problem, new QueryStringDecoder(request.uri()).rawPath())
                .withHeader("Retry-After", Integer.toString(ServiceFailures.RETRY_AFTER_SECONDS))
                .closing();
        metrics.recordRequest(
            HttpConnectionHandler.FRONT_END,
            OPERATION_REFUSED,
            System.nanoTime() - startNanos,
            true);
        ctx.writeAndFlush(reply.toResponse()).addListener(ChannelFutureListener.CLOSE);
      }
    } finally {
      ReferenceCountUtil.release(message);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
