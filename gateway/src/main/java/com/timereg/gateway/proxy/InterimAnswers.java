package com.timereg.gateway.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.Http1xClientConnection;

/**
 * Drops the backend's interim (1xx) answers on the router path's HTTP/1.1 backend connections, as the direct
 * path does ({@link DirectExchange#backendRead}): the gateway asks for none (it sends no {@code Expect}), and
 * they are not forwarded (docs/proxy.md, "Known limits"). Vert.x's client knows only 100 and 103 and takes any
 * other 1xx, such as 102 Processing, for the final answer: the client then got a 1xx with nothing after it, and
 * the real answer was lost. A 101 passes: it is the answer to a WebSocket upgrade.
 */
final class InterimAnswers extends ChannelInboundHandlerAdapter {

  /** Vert.x's name for the HTTP codec of a client connection. */
  private static final String CODEC = "codec";

  /** The rest of an interim answer (its empty last content) is being dropped. */
  private boolean skipping;

  /** Installs the filter behind the codec of a new HTTP/1.x backend connection; HTTP/2 ones are left alone. */
  static void install(HttpConnection connection) {
    if (connection instanceof Http1xClientConnection http1) {
      ChannelPipeline pipeline = http1.channelHandlerContext().pipeline();
      if (pipeline.get(CODEC) != null && pipeline.get(InterimAnswers.class) == null) {
        pipeline.addAfter(CODEC, "gatewayInterimAnswers", new InterimAnswers());
      }
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpResponse response && response.decoderResult().isSuccess()
        && response.status().codeClass() == HttpStatusClass.INFORMATIONAL && response.status().code() != 101) {
      skipping = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      return;
    }
    if (skipping && msg instanceof HttpContent content) {
      skipping = !(content instanceof LastHttpContent);
      content.release();
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
