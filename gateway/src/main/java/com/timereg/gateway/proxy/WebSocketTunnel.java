package com.timereg.gateway.proxy;

import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/**
 * A WebSocket upgrade: the handshake goes to the backend with the same header hygiene as any request; on
 * 101 both connections become raw byte pipes (frames, extensions and close handshakes pass end to end).
 * A refused upgrade is relayed as the ordinary response it is. A tunnel ends when the session that opened it
 * is revoked ({@link OpenTunnels}).
 */
final class WebSocketTunnel extends Exchange {
  /**
   * How long a tunnel's connection may take, once closed, to deliver what is still queued on it (the last
   * frames, a close frame) before it is cut.
   */
  static final long CLOSE_GRACE_MILLIS = 2_000;

  /** The identity that authenticated the handshake; null on a public path. */
  private final ForwardedIdentity identity;
  /** The place in {@link TunnelQuota} that {@link ProxyHandler} took: the session's, or the client address's. */
  private final String quotaKey;
  private boolean quotaReleased;
  /** Told the bytes relayed to the client once the tunnel has ended ({@link ProxyHints#onTunnelEnded}). */
  private final java.util.function.LongConsumer ended;

  /**
   * @param identity who authenticated the handshake (its session ends the tunnel), or null on a public path
   * @param quotaKey the {@link TunnelQuota#key} whose place was taken for this tunnel
   * @param ended told, once the tunnel has ended, the bytes it relayed to the client (the access log's line)
   */
  WebSocketTunnel(ExchangeSupport support, HttpServerRequest request, HeaderHygiene.Forwarding forwarding,
      long startNanos, ForwardedIdentity identity, String quotaKey, java.util.function.LongConsumer ended) {
    super(support, request, forwarding, startNanos);
    this.identity = identity;
    this.quotaKey = quotaKey;
    this.ended = ended;
  }

  /** Gives back the place in {@link TunnelQuota} that {@link ProxyHandler} took, once. */
  private void releaseQuota() {
    if (!quotaReleased) {
      quotaReleased = true;
      support.quota.release(quotaKey);
    }
  }

  @Override
  void failed() {
    releaseQuota();
  }

  @Override
  void send(HttpClientRequest upstream) {
    HeaderHygiene.toBackend(request.headers(), upstream.headers(), forwarding, support.settings.gatewayCookiePrefix());
    upstream.connect().onComplete(this::onHandshake);
    armResponseTimeout();
  }

  private void onHandshake(AsyncResult<HttpClientResponse> result) {
    if (!responseArrived()) {
      return;
    }
    if (result.failed()) {
      fail(ProxyFailure.ofExchange(result.cause()), result.cause());
      return;
    }
    HttpClientResponse response = result.result();
    if (response.statusCode() != 101) {
      int status = response.statusCode();
      releaseQuota();
      request.resume();
      ResponseRelay.relay(request, response, support.settings.gatewayCookiePrefix()).onComplete(relayed -> {
        if (relayed.succeeded()) {
          completed(status);
        } else {
          fail(ProxyFailure.ofExchange(relayed.cause()), relayed.cause());
        }
      });
      return;
    }
    NetSocket backendSocket = response.netSocket();
    // Hold frames the backend sends right after its 101 until the client side is ready to take them.
    backendSocket.pause();
    HttpServerResponse clientResponse = request.response();
    // The gateway's Strict-Transport-Security, when it sends one, stands for the host, as on every other answer.
    String hsts = clientResponse.headers().get("Strict-Transport-Security");
    HeaderHygiene.toClient(response.headers(), clientResponse.headers(), true, support.settings.gatewayCookiePrefix());
    if (hsts != null) {
      clientResponse.headers().set("Strict-Transport-Security", hsts);
    }
    request.toNetSocket().onComplete(upgraded -> {
      if (upgraded.failed()) {
        close(support.vertx, backendSocket);
        fail(ProxyFailure.CLIENT_CLOSED, upgraded.cause());
        return;
      }
      NetSocket clientSocket = upgraded.result();
      support.metrics.tunnelOpened();
      Splice splice = new Splice(support.vertx, clientSocket, backendSocket);
      splice.start(() -> {
        support.metrics.tunnelClosed();
        releaseQuota();
        support.tunnels.closed(clientSocket);
        ended.accept(splice.fromBackend.bytesSeen());
      });
      support.tunnels.opened(identity == null ? null : identity.session(),
          identity == null ? null : identity.sessionExpires(), clientSocket, () -> splice.endWith(CLOSE_POLICY));
      completed(101);
    });
  }

