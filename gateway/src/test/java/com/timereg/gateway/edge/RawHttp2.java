package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One request over a raw HTTP/2 connection to the gateway's public listener: Netty's frame codec with values
 * unchecked (ordinary clients refuse to send what some tests send), optionally from a chosen 127.0.0.0/8 source
 * and with bytes written before the TLS handshake (a load balancer's PROXY line).
 */
final class RawHttp2 {
  private RawHttp2() {}

  /**
   * The frames read until the request's stream ended, as text (each DATA frame followed by its content), on a
   * connection from 127.0.0.1.
   */
  static java.util.List<Object> exchange(int port, io.netty.handler.codec.http2.Http2Headers headers) throws Exception {
    return exchange(port, null, new byte[0], headers);
  }

  /**
   * @param source the local address to connect from, or null for any
   * @param prefix bytes written as the connection opens, before TLS
   */
  static java.util.List<Object> exchange(int port, String source, byte[] prefix,
      io.netty.handler.codec.http2.Http2Headers headers) throws Exception {
    java.util.List<Object> frames = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(1);
    io.netty.channel.EventLoopGroup group = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
        io.netty.channel.nio.NioIoHandler.newFactory());
    try {
      io.netty.handler.ssl.SslContext tls = io.netty.handler.ssl.SslContextBuilder.forClient()
          .trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE)
          .applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
              io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
              io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"))
          .build();
      io.netty.handler.codec.http2.Http2FrameCodec codec = io.netty.handler.codec.http2.Http2FrameCodecBuilder
          .forClient().validateHeaders(false)
          // Sent even past the header list size the gateway announced: whether its SETTINGS arrived before the
          // request was written is a race, and a test of that limit must see the gateway's answer, not Netty's refusal.
          .encoderIgnoreMaxHeaderListSize(true).build();
      io.netty.handler.codec.http2.Http2ChannelDuplexHandler collector = new io.netty.handler.codec.http2.Http2ChannelDuplexHandler() {
        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
          frames.add(msg.toString());
          if (msg instanceof io.netty.handler.codec.http2.Http2DataFrame data) {
            frames.add(data.content().toString(java.nio.charset.StandardCharsets.UTF_8));
          }
          if (msg instanceof io.netty.handler.codec.http2.Http2StreamFrame && (msg instanceof io.netty.handler.codec.http2.Http2ResetFrame
              || msg instanceof io.netty.handler.codec.http2.Http2HeadersFrame h && h.isEndStream()
              || msg instanceof io.netty.handler.codec.http2.Http2DataFrame d && d.isEndStream())
              || msg instanceof io.netty.handler.codec.http2.Http2GoAwayFrame) {
            answered.countDown();
          }
          io.netty.util.ReferenceCountUtil.release(msg);
        }
      };
      io.netty.bootstrap.Bootstrap bootstrap = new io.netty.bootstrap.Bootstrap().group(group)
          .channel(io.netty.channel.socket.nio.NioSocketChannel.class)
          .handler(new io.netty.channel.ChannelInitializer<io.netty.channel.Channel>() {
            @Override
            protected void initChannel(io.netty.channel.Channel ch) {
              if (prefix.length > 0) {
                // Written when the connection opens, before the TLS handshake starts (a load balancer's PROXY line).
                ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelActive(io.netty.channel.ChannelHandlerContext ctx) {
                    ctx.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(prefix));
                    ctx.fireChannelActive();
                  }
                });
              }
              ch.pipeline().addLast(tls.newHandler(ch.alloc(), "localhost", port), codec, collector);
            }
          });
      if (source != null) {
        bootstrap.localAddress(source, 0);
      }
      io.netty.channel.Channel channel = bootstrap.connect("127.0.0.1", port).sync().channel();
      io.netty.channel.ChannelFuture written = channel.eventLoop().submit(() -> channel.writeAndFlush(
          new io.netty.handler.codec.http2.DefaultHttp2HeadersFrame(headers, true).stream(collector.newStream())))
          .get();
      written.sync();
      assertThat(answered.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the stream ends: " + frames).isTrue();
      channel.close().sync();
      return frames;
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
  }
}
