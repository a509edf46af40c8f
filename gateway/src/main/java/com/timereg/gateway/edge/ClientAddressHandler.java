package com.timereg.gateway.edge;

import com.timereg.gateway.clientip.ClientAddressResolver;
import com.timereg.gateway.clientip.IpLiterals;
import io.vertx.core.Handler;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;

/**
 * First step after framing: decides who the client is, once, for every later step (block check,
 * login counting, X-Forwarded-For to the backend). The socket peer, unless that peer is a trusted
 * proxy; with the PROXY protocol switched on, Vert.x already reports the proxied client as the peer.
 */
public final class ClientAddressHandler implements Handler<RoutingContext> {
  private static final String KEY = "gateway.client-address";

  private final ClientAddressResolver resolver;

  public ClientAddressHandler(ClientAddressResolver resolver) {
    this.resolver = resolver;
  }

  /** The client address resolved for this request. */
  public static InetAddress of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  @Override
  public void handle(RoutingContext ctx) {
    // The connection's peer, not vertx-web's request view of it, which runs its Forwarded-header
    // parser on every request although forwarding headers are decided here, by the resolver.
    SocketAddress remote = ctx.request().connection().remoteAddress();
    InetAddress peer = remote == null ? null : IpLiterals.parsePeer(remote.hostAddress());
    if (peer == null) {
      // Cannot happen on TCP listeners; refuse rather than let an unknown client skip throttling.
      PublicRouter.json(ctx, 400, "bad_request", "The client address could not be determined.");
      return;
    }
    ctx.put(KEY, resolver.resolve(peer, ctx.request().headers().getAll("X-Forwarded-For")));
    ctx.next();
  }
}
