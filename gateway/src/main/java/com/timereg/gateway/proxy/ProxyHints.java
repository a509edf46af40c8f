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
}
