package com.timereg.gateway.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A raw HTTP/2 client over TLS (Netty's frame codec) that reports the frames of one answer as they came. */
final class Http2Frames {

  /** A DATA frame's payload and whether it ended the stream. */
  record Data(String text, boolean endStream) {}

  private Http2Frames() {}

  /**
   * Sends {@code GET path} on a new connection to {@code localhost:port} and returns the stream frames of the
   * answer in order (HEADERS as Netty's frames, DATA as {@link Data}), once one ends the stream.
   */
  static List<Object> get(int port, String path) throws Exception {
    DefaultHttp2Headers headers = new DefaultHttp2Headers();
    headers.method("GET").scheme("https").authority("localhost").path(path);
    return send(port, headers);
  }

  /** As {@link #get}, with the request's headers as given. */
  static List<Object> send(int port, DefaultHttp2Headers headers) throws Exception {
    List<Object> frames = new CopyOnWriteArrayList<>();
    CountDownLatch ended = new CountDownLatch(1);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      SslContext tls = SslContextBuilder.forClient()
          .trustManager(InsecureTrustManagerFactory.INSTANCE)
          .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"))
          .build();
      Http2FrameCodec codec = Http2FrameCodecBuilder.forClient().build();
      Http2ChannelDuplexHandler collector = new Http2ChannelDuplexHandler() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          try {
            if (msg instanceof Http2DataFrame d) {
              frames.add(new Data(d.content().toString(StandardCharsets.UTF_8), d.isEndStream()));
            } else if (msg instanceof Http2StreamFrame) {
              frames.add(msg);
            }
            if (msg instanceof Http2ResetFrame || msg instanceof Http2HeadersFrame h && h.isEndStream()
                || msg instanceof Http2DataFrame d && d.isEndStream()) {
              ended.countDown();
            }
          } finally {
            ReferenceCountUtil.release(msg);
          }
        }
      };
      Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(tls.newHandler(ch.alloc(), "localhost", port), codec, collector);
            }
          })
          .connect("127.0.0.1", port).sync().channel();
      channel.eventLoop().submit(() -> channel.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true)
          .stream(collector.newStream()))).get().sync();
      if (!ended.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("the answer did not end within 10 s: " + frames);
      }
      channel.close().sync();
      return List.copyOf(frames);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
