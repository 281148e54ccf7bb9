package io.ringkv.server.http;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.ringkv.server.metrics.NodeMetrics;
import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;

/**
 * Serves the requests of one connection: routes each aggregated request, runs its handler, and
 * writes the replies in request order, as HTTP/1.1 pipelining requires.
 *
 * <p>The event loop never blocks: a handler returns a future; one that is already complete (the
 * single-node service answers inline) is replied to at once, and the replies of one read are
 * flushed together at {@code channelReadComplete}. A future completing later hops back to the event
 * loop, fills its slot, and every reply that is now at the head of the queue is written and
 * flushed. At most {@link HttpServer#PIPELINED_REQUESTS_MAX} requests wait for replies; beyond that
 * the connection stops reading until replies drain (back-pressure, never buffering without bound).
 *
 * <p>Pipelined requests run concurrently only while all of them are reads (RFC 9112 §9.3.2): a
 * write starts once every earlier request has finished, and nothing starts while a write runs, so a
 * GET pipelined after a PUT sees the PUT. With a service that answers inline this never waits.
 *
 * <p>Every request is recorded in {@link NodeMetrics} under front end {@code http} and its route's
 * operation ({@code unrouted} for unknown paths, wrong methods and malformed requests).
 *
 * <p>Not sharable: one instance per connection, confined to its event loop.
 */
final class HttpConnectionHandler extends ChannelInboundHandlerAdapter {
  static final String FRONT_END = "http";
  static final String OPERATION_UNROUTED = "unrouted";

  private final HttpRouter router;
  private final NodeMetrics metrics;
  private final HttpServer.Bounds bounds;

  /** Every request without a written reply, in arrival order: the order replies are written. */
  private final ArrayDeque<PendingReply> pending = new ArrayDeque<>();

  /** Routed requests not yet started, held back behind a write (a subset of {@link #pending}). */
  private final ArrayDeque<PendingReply> waiting = new ArrayDeque<>();

  private ChannelHandlerContext context;
  private boolean unflushed;
  private int running;
  private int runningWrites;
  private boolean startingWaiting;

  /** A request awaiting its reply; {@code reply} is set once, on the event loop. */
  private static final class PendingReply {
    final String operation;
    final long startNanos;
    final boolean write;
    final String instance;
    final HttpRouter.Handler handler;

    /** The request until it starts; dropped then, so a body is not held while replies queue. */
    HttpExchange exchange;

    HttpReply reply;

    PendingReply(
        String operation,
        long startNanos,
        boolean write,
        String instance,
        HttpRouter.Handler handler,
        HttpExchange exchange) {
      this.operation = operation;
      this.startNanos = startNanos;
      this.write = write;
      this.instance = instance;
      this.handler = handler;
      this.exchange = exchange;
    }
  }

