package com.timereg.gateway.proxy;

import io.vertx.core.AsyncResult;
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
  private String session;

  WebSocketTunnel(ExchangeSupport support, HttpServerRequest request, HeaderHygiene.Forwarding forwarding,
      long startNanos) {
    super(support, request, forwarding, startNanos);
  }

  /** Also remembers the session that authenticated the handshake. */
  void start(io.vertx.ext.web.RoutingContext context, String session) {
    this.session = session;
    start(context);
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
    HeaderHygiene.toClient(response.headers(), clientResponse.headers(), true, support.settings.gatewayCookiePrefix());
    request.toNetSocket().onComplete(upgraded -> {
      if (upgraded.failed()) {
        backendSocket.close();
        fail(ProxyFailure.CLIENT_CLOSED, upgraded.cause());
        return;
      }
      NetSocket clientSocket = upgraded.result();
      splice(clientSocket, backendSocket, () -> support.tunnels.closed(clientSocket));
      support.tunnels.opened(session, clientSocket, backendSocket);
      completed(101);
    });
  }

  /**
   * Pipes both ways with back-pressure; when either side closes or fails, the other is closed. When the
   * listener stops, the tunnel closes at once: it may stay open for hours, a stop should not wait the whole
   * grace for it, and its client reconnects (to another node).
   */
  private static void splice(NetSocket client, NetSocket backend, Runnable onClientClosed) {
    client.pipeTo(backend).onFailure(failure -> backend.close());
    backend.pipeTo(client).onFailure(failure -> client.close());
    client.closeHandler(closed -> {
      backend.close();
      onClientClosed.run();
    });
    backend.closeHandler(closed -> client.close());
    client.shutdownHandler(stopping -> client.close());
  }
}
