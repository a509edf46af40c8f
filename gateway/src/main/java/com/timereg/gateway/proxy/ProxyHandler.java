package com.timereg.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;
import java.util.Optional;

/**
 * The last step of the public router: relays the request to the backend and the response back, streaming
 * both bodies, with the gateway's forwarding and identity headers in place of anything the client claimed.
 *
 * <p>Mount it as {@code router.route().handler(proxyHandler)} after the steps that authenticate. It reads
 * from the routing context: {@link ForwardedIdentity} (absent on public paths), the client address from
 * {@link ProxyHints#putClientAddress} (socket peer otherwise), and {@link ProxyHints#markGatewayAuthorization}.
 * Earlier steps that do anything asynchronous must pause the request first, or its body is lost.
 *
 * <p>It owns its backend connection pool; create one per event-loop verticle and {@link #close()} it when
 * the verticle stops.
 */
public final class ProxyHandler implements Handler<RoutingContext> {

  private final ExchangeSupport support;
  private final Optional<DirectProxy> direct;

  private ProxyHandler(Vertx vertx, ExchangeSupport support) {
    this.support = support;
    this.direct = DirectProxy.create(vertx, support);
  }

  /** Builds the backend clients; fails fast (IllegalArgumentException) if a TLS file cannot be read. */
  public static ProxyHandler create(Vertx vertx, ProxySettings settings, ProxyMetrics metrics) {
    return create(vertx, settings, metrics, Long.MAX_VALUE);
  }

  /** @param maxBodyBytes request bodies larger than this are refused with 413, never forwarded in part */
  public static ProxyHandler create(Vertx vertx, ProxySettings settings, ProxyMetrics metrics, long maxBodyBytes) {
    return create(vertx, settings, metrics, maxBodyBytes, session -> false);
  }

  /** As below, with the system clock. */
  public static ProxyHandler create(Vertx vertx, ProxySettings settings, ProxyMetrics metrics, long maxBodyBytes,
      java.util.function.Predicate<String> sessionRevoked) {
    return create(vertx, settings, metrics, maxBodyBytes, sessionRevoked, java.time.Clock.systemUTC());
  }

  /**
   * @param sessionRevoked whether a session was revoked ({@link ForwardedIdentity#session}): the WebSocket tunnels it
   *     opened are closed ({@link OpenTunnels})
   * @param clock the sessions' clock: a tunnel is closed when the credentials of its handshake expire by it
   *     ({@link ForwardedIdentity#sessionExpires})
   */
  public static ProxyHandler create(Vertx vertx, ProxySettings settings, ProxyMetrics metrics, long maxBodyBytes,
      java.util.function.Predicate<String> sessionRevoked, java.time.Clock clock) {
    return create(vertx, settings, metrics, maxBodyBytes, sessionRevoked, clock,
        new TunnelQuota(settings.maxTunnelsPerSession()));
  }

  /**
   * @param quota the node's tunnels per session, shared by the handlers of all event loops, so that the cap
   *     ({@link ProxySettings#maxTunnelsPerSession}) holds for the node and not per event loop
   */
  public static ProxyHandler create(Vertx vertx, ProxySettings settings, ProxyMetrics metrics, long maxBodyBytes,
      java.util.function.Predicate<String> sessionRevoked, java.time.Clock clock, TunnelQuota quota) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(quota, "quota");
    return new ProxyHandler(vertx, new ExchangeSupport(vertx, new BackendClient(vertx, settings), settings, metrics,
        maxBodyBytes, new OpenTunnels(vertx, sessionRevoked, clock), quota));
  }

  public ProxySettings settings() {
    return support.settings;
  }

  /**
   * The direct path to the same backend with the same pool limits, for requests the connection's pipeline
   * has authenticated itself; present for an HTTP/1.1 backend (plain or TLS) when created on an event loop.
   */
  public Optional<DirectProxy> direct() {
    return direct;
  }

  @Override
  public void handle(RoutingContext context) {
    long start = System.nanoTime();
    HttpServerRequest request = context.request();
    if (request.response().closed()) {
      // The client left while earlier steps were deciding; a backend request would be answered to no one.
      return;
    }
    // Nothing below is synchronous: hold the body until the backend can take it.
    request.pause();
    ProxyHints.markBodyTaken(context);
    boolean webSocket = request.canUpgradeToWebSocket();
    HeaderHygiene.Forwarding forwarding = forwarding(context, request, webSocket);
    if (webSocket) {
      ForwardedIdentity identity = ForwardedIdentity.from(context).orElse(null);
      String quotaKey = support.quota.key(identity == null ? null : identity.session(), forwarding.clientAddress());
      if (!support.quota.acquire(quotaKey)) {
        // Before the backend: each tunnel would hold one of its connections for as long as it is open.
        refuse(request, ProxyFailure.TOO_MANY_TUNNELS, start);
        return;
      }
      new WebSocketTunnel(support, request, forwarding, start, identity, quotaKey, ProxyHints.tunnelEnded(context))
          .start(context);
      return;
    }
    RequestFraming framing = RequestFraming.of(request);
    if (refusesMethod(request.method().name())) {
      refuse(request, ProxyFailure.METHOD_NOT_ALLOWED, start);
    } else if (!framing.valid()) {
      refuse(request, ProxyFailure.BAD_FRAMING, start);
    } else if (framing.length() > support.maxBodyBytes) {
      refuse(request, ProxyFailure.BODY_TOO_LARGE, start);
    } else if (request.isEnded() && framing.declaresBody()) {
      refuse(request, ProxyFailure.BODY_CONSUMED, start);
    } else {
      new HttpExchange(support, request, forwarding, framing, start).start(context);
    }
  }

  /**
   * Methods never forwarded: CONNECT would ask the backend for a tunnel to anywhere, TRACE would echo the
   * request back, cookies the page's scripts cannot read included.
   */
  public static boolean refusesMethod(String method) {
    return method.equals("CONNECT") || method.equals("TRACE");
  }

  /** Closes the backend connections; in-flight exchanges fail with 502. */
  public Future<Void> close() {
    direct.ifPresent(DirectProxy::close);
    return support.backend.close();
  }

  private HeaderHygiene.Forwarding forwarding(RoutingContext context, HttpServerRequest request, boolean webSocket) {
    HostAndPort authority = request.authority();
    return new HeaderHygiene.Forwarding(
        ProxyHints.clientAddress(context),
        request.isSSL() ? "https" : "http",
        authority == null ? null : authority.toString(),
        ForwardedIdentity.from(context).orElse(null),
        ProxyHints.isGatewayAuthorization(context),
        webSocket);
  }

  private void refuse(HttpServerRequest request, ProxyFailure failure, long start) {
    support.log(failure, request, null);
    support.metrics.failed(failure);
    if (!request.isEnded()) {
      request.resume();
    }
    ErrorResponses.send(request, failure).onComplete(sent -> {
      if ((failure == ProxyFailure.BAD_FRAMING || failure == ProxyFailure.BODY_TOO_LARGE)
          && request.version() != HttpVersion.HTTP_2) {
        // Close rather than keep alive: the body is unread (or its end unknown), so the next bytes
        // on this connection are not a request.
        request.connection().close();
      }
    });
    support.metrics.requestCompleted(failure.status(), System.nanoTime() - start);
  }
}
