package com.timereg.gateway.proxy;

import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetSocket;

/**
 * A WebSocket upgrade: the handshake goes to the backend with the same header hygiene as any request; on
 * 101 both connections become raw byte pipes (frames, extensions and close handshakes pass end to end).
 * A refused upgrade is relayed as the ordinary response it is. A tunnel ends when the session that opened it
 * is revoked ({@link OpenTunnels}).
 */
final class WebSocketTunnel extends Exchange {
  /** The identity that authenticated the handshake; null on a public path. */
  private final ForwardedIdentity identity;

  /** @param identity who authenticated the handshake (its session ends the tunnel), or null on a public path */
  WebSocketTunnel(ExchangeSupport support, HttpServerRequest request, HeaderHygiene.Forwarding forwarding,
      long startNanos, ForwardedIdentity identity) {
    super(support, request, forwarding, startNanos);
    this.identity = identity;
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
        backendSocket.close();
        fail(ProxyFailure.CLIENT_CLOSED, upgraded.cause());
        return;
      }
      NetSocket clientSocket = upgraded.result();
      ServerFrames frames = new ServerFrames();
      support.metrics.tunnelOpened();
      splice(clientSocket, backendSocket, frames, () -> {
        support.metrics.tunnelClosed();
        support.tunnels.closed(clientSocket);
      });
      support.tunnels.opened(identity == null ? null : identity.session(),
          identity == null ? null : identity.sessionExpires(), clientSocket,
          () -> endForPolicy(clientSocket, backendSocket, frames));
      completed(101);
    });
  }

  /**
   * Pipes both ways with back-pressure; when either side closes or fails, the other is closed. When the
   * listener stops, the tunnel closes at once: it may stay open for hours, a stop should not wait the whole
   * grace for it, and its client reconnects (to another node).
   */
  private static void splice(NetSocket client, NetSocket backend, ServerFrames frames, Runnable onClientClosed) {
    client.pipeTo(backend).onFailure(failure -> backend.close());
    // Not pipeTo: the frame boundaries towards the client are followed, so that a close frame can be sent.
    backend.handler(data -> {
      frames.feed(data);
      client.write(data);
      if (client.writeQueueFull()) {
        backend.pause();
        client.drainHandler(drained -> backend.resume());
      }
    });
    backend.endHandler(ended -> client.end());
    backend.exceptionHandler(failure -> client.close());
    backend.resume();
    client.closeHandler(closed -> {
      backend.close();
      onClientClosed.run();
    });
    backend.closeHandler(closed -> client.close());
    client.shutdownHandler(stopping -> client.close());
  }

  /** A close frame with status 1008 (policy violation), as a server sends it: unmasked. */
  private static final byte[] CLOSE_POLICY = {(byte) 0x88, 0x02, 0x03, (byte) 0xF0};

  /**
   * Ends a tunnel whose session has ended. Between two frames the client gets a close frame with 1008, so a
   * browser's {@code onclose} learns why (and can reconnect, which signs in again or refreshes the session);
   * in the middle of one there is no way to say it, and the connection just closes (1006).
   */
  private static void endForPolicy(NetSocket client, NetSocket backend, ServerFrames frames) {
    backend.pause();
    backend.close();
    if (frames.betweenFrames()) {
      client.write(Buffer.buffer(CLOSE_POLICY)).onComplete(written -> client.close());
    } else {
      client.close();
    }
  }
}
