package com.timereg.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.Http1xClientConnection;
import java.util.List;

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

  /**
   * Installs the filter behind the codec of a new HTTP/1.x backend connection; HTTP/2 ones are left alone. The
   * codec itself is replaced by {@link Codec}, under the same name (Vert.x removes it by name for a tunnel).
   */
  static void install(HttpConnection connection) {
    if (connection instanceof Http1xClientConnection http1) {
      ChannelPipeline pipeline = http1.channelHandlerContext().pipeline();
      if (pipeline.get(CODEC) instanceof HttpClientCodec && pipeline.get(InterimAnswers.class) == null) {
        pipeline.replace(CODEC, CODEC, new Codec());
        pipeline.addAfter(CODEC, "gatewayInterimAnswers", new InterimAnswers());
      }
    }
  }

  /**
   * Netty's client codec, except that the answer to a HEAD has no body even after an interim answer. Netty's
   * pairs each answer with a request, a 103 Early Hints too: the 200 after it was read as the answer to no HEAD,
   * and its declared body, which never comes, held the exchange and its backend connection until the backend
   * closed it (the direct path's {@link BackendCodec} does the same for the same reason). With the limits
   * Vert.x's client gives Netty's codec by default.
   */
  static final class Codec extends CombinedChannelDuplexHandler<HttpResponseDecoder, HttpRequestEncoder> {
    /** The request whose answer is read (or awaited) is a HEAD; the router path sends one at a time. */
    private boolean head;

    Codec() {
      HttpClientOptions defaults = new HttpClientOptions();
      init(new HttpResponseDecoder(new HttpDecoderConfig()
          .setMaxInitialLineLength(defaults.getMaxInitialLineLength())
          .setMaxHeaderSize(defaults.getMaxHeaderSize())
          .setMaxChunkSize(defaults.getMaxChunkSize())
          .setInitialBufferSize(defaults.getDecoderInitialBufferSize())) {
        /**
         * A final answer without a body (to a HEAD, a 204, a 304: its head and end come out of one decoding) with
         * bytes after it in the same read: nobody asked for them. Left in place, Vert.x gave the connection back to
         * the pool at the answer's end, handed it at once to a request waiting for one, and then failed that
         * request (a 502 for someone else's request, which may have reached the backend) on reading them as an
         * answer to nothing. The answer now says Connection: close (Vert.x closes the connection after it rather
         * than reuse it; the relay drops the header as hop-by-hop) and the bytes are dropped, as the direct path
         * closes such a connection (DirectBackend.release).
         */
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
          int before = out.size();
          super.decode(ctx, buffer, out);
          if (!buffer.isReadable() || out.size() == before || !(out.get(out.size() - 1) instanceof LastHttpContent)) {
            return;
          }
          for (int i = before; i < out.size(); i++) {
            if (out.get(i) instanceof HttpResponse response && response.decoderResult().isSuccess()
                && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
              response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
              buffer.skipBytes(buffer.readableBytes());
              return;
            }
          }
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
          if (head && msg instanceof HttpResponse response
              && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            return true;
          }
          return super.isContentAlwaysEmpty(msg);
        }
      }, new HttpRequestEncoder() {
        @Override
        protected void encodeInitialLine(ByteBuf buf, HttpRequest request) throws Exception {
          head = request.method().equals(HttpMethod.HEAD);
          super.encodeInitialLine(buf, request);
        }
      });
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
