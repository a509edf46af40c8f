package com.timereg.gateway.edge;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;

/**
 * Vert.x's HTTP/1.x request decoder, except that a request with both {@code Transfer-Encoding: chunked} and
 * {@code Content-Length} keeps both headers. Netty's decoder drops the length and reads the body as chunked,
 * so nothing after it could tell that the framing was ambiguous, and the connection would stay open for
 * whatever the client sent next. RFC 9112 (6.3) lets a server process such a request by its chunks only if
 * it then closes the connection; the gateway refuses it instead ({@link FramingGuard}: 400, then close),
 * the safer of the two for a proxy whose backend might frame it by the length.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {
  private static final String NAME = "httpDecoder";

  StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    // Deliberately not Netty's: keep the Content-Length for FramingGuard to see. The body is still
    // decoded as chunked, but the request is refused before any of it is used.
  }

  /**
   * Puts this decoder in place of Vert.x's on a new HTTP/1.x connection. Called from the server's
   * connection handler, which Vert.x runs right after building the pipeline and before the first request
   * is decoded, so the replaced decoder holds no bytes yet. Vert.x finds the decoder by its name (to
   * remove it for WebSocket upgrades), which stays the same.
   */
  static void install(HttpConnection connection, HttpServerOptions options) {
    if (connection instanceof Http1xServerConnection http1) {
      ChannelPipeline pipeline = http1.channelHandlerContext().pipeline();
      ChannelHandler current = pipeline.get(NAME);
      if (current instanceof VertxHttpRequestDecoder && !(current instanceof StrictRequestDecoder)) {
        pipeline.replace(NAME, NAME, new StrictRequestDecoder(options));
      }
    }
  }
}
