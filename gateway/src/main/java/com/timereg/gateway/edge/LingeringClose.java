package com.timereg.gateway.edge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.Http1xServerConnection;
import java.util.concurrent.TimeUnit;

/**
 * Lingering close (nginx's {@code lingering_close}) for the public listener's HTTP/1.x connections. When the gateway
 * closes a connection whose request it has not read to the end (a 413 for a body over the limit, a 401 or 429 given
 * before the body, a refused {@code Expect: 100-continue}, an early 502/503 with {@code Connection: close}; on the
 * router's path or the direct one), the client is usually still sending that body. Closed at once, with bytes unread
 * in the kernel or still arriving, the socket answers them with a TCP reset, and a client busy uploading (curl,
 * browsers, Python requests) reports "connection reset" instead of the answer it had already been sent.
 *
 * <p>So every close of such a connection, whoever asks for it, goes through here: once what was written has gone
 * out, the gateway shuts down its sending side (FIN: the client reads the answer and then the end of the stream),
 * then reads and drops what the client still sends, and closes when the client closes its side, after
 * {@link #LINGER_MILLIS} in all, or after {@link #LINGER_MAX_BYTES} dropped, whichever comes first. Nothing waits on
 * the event loop: the bytes are read as they come and a timer ends it. The channel stays open meanwhile, so a
 * graceful stop counts the connection until it has closed (bounded by the linger).
 *
 * <p>The same when the client has pipelined requests after the one answered last (a {@code Connection: close} on
 * the first of them, an error answer that closes): their bytes are as unread as a body's, and the reset they
 * caused destroyed the answer the client had not read yet (RFC 9112, section 9.6). A connection whose requests
 * have all been answered (or that became a tunnel) closes at once, as before.
 */
final class LingeringClose extends ChannelDuplexHandler {
  /** The meter of the closes that lingered ({@code gateway_connections_lingered_total}). */
  static final String METER = "gateway.connections.lingered";
  /** At most this long from the close to the end of the connection (nginx: lingering_time 30 s, timeout 5 s). */
  static final long LINGER_MILLIS = 5_000;
  /** At most this many bytes are read and dropped: an answer the client has not read after that, it never will. */
  static final long LINGER_MAX_BYTES = 8L * 1024 * 1024;

  /** A request's head has been decoded and its end (the last content) not yet. */
  private boolean requestUnfinished;
  /** Request heads decoded, and final answer heads written: more of the former means requests left unanswered. */
  private long requests;
  private long answers;
  private boolean lingering;
  private long dropped;
  private ScheduledFuture<?> timer;
  /** Counts the closes that lingered ({@link #METER}). */
  private final Counter lingered;

  private LingeringClose(Counter lingered) {
    this.lingered = lingered;
  }

  /** The meter of the closes that lingered, in {@code registry}. */
  static Counter meter(MeterRegistry registry) {
    return Counter.builder(METER)
        .description("Public HTTP/1.x connections whose close lingered: requests unread or unanswered when it was asked"
            + " for, so the gateway half-closed and read what the client still sent, up to 5 s")
        .register(registry);
  }

  /**
   * Installs the handler on an HTTP/1.x connection (HTTP/2 has its own stream resets); call after the decoder is in
   * place.
   *
   * @param lingered counts the closes that lingered (see {@link #meter})
   */
  static void install(HttpConnection connection, Counter lingered) {
    if (connection instanceof Http1xServerConnection http1) {
      ChannelPipeline pipeline = http1.channelHandlerContext().pipeline();
      if (pipeline.get("httpDecoder") != null && pipeline.channel() instanceof DuplexChannel) {
        LingeringClose linger = new LingeringClose(lingered);
        // First in the pipeline: every close, from any handler, passes here last; below TLS, so what is dropped is
        // never decrypted, and the close_notify has been written before the FIN.
        pipeline.addFirst("gatewayLingeringClose", linger);
        // After the encoder: requests come by decoded, and Vert.x's answers and the direct path's own refusals and
        // error answers go by as heads before they are encoded (the direct path's handler, after the encoder too, was
        // installed first, so it is after this one). A relayed answer of the direct path is written past the encoder
        // (ResponseHeads) and goes by nobody as a head: the direct path tells, answeredPastEncoder.
        String after = pipeline.get("httpEncoder") != null ? "httpEncoder" : "httpDecoder";
        pipeline.addAfter(after, "gatewayRequestProgress", linger.new Progress());
      }
    }
  }

  /** The handler installed on {@code pipeline}, or null (not a public HTTP/1.x connection's). */
  static LingeringClose of(ChannelPipeline pipeline) {
    return pipeline.get(LingeringClose.class);
  }

  /**
   * An answer of the direct path's, relayed from the backend, is being written past the HTTP encoder: a request's
   * final answer like those counted from their heads. Uncounted, every close after one took the relayed request
   * for unanswered and lingered up to {@link #LINGER_MILLIS}, holding the connection (and a graceful stop) until
   * the client closed its side.
   */
  void answeredPastEncoder() {
    answers++;
  }

  /** Notes from the decoded messages whether a request is still arriving, and which requests were answered. */
  private final class Progress extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        requests++;
        requestUnfinished = !(msg instanceof LastHttpContent);
      } else if (msg instanceof LastHttpContent) {
        requestUnfinished = false;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      // An interim answer (100 Continue, 103 Early Hints) is not the request's answer; 101 ends its HTTP part.
      if (msg instanceof HttpResponse response && (response.status().codeClass() != HttpStatusClass.INFORMATIONAL
          || response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS))) {
        answers++;
      }
      ctx.write(msg, promise);
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (lingering) {
      // Closes asked for meanwhile (Vert.x closes after a Connection: close answer and again on request) join it.
      ctx.channel().closeFuture().addListener(closed -> promise.trySuccess());
      return;
    }
    DuplexChannel channel = (DuplexChannel) ctx.channel();
    boolean unreadRequests = requestUnfinished || requests > answers;
    if (!unreadRequests || !channel.isActive() || channel.isInputShutdown() || channel.isOutputShutdown()) {
      ctx.close(promise);
      return;
    }
    lingering = true;
    lingered.increment();
    ctx.channel().closeFuture().addListener(closed -> promise.trySuccess());
    timer = ctx.executor().schedule(() -> {
      ctx.close();
    }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
    // Written in order: the empty write completes once everything before it has gone out. Shutting the output
    // down earlier would fail what is still queued (the answer itself).
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
      if (!written.isSuccess() || !channel.isActive()) {
        ctx.close();
        return;
      }
      channel.shutdownOutput().addListener(shut -> {
        if (!shut.isSuccess()) {
          ctx.close();
          return;
        }
        // Whoever paused the request stopped reading; the bytes are dropped here from now on.
        channel.config().setAutoRead(true);
        ctx.read();
      });
    });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!lingering) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (msg instanceof ByteBuf bytes) {
      dropped += bytes.readableBytes();
    } else if (msg instanceof ByteBufHolder holder) {
      dropped += holder.content().readableBytes();
    }
    ReferenceCountUtil.release(msg);
    if (dropped > LINGER_MAX_BYTES) {
      ctx.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!lingering) {
      ctx.fireChannelReadComplete();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (lingering) {
      // The client reset or left: nothing more to wait for.
      ctx.close();
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
    }
    ctx.fireChannelInactive();
  }
}
