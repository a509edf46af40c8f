package com.timereg.gateway.proxy;

import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * What earlier steps of the public router tell the proxy step about a request, kept in the routing
 * context so the proxy depends on no other package.
 */
public final class ProxyHints {

  private static final String CLIENT_ADDRESS = ProxyHints.class.getName() + ".clientAddress";
  private static final String GATEWAY_AUTHORIZATION = ProxyHints.class.getName() + ".gatewayAuthorization";
  private static final String BODY_TAKEN = ProxyHints.class.getName() + ".bodyTaken";
  private static final String TUNNEL_ENDED = ProxyHints.class.getName() + ".tunnelEnded";

  private ProxyHints() {}

  /**
   * The client address the gateway resolved (trusted-proxy rules applied); it becomes the backend's only
   * {@code X-Forwarded-For} entry.
   */
  public static void putClientAddress(RoutingContext context, String address) {
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("client address must not be blank");
    }
    context.put(CLIENT_ADDRESS, address);
  }

  /** The resolved client address, or the socket peer when no step resolved one. */
  public static String clientAddress(RoutingContext context) {
    String resolved = context.get(CLIENT_ADDRESS);
    if (resolved != null) {
      return resolved;
    }
    SocketAddress peer = context.request().remoteAddress();
    return peer == null || peer.hostAddress() == null ? "unknown" : peer.hostAddress();
  }

  /**
   * Marks that the request's {@code Authorization} header carried the gateway's own bearer token, so the
   * proxy removes it: the backend must never see gateway credentials.
   */
  public static void markGatewayAuthorization(RoutingContext context) {
    context.put(GATEWAY_AUTHORIZATION, Boolean.TRUE);
  }

  public static boolean isGatewayAuthorization(RoutingContext context) {
    return Boolean.TRUE.equals(context.get(GATEWAY_AUTHORIZATION));
  }

  /**
   * Marks that the proxy step owns the request's body from here: it streams it to the backend, or reads and drops
   * it when it refuses the request; no earlier step may touch it.
   */
  static void markBodyTaken(RoutingContext context) {
    context.put(BODY_TAKEN, Boolean.TRUE);
  }

  /** Whether the proxy step took the request's body (see {@link #markBodyTaken}). */
  public static boolean bodyTaken(RoutingContext context) {
    return Boolean.TRUE.equals(context.get(BODY_TAKEN));
  }

  /**
   * What to do when the request became a WebSocket tunnel and the tunnel has ended (its client's connection
   * closed), given the bytes relayed to the client through it: the routing context's end handlers never run for
   * such a request, as Vert.x hands its connection over without ending or closing the answer. The access log
   * writes the request's line here.
   */
  public static void onTunnelEnded(RoutingContext context, java.util.function.LongConsumer ended) {
    context.put(TUNNEL_ENDED, ended);
  }

  /** What {@link #onTunnelEnded} asked for, or nothing. */
  static java.util.function.LongConsumer tunnelEnded(RoutingContext context) {
    java.util.function.LongConsumer ended = context.get(TUNNEL_ENDED);
    return ended == null ? bytes -> {} : ended;
  }
}