  /** A close frame's status: 1008, policy violation (the session has ended for the tunnel). */
  private static final int CLOSE_POLICY = 1008;
  /** A close frame's status: 1001, going away (the server is going down, RFC 6455 7.4.1). */
  private static final int CLOSE_GOING_AWAY = 1001;

  /**
   * Closes {@code socket}, and cuts it after {@link #CLOSE_GRACE_MILLIS} if it has not closed by then. Vert.x
   * closes a connection only once everything queued on it is flushed: to a peer that stopped reading (its
   * window full of what the other side streamed), that never happens, and the connection, the tunnel's other
   * one with it, would stay open for good.
   */
  static void close(Vertx vertx, NetSocket socket) {
    long cut = vertx.setTimer(CLOSE_GRACE_MILLIS, id -> {
      if (socket instanceof NetSocketInternal internal) {
        // From the first handler: past Vert.x's close, which waits for the flush, and past TLS's close_notify,
        // which would wait for it too (3 s, then a WARN from Netty); neither can reach a peer that reads nothing.
        internal.channelHandlerContext().pipeline().firstContext().close();
      }
    });
    socket.close().onComplete(closed -> vertx.cancelTimer(cut));
  }

  /**
   * A close frame with {@code status}: as a server sends it (to the client), unmasked; as a client sends it (to
   * the backend), masked (RFC 6455 5.3: a server must fail a connection whose client frames are not). The
   * payload is the gateway's own two bytes, not chosen by anyone on the path, so the masking key needs no strong
   * randomness (it guards against payloads an attacker picks).
   */
  static Buffer closeFrame(int status, boolean masked) {
    if (!masked) {
      return Buffer.buffer(new byte[] {(byte) 0x88, 0x02, (byte) (status >> 8), (byte) status});
    }
    byte[] key = new byte[4];
    java.util.concurrent.ThreadLocalRandom.current().nextBytes(key);
    return Buffer.buffer(new byte[] {(byte) 0x88, (byte) 0x82, key[0], key[1], key[2], key[3],
        (byte) ((status >> 8) ^ key[0]), (byte) (status ^ key[1])});
  }

  /** The two connections of a tunnel once spliced, and the frame boundaries of each one's bytes. */
  private static final class Splice {
    private final Vertx vertx;
    private final NetSocket client;
    private final NetSocket backend;
    /** The backend's bytes, towards the client: where a close frame may go to the client. */
    final TunnelFrames fromBackend = new TunnelFrames();
    /** The client's bytes, towards the backend: where a close frame may go to the backend. */
    private final TunnelFrames fromClient = new TunnelFrames();
    /** The gateway has ended the tunnel ({@link #endWith}): once is enough, and one close frame each way. */
    private boolean ended;

    Splice(Vertx vertx, NetSocket client, NetSocket backend) {
      this.vertx = vertx;
      this.client = client;
      this.backend = backend;
    }