  HttpConnectionHandler(HttpRouter router, NodeMetrics metrics, HttpServer.Bounds bounds) {
    this.router = router;
    this.metrics = metrics;
    this.bounds = bounds;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.context = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (message instanceof FullHttpRequest request) {
      try {
        onRequest(request);
      } finally {
        request.release();
      }
    } else if (message instanceof BodyAggregator.OversizedRequest oversized) {
      HttpReply reply =
          HttpReply.problem(
              BodyAggregator.tooLarge(oversized.declaredBytes(), bounds.bodyBytesMax()),
              new QueryStringDecoder(oversized.uri()).rawPath());
      answer(
          OPERATION_UNROUTED,
          System.nanoTime(),
          oversized.bodyUnderway() ? reply.closing() : reply);
    } else {
      ReferenceCountUtil.release(message);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (unflushed) {
      unflushed = false;
      ctx.flush();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      // Idle means no bytes either way; a request still waiting on the service is not idle.
      if (pending.isEmpty()) {
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // Replies still pending hold only byte arrays; late completions find empty queues.
    pending.clear();
    waiting.clear();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset or broken connection, or a bug below us: either way this connection is done.
    ctx.close();
  }

  private void onRequest(FullHttpRequest request) {
    long startNanos = System.nanoTime();
    if (!request.decoderResult().isSuccess()) {
      answer(OPERATION_UNROUTED, startNanos, malformed(request));
      return;
    }
    HttpExchange exchange = new HttpExchange(request);
    switch (router.match(request.method(), exchange.rawPath())) {
      case HttpRouter.Match.Found found -> dispatch(found, exchange, startNanos);
      case HttpRouter.Match.MethodNotAllowed notAllowed -> {
        String allow =
            notAllowed.allowed().stream().map(HttpMethod::name).collect(Collectors.joining(", "));
        Problem problem =
            Problem.of(
                    HttpResponseStatus.METHOD_NOT_ALLOWED,
                    ProblemType.METHOD_NOT_ALLOWED,
                    "method "
                        + request.method().name()
                        + " is not allowed on "
                        + exchange.rawPath()
                        + "; allowed: "
                        + allow)
                .with("allowed", allow);
        answer(
            OPERATION_UNROUTED,
            startNanos,
            HttpReply.problem(problem, exchange.rawPath())
                .withHeader(HttpHeaderNames.ALLOW.toString(), allow));
      }
      case HttpRouter.Match.NotFound notFound ->
          answer(
              OPERATION_UNROUTED,
              startNanos,
              HttpReply.problem(
                  Problem.of(
                      HttpResponseStatus.NOT_FOUND,
                      ProblemType.ROUTE_NOT_FOUND,
                      "no route for "
                          + request.method().name()
                          + " "
                          + exchange.rawPath()
                          + "; the routes are listed at /openapi.json"),
                  exchange.rawPath()));
    }
  }

  private void dispatch(HttpRouter.Match.Found found, HttpExchange exchange, long startNanos) {
    HttpRouter.Route route = found.route();
    exchange.pathParameter(found.parameter());
    PendingReply slot =
        new PendingReply(
            route.operation(),
            startNanos,
            !HttpMethod.GET.equals(route.method()),
            exchange.rawPath(),
            route.handler(),
            exchange);
    pending.add(slot);
    if (waiting.isEmpty() && mayStart(slot)) {
      start(slot);
    } else {
      waiting.add(slot);
    }
    drain(false);
  }

  /** Reads run alongside reads; a write runs alone. */
  private boolean mayStart(PendingReply slot) {
    return runningWrites == 0 && (!slot.write || running == 0);
  }

  private void start(PendingReply slot) {
    running++;
    if (slot.write) {
      runningWrites++;
    }
    HttpExchange exchange = slot.exchange;
    slot.exchange = null;
    CompletableFuture<HttpReply> future;
    try {
      future = slot.handler.handle(exchange);
    } catch (RuntimeException e) {
      future = CompletableFuture.failedFuture(e);
    }
    if (future.isDone()) {
      finish(slot, outcome(future, slot));
    } else {
      CompletableFuture<HttpReply> later = future;
      later.whenComplete((reply, failure) -> completeLater(slot, later));
    }
  }

  private void finish(PendingReply slot, HttpReply reply) {
    slot.reply = reply;
    running--;
    if (slot.write) {
      runningWrites--;
    }
    startWaiting();
  }

  /** Starts held-back requests that may now run; a loop, not recursion, however many finish. */
  private void startWaiting() {
    if (startingWaiting) {
      return;
    }
    startingWaiting = true;
    try {
      while (!waiting.isEmpty() && mayStart(waiting.peek())) {
        start(waiting.poll());
      }
    } finally {
      startingWaiting = false;
    }
  }

  private void completeLater(PendingReply slot, CompletableFuture<HttpReply> future) {
    HttpReply reply = outcome(future, slot);
    if (context.executor().inEventLoop()) {
      finish(slot, reply);
      drain(true);
      return;
    }
    try {
      context
          .executor()
          .execute(
              () -> {
                finish(slot, reply);
                drain(true);
              });
    } catch (RejectedExecutionException e) {
      // The event loop is shutting down and the connection with it; nobody is left to answer.
    }
  }

  private static HttpReply outcome(CompletableFuture<HttpReply> future, PendingReply slot) {
    try {
      HttpReply reply = future.join();
      if (reply != null) {
        return reply;
      }
      return ServiceFailures.reply(
          ServiceFailures.problem(
              new IllegalStateException("the handler gave no reply"), slot.write),
          slot.instance);
    } catch (CompletionException | CancellationException e) {
      return ServiceFailures.reply(ServiceFailures.problem(e, slot.write), slot.instance);
    }
  }

  /** Queues a reply that is ready now (behind any still pending) and writes what it can. */
  private void answer(String operation, long startNanos, HttpReply reply) {
    PendingReply slot = new PendingReply(operation, startNanos, false, null, null, null);
    slot.reply = reply;
    pending.add(slot);
    drain(false);
  }

  /** Writes every reply at the head of the queue that is ready; flushes now or at read end. */
  private void drain(boolean flushNow) {
    boolean wrote = false;
    while (!pending.isEmpty() && pending.peek().reply != null) {
      PendingReply slot = pending.poll();
      metrics.recordRequest(
          FRONT_END, slot.operation, System.nanoTime() - slot.startNanos, slot.reply.error());
      context.write(slot.reply.toResponse());
      wrote = true;
    }
    if (wrote) {
      if (flushNow) {
        context.flush();
      } else {
        unflushed = true;
      }
    }
    ChannelConfig config = context.channel().config();
    boolean read = pending.size() < HttpServer.PIPELINED_REQUESTS_MAX;
    if (config.isAutoRead() != read) {
      config.setAutoRead(read);
    }
  }

  /** The reply to a request Netty could not decode; the connection closes after it. */
  private HttpReply malformed(FullHttpRequest request) {
    Throwable cause = request.decoderResult().cause();
    Problem problem;
    if (cause instanceof TooLongHttpLineException) {
      problem =
          Problem.limit(
              HttpResponseStatus.REQUEST_URI_TOO_LONG,
              HttpServer.REQUEST_LINE_LIMIT_NAME,
              bounds.requestLineBytesMax(),
              "the request line (method, URI, version) is longer than "
                  + HttpServer.REQUEST_LINE_LIMIT_NAME
                  + " ("
                  + bounds.requestLineBytesMax()
                  + " bytes)");
    } else if (cause instanceof TooLongHttpHeaderException) {
      problem =
          Problem.limit(
              HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
              HttpServer.HEADER_LIMIT_NAME,
              bounds.headerBytesMax(),
              "the request headers are larger than "
                  + HttpServer.HEADER_LIMIT_NAME
                  + " ("
                  + bounds.headerBytesMax()
                  + " bytes)");
    } else {
      problem =
          Problem.of(
              HttpResponseStatus.BAD_REQUEST,
              ProblemType.MALFORMED_HTTP,
              "malformed HTTP request: " + (cause == null ? "unknown cause" : cause.getMessage()));
    }
    return HttpReply.problem(problem, "/").closing();
  }
}
