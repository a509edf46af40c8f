package com.timereg.gateway.edge;

import com.timereg.gateway.throttle.Decision;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.Http1xServerConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Refuses blocked clients on HTTP/1.1 connections inside the connection's Netty pipeline, right after
 * the HTTP codec: the same 429 as {@link BlockHandler#refuse}, without Vert.x creating a request,
 * a response and their metrics. A blocked client may send requests as fast as it can, so what each
 * refusal costs decides how many it can make us answer (docs/benchmarks.md).
 *
 * <p>Only what is certain is decided here; everything else goes to Vert.x unchanged and is decided by
 * {@link PublicEntry} and the router as before:
 * <ul>
 *   <li>only when no earlier request on the connection is still being answered (HTTP/1.1 answers in
 *       order; a pipelined request behind a proxied one must wait for it);
 *   <li>only requests without any credentials (no Authorization header, no cookie header naming the
 *       session cookies) and whose path cannot be the session renewal;
 *   <li>only origin-form targets, HTTP/1.1, on connections without the PROXY protocol (whose client
 *       address Vert.x, not the channel, knows).
 * </ul>
 * A refused request's body is read and dropped, and the connection stays open unless it asked to close.
 * After a protocol switch (WebSocket tunnel) the handler lets every byte pass.
 */
final class BlockedFastPath extends ChannelDuplexHandler {
  private final PublicRouter.Steps steps;
  private final String hsts;
  private int inFlight;
  private boolean discarding;
  private boolean tunnel;

  private BlockedFastPath(PublicRouter.Steps steps, String hsts) {
    this.steps = steps;
    this.hsts = hsts;
  }

  /** Installs the handler on an HTTP/1.x connection of the public listener; HTTP/2 connections are left alone. */
  static void install(HttpConnection connection, PublicRouter.Steps steps, String hsts) {
    if (connection instanceof Http1xServerConnection http1) {
      ChannelPipeline pipeline = http1.channelHandlerContext().pipeline();
      // After the encoder, so that our answers are encoded and Vert.x's pass by us on their way out.
      if (pipeline.get("httpDecoder") != null && pipeline.get("httpEncoder") != null) {
        pipeline.addAfter("httpEncoder", "gatewayBlockedFastPath", new BlockedFastPath(steps, hsts));
      }
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (tunnel) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (discarding) {
      if (msg instanceof HttpContent) {
        discarding = !(msg instanceof LastHttpContent);
        ReferenceCountUtil.release(msg);
        return;
      }
      discarding = false;
    }
    if (msg instanceof HttpRequest request) {
      if (inFlight == 0 && request.decoderResult().isSuccess() && refuse(ctx, request)) {
        discarding = !(msg instanceof LastHttpContent);
        ReferenceCountUtil.release(msg);
        return;
      }
      // Vert.x answers every request it is given, malformed ones too (400, 414, 431), so this stays
      // balanced with the responses counted in write().
      inFlight++;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!tunnel && msg instanceof HttpResponse response
        && response.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
      // 100 Continue is not the answer; 101 turns the connection into a tunnel.
      tunnel = response.status().code() == 101;
    } else if (!tunnel && msg instanceof LastHttpContent && inFlight > 0) {
      inFlight--;
    }
    ctx.write(msg, promise);
  }

  private boolean refuse(ChannelHandlerContext ctx, HttpRequest request) {
    if (request.protocolVersion() != HttpVersion.HTTP_1_1 || !(ctx.channel().remoteAddress() instanceof InetSocketAddress peer)) {
      return false;
    }
    String uri = request.uri();
    HttpHeaders headers = request.headers();
    if (uri.isEmpty() || uri.charAt(0) != '/' || BlockHandler.mayRenew(uri) || carriesCredentials(headers)
        || ambiguousFraming(headers)) {
      return false;
    }
    InetAddress client = steps.clientAddress().resolve(peer.getAddress(), headers.getAll("X-Forwarded-For"));
    if (client == null) {
      return false;
    }
    Decision d = steps.blockCheck().check(client);
    if (!steps.blockCheck().refusesWithoutSession(d)) {
      return false;
    }
    String accept = headers.get(HttpHeaderNames.ACCEPT);
    boolean html = accept != null && accept.contains("text/html");
    ByteBuf body = Unpooled.copiedBuffer(BlockHandler.refusalBody(d, html), StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.TOO_MANY_REQUESTS, body);
    HttpHeaders out = response.headers();
    if (hsts != null) {
      out.set("Strict-Transport-Security", hsts);
    }
    // Spelled as BlockHandler's answer through Vert.x is, so both look the same on the wire.
    out.set("Retry-After", Long.toString(d.retryAfterSeconds()))
        .set("Cache-Control", "no-store")
        .set("Content-Type", html ? "text/html; charset=utf-8" : "application/json")
        .set("Content-Length", body.readableBytes());
    steps.blockCheck().refusedInConnection();
    boolean close = headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
    if (close) {
      out.set("Connection", "close");
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(response);
    }
    return true;
  }

  /** Any Authorization header, or a Cookie header that may hold a session cookie: the router decides. */
  private static boolean carriesCredentials(HttpHeaders headers) {
    if (headers.contains(HttpHeaderNames.AUTHORIZATION)) {
      return true;
    }
    for (String cookie : headers.getAll(HttpHeaderNames.COOKIE)) {
      if (cookie.contains(com.timereg.gateway.session.SessionCookies.ACCESS)
          || cookie.contains(com.timereg.gateway.session.SessionCookies.REFRESH)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Ambiguous framing is {@link FramingGuard}'s to close; a chunked body is left to Vert.x too, only
   * to keep this handler to the plain cases.
   */
  private static boolean ambiguousFraming(HttpHeaders headers) {
    boolean chunked = headers.contains(HttpHeaderNames.TRANSFER_ENCODING);
    return chunked || FramingGuard.ambiguous(headers.getAll(HttpHeaderNames.CONTENT_LENGTH), chunked);
  }
}
