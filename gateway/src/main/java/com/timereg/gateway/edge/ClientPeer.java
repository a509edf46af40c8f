package com.timereg.gateway.edge;

import com.timereg.gateway.clientip.ClientAddressResolver;
import com.timereg.gateway.clientip.IpLiterals;
import com.timereg.gateway.metrics.ServerConnectionMetric;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The peer a public connection's client address is resolved from, with {@code public.proxy-protocol} on: the
 * client that the PROXY header of a trusted load balancer ({@code client-address.trusted-proxies}) named, or the
 * socket's own peer when the peer is no load balancer (its header names nobody), or when the header named no
 * address (a {@code LOCAL} or {@code UNKNOWN} header: the balancer's own health check). X-Forwarded-For is then
 * read as usual, from this peer.
 *
 * <p>Why not Vert.x's view of the connection: Vert.x 5.0.7 decodes the PROXY header but believes it from any
 * peer, and hands the address it names only to the first connection object that asks, the one it meters
 * (metrics are always on here); the HTTP connection built next reports the socket's peer again. That first
 * report is kept in the connection's metric ({@link ServerConnectionMetric}), where this reads it.
 */
final class ClientPeer {
  private static final AttributeKey<InetAddress> KEY = AttributeKey.valueOf("gateway.client-peer");

  private ClientPeer() {}

  /**
   * Decides the connection's peer once, from what Vert.x reported when the connection opened and the socket's
   * real peer, and keeps it with the channel; later calls return it.
   *
   * @return the peer, or null when the connection has no IP peer
   */
  static InetAddress settle(HttpConnection connection, ClientAddressResolver resolver) {
    if (!(connection instanceof ConnectionBase base)) {
      return null;
    }
    Channel channel = base.channel();
    InetAddress settled = channel.attr(KEY).get();
    if (settled != null) {
      return settled;
    }
    InetAddress socketPeer = socketPeer(channel);
    if (socketPeer == null) {
      return null;
    }
    InetAddress peer = socketPeer;
    if (resolver.isTrustedProxy(socketPeer)) {
      SocketAddress reported = ServerConnectionMetric.reportedPeer(base.metric());
      InetAddress named = reported == null ? null : IpLiterals.parsePeer(reported.hostAddress());
      if (named != null) {
        peer = named;
      }
    }
    channel.attr(KEY).set(peer);
    return peer;
  }

  /** The peer {@link #settle} decided for {@code channel}, or the socket's own when it decided none. */
  static InetAddress of(Channel channel) {
    InetAddress settled = channel.attr(KEY).get();
    return settled != null ? settled : socketPeer(channel);
  }

  /** As the peer's text form would parse: no IPv6 scope, IPv4-mapped addresses as IPv4. */
  private static InetAddress socketPeer(Channel channel) {
    if (!(channel.remoteAddress() instanceof InetSocketAddress address) || address.getAddress() == null) {
      return null;
    }
    try {
      return InetAddress.getByAddress(address.getAddress().getAddress());
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