    /**
     * Relays both ways with back-pressure; when either side closes or fails, the other is closed. When the
     * listener stops, the tunnel closes at once, both sides told 1001 (going away): it may stay open for hours,
     * a stop should not wait the whole grace for it, and its client reconnects (to another node).
     *
     * @param onClientClosed run once the client's connection has closed, however the tunnel ended
     */
    void start(Runnable onClientClosed) {
      // Not pipeTo either way: the frame boundaries are followed, so that a close frame can be sent each way.
      relay(client, backend, fromClient);
      relay(backend, client, fromBackend);
      // Both were paused: the client's request by the router before the proxy step, the backend's at its 101.
      client.resume();
      backend.resume();
      client.closeHandler(closed -> {
        close(vertx, backend);
        onClientClosed.run();
      });
      backend.closeHandler(closed -> close(vertx, client));
      client.shutdownHandler(stopping -> endWith(CLOSE_GOING_AWAY));
      endWhenIdle();
    }

    /**
     * The listener's idle timeout ({@code public.idle-timeout}) ends a quiet tunnel with 1001 (going away) to
     * both sides, as a stop does. Left to Vert.x, it closes the client's channel at once: no close frame either
     * way, and both ends saw an abnormal closure (1006), the code of a network failure, for a decision of the
     * gateway's. The idle event is taken before Vert.x's handler sees it.
     */
    private void endWhenIdle() {
      if (!(client instanceof NetSocketInternal internal)) {
        return;
      }
      io.netty.channel.ChannelHandlerContext vertxHandler = internal.channelHandlerContext();
      if (vertxHandler.isRemoved()) {
        // Gone with a client that left as the upgrade completed: there is nothing to time out.
        return;
      }
      ContextInternal context = ContextInternal.current();
      vertxHandler.pipeline().addBefore(vertxHandler.name(), "tunnel-idle", new io.netty.channel.ChannelInboundHandlerAdapter() {
        @Override
        public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object event) {
          if (event instanceof io.netty.handler.timeout.IdleStateEvent) {
            // On the channel's event loop, which is the tunnel's; through its context, as every other end.
            if (context == null) {
              endWith(CLOSE_GOING_AWAY);
            } else {
              context.runOnContext(idle -> endWith(CLOSE_GOING_AWAY));
            }
          } else {
            ctx.fireUserEventTriggered(event);
          }
        }
      });
    }

    /** Copies {@code from}'s bytes to {@code to}, reading no more while {@code to}'s queue is full. */
    private void relay(NetSocket from, NetSocket to, TunnelFrames frames) {
      from.handler(data -> {
        frames.feed(data);
        to.write(data);
        if (to.writeQueueFull()) {
          from.pause();
          to.drainHandler(drained -> from.resume());
        }
      });
      from.endHandler(end -> close(vertx, to));
      from.exceptionHandler(failure -> close(vertx, to));
    }

    /**
     * Ends the tunnel for the gateway's own reason: its session has ended (1008), the listener stops (1001). Each
     * side gets a close frame with that code when its stream is between two frames (RFC 6455 7.1.1: a connection
     * is ended with a close frame, not just dropped): a browser's {@code onclose} learns why (and can reconnect,
     * which signs in again or refreshes the session, or reaches another node), and the backend's application
     * sees its client leave with a reason, not an abnormal closure (1006) it would take for a network failure.
     * In the middle of a frame there is no way to say it, and that connection just closes (1006). Once one
     * side's own close frame has gone to the other (a closing handshake not answered yet), the other gets none
     * from the gateway: it has its close code, and a second close frame is one too many (RFC 6455 5.5.1).
     */
    void endWith(int status) {
      if (ended) {
        return;
      }
      ended = true;
      // Nothing more either way: a close frame is the last thing each side gets.
      backend.pause();
      client.pause();
      if (fromClient.betweenFrames() && !fromClient.closeSeen()) {
        backend.write(closeFrame(status, true));
      }
      close(vertx, backend);
      if (fromBackend.betweenFrames() && !fromBackend.closeSeen()) {
        // Queued behind what the client has not read yet; the close below flushes it first, if it can.
        client.write(closeFrame(status, false));
      }
      close(vertx, client);
    }
  }
}
