package com.timereg.gateway.edge;

import com.timereg.gateway.clientip.ClientAddressResolver;
import com.timereg.gateway.clientip.IpLiterals;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;

/**
 * Decides who the client is, once per request, for every later step (block check, login counting,
 * X-Forwarded-For to the backend): the socket peer, unless that peer is a trusted proxy; with the
 * PROXY protocol switched on, the connection's {@link ClientPeer} (whom a trusted balancer's header named).
 */
public final class ClientAddressHandler {
  private static final String KEY = "gateway.client-address";

  private final ClientAddressResolver resolver;
  private final boolean proxyProtocol;

  /** @param proxyProtocol whether the public listener reads a PROXY header on every connection */
  public ClientAddressHandler(ClientAddressResolver resolver, boolean proxyProtocol) {
    this.resolver = resolver;
    this.proxyProtocol = proxyProtocol;
  }

  public ClientAddressHandler(ClientAddressResolver resolver) {
    this(resolver, false);
  }

  /** Decides the peer of a new connection, before its first request ({@link ClientPeer}). */
  void connected(io.vertx.core.http.HttpConnection connection) {
    if (proxyProtocol) {
      ClientPeer.settle(connection, resolver);
    }
  }

  /** The client address resolved for this request. */
  public static InetAddress of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  static void put(RoutingContext ctx, InetAddress client) {
    ctx.put(KEY, client);
  }

  /** The client of {@code request}, or null when its connection has no IP peer (never on TCP listeners). */
  InetAddress resolve(HttpServerRequest request) {
    // The connection's peer, not vertx-web's request view of it, which runs its Forwarded-header
    // parser on every request although forwarding headers are decided here, by the resolver.
    InetAddress peer;
    if (proxyProtocol) {
      peer = ClientPeer.settle(request.connection(), resolver);
    } else {
      SocketAddress remote = request.connection().remoteAddress();
      peer = remote == null ? null : IpLiterals.parsePeer(remote.hostAddress());
    }
    return peer == null ? null : resolver.resolve(peer, request.headers().getAll("X-Forwarded-For"));
  }

  /** The client behind a socket peer, for steps that see the connection itself ({@link ConnectionFastPath}). */
  InetAddress resolve(InetAddress peer, java.util.List<String> forwardedFor) {
    try {
      // As the peer's text form would parse: no IPv6 scope, IPv4-mapped addresses as IPv4.
      return resolver.resolve(InetAddress.getByAddress(peer.getAddress()), forwardedFor);
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }
}
