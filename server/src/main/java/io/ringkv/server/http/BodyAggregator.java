package io.ringkv.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * Netty's {@link HttpObjectAggregator} bounded by {@code http_body_bytes_max}, answering an
 * oversized body with a problem instead of Netty's empty 413.
 *
 * <p>The aggregator would write its 413 itself, ahead of replies still pending for earlier
 * pipelined requests; instead it passes an {@link OversizedRequest} down the pipeline, so the
 * connection handler answers in request order. The aggregator then discards the rest of that body
 * and the connection carries on (a body announced by Content-Length is skipped; a chunked body
 * already under way closes the connection after the reply, as Netty does). With {@code Expect:
 * 100-continue} the client has not sent the body yet, and the 413 problem replaces the 100 (an
 * expectation other than 100-continue gets a 417 problem). These two replies are written by the
 * aggregator directly, as only they can be: they answer a request whose body has not arrived.
 */
final class BodyAggregator extends HttpObjectAggregator {

  /**
   * A request whose body exceeds the limit; its body is dropped.
   *
   * @param uri the request target, for the problem's instance
   * @param declaredBytes the Content-Length, or -1 if the body is chunked
   * @param bodyUnderway whether body bytes were already read (chunked): the connection must close
   */
  record OversizedRequest(String uri, long declaredBytes, boolean bodyUnderway) {}

  BodyAggregator(int bodyBytesMax) {
    super(bodyBytesMax);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized)
      throws Exception {
    if (!(oversized instanceof HttpRequest request)) {
      super.handleOversizedMessage(ctx, oversized);
      return;
    }
    // The aggregator releases a partially aggregated message after this returns: copy what we need.
    ctx.fireChannelRead(
        new OversizedRequest(
            request.uri(),
            HttpUtil.getContentLength(request, -1L),
            oversized instanceof FullHttpMessage));
  }

  @Override
  protected Object newContinueResponse(
      HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    // Netty removes the Expect header when it answers it; keep it for the message.
    String expectation = start.headers().get(HttpHeaderNames.EXPECT);
    Object response = super.newContinueResponse(start, maxContentLength, pipeline);
    if (!(response instanceof FullHttpResponse full) || !(start instanceof HttpRequest request)) {
      return response;
    }
    String instance = new QueryStringDecoder(request.uri()).rawPath();
    if (full.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
      full.release();
      return HttpReply.problem(
              tooLarge(HttpUtil.getContentLength(request, -1L), maxContentLength), instance)
          .toResponse();
    }
    if (full.status().code() == HttpResponseStatus.EXPECTATION_FAILED.code()) {
      full.release();
      return HttpReply.problem(
              Problem.of(
                  HttpResponseStatus.EXPECTATION_FAILED,
                  ProblemType.INVALID_REQUEST,
                  "unsupported expectation '" + expectation + "'; only 100-continue is supported"),
              instance)
          .toResponse();
    }
    return response;
  }

  /** The problem for a body over {@code bodyBytesMax}; {@code declaredBytes} -1 if unknown. */
  static Problem tooLarge(long declaredBytes, int bodyBytesMax) {
    String size =
        declaredBytes >= 0
            ? "the request body is " + declaredBytes + " bytes (Content-Length), more than"
            : "the request body is more than";
    return Problem.limit(
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        "http_body_bytes_max",
        bodyBytesMax,
        size + " http_body_bytes_max (" + bodyBytesMax + " bytes)");
  }
}
