package com.timereg.gateway.proxy;

import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
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
      ServerFrames frames = new ServerFrames();
      support.metrics.tunnelOpened();
      splice(support.vertx, clientSocket, backendSocket, frames, () -> {
        support.metrics.tunnelClosed();
        releaseQuota();
        support.tunnels.closed(clientSocket);
        ended.accept(frames.bytesSeen());
      });
      support.tunnels.opened(identity == null ? null : identity.session(),
          identity == null ? null : identity.sessionExpires(), clientSocket,
          () -> endWith(support.vertx, clientSocket, backendSocket, frames, CLOSE_POLICY));
      completed(101);
    });
  }

  /**
   * Pipes both ways with back-pressure; when either side closes or fails, the other is closed. When the
   * listener stops, the tunnel closes at once, its client told 1001 (going away): it may stay open for hours, a
   * stop should not wait the whole grace for it, and its client reconnects (to another node).
   */
  private static void splice(Vertx vertx, NetSocket client, NetSocket backend, ServerFrames frames,
      Runnable onClientClosed) {
    client.pipeTo(backend).onFailure(failure -> close(vertx, backend));
    // Not pipeTo: the frame boundaries towards the client are followed, so that a close frame can be sent.
    backend.handler(data -> {
      frames.feed(data);
      client.write(data);
      if (client.writeQueueFull()) {
        backend.pause();
        client.drainHandler(drained -> backend.resume());
      }
    });
    backend.endHandler(ended -> close(vertx, client));
    backend.exceptionHandler(failure -> close(vertx, client));
    backend.resume();
    client.closeHandler(closed -> {
      close(vertx, backend);
      onClientClosed.run();
    });
    backend.closeHandler(closed -> close(vertx, client));
    client.shutdownHandler(stopping -> endWith(vertx, client, backend, frames, CLOSE_GOING_AWAY));
  }

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

  /** A close frame with status 1008 (policy violation), as a server sends it: unmasked. */
  private static final byte[] CLOSE_POLICY = {(byte) 0x88, 0x02, 0x03, (byte) 0xF0};
  /** A close frame with status 1001 (going away: the server is going down, RFC 6455 7.4.1), unmasked. */
  private static final byte[] CLOSE_GOING_AWAY = {(byte) 0x88, 0x02, 0x03, (byte) 0xE9};

  /**
   * Ends a tunnel for the gateway's own reason: its session has ended (1008), the listener stops (1001). Between
   * two frames the client gets a close frame with that code, so a browser's {@code onclose} learns why (and can
   * reconnect, which signs in again or refreshes the session, or reaches another node); in the middle of one
   * there is no way to say it, and the connection just closes (1006). Once the backend's close frame has gone to
   * the client (a closing handshake the client has not answered yet), none is added: the client has its code.
   */
  private static void endWith(Vertx vertx, NetSocket client, NetSocket backend, ServerFrames frames, byte[] closeFrame) {
    backend.pause();
    close(vertx, backend);
    // Not after the backend's own close frame: the client has its close code, and a second close frame is one
    // too many (RFC 6455 5.5.1); the backend's is the one that counts.
    if (frames.betweenFrames() && !frames.closeSeen()) {
      // Queued behind what the client has not read yet; the close below flushes it first, if it can.
      client.write(Buffer.buffer(closeFrame));
    }
    close(vertx, client);
  }
}
