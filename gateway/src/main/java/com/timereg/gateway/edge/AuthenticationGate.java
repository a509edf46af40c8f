package com.timereg.gateway.edge;

import com.timereg.gateway.proxy.ForwardedIdentity;
import com.timereg.gateway.proxy.ProxyHints;
import com.timereg.gateway.session.AuthFailure;
import com.timereg.gateway.session.SessionAuthenticator;
import com.timereg.gateway.session.SessionIdentity;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The step between the gateway's own routes and the proxy: what the backend may see. An
 * authenticated request goes on with the identity the gateway vouches for; a request to a public
 * path goes on without one; anything else is sent to log in (browsers) or refused (apps).
 */
final class AuthenticationGate implements Handler<RoutingContext> {
  private static final String UNAVAILABLE_MESSAGE = "Your session could not be checked right now. Please retry shortly.";
  private static final String UNAVAILABLE_PAGE = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      + "<title>Temporarily unavailable</title></head><body><h1>Temporarily unavailable</h1><p>" + UNAVAILABLE_MESSAGE
      + "</p></body></html>";

  private final Predicate<String> isPublicPath;
  private final Predicate<String> allowedOriginHost;

  /**
   * @param allowedOriginHost whether a WebSocket handshake's Origin may name this host, besides the host the
   *     handshake was sent to ({@code public.allowed-hosts}; none when that is empty)
   */
  AuthenticationGate(Predicate<String> isPublicPath, Predicate<String> allowedOriginHost) {
    this.isPublicPath = isPublicPath;
    this.allowedOriginHost = allowedOriginHost;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.request().canUpgradeToWebSocket() && foreignOrigin(ctx.request(), allowedOriginHost)) {
      // Cross-site WebSocket hijacking: the browser sends the session cookie with a handshake from any page
      // that SameSite lets through, and no CORS protects what the page then reads and writes.
      ctx.response().setStatusCode(403).putHeader("Content-Type", "application/json")
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Cache-Control", "no-store")
          .end(new JsonObject().put("error", "forbidden_origin")
              .put("message", "WebSockets are only opened from this site's own pages.").encode());
      return;
    }
    ProxyHints.putClientAddress(ctx, ClientAddressHandler.of(ctx).getHostAddress());
    if (SessionAuthenticator.bearerIsOurs(ctx)) {
      ProxyHints.markGatewayAuthorization(ctx);
    }
    Optional<SessionIdentity> identity = SessionAuthenticator.identity(ctx);
    if (identity.isPresent()) {
      SessionIdentity id = identity.get();
      ForwardedIdentity.put(ctx, new ForwardedIdentity(id.loginName(), id.customer(), id.method().value, id.sessionId(),
          SessionAuthenticator.accessExpires(ctx).orElse(null)));
      ctx.next();
    } else if (isPublicPath.test(ctx.normalizedPath()) && readsTheSame(ctx.request().path(), ctx.normalizedPath())) {
      ctx.next();
    } else if (SessionAuthenticator.failure(ctx).orElse(null) == AuthFailure.UNAVAILABLE) {
      // The session could not be checked (database down during a refresh): not the user's fault,
      // so no login page; ask them to come back shortly. A browser's page load gets a page, not raw JSON.
      ctx.response().setStatusCode(503).putHeader("Retry-After", "5").putHeader("Cache-Control", "no-store");
      if (isBrowserNavigation(ctx)) {
        ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
            .putHeader("Content-Security-Policy", BlockHandler.PAGE_POLICY).putHeader("X-Frame-Options", "DENY")
            .putHeader("X-Content-Type-Options", "nosniff").end(UNAVAILABLE_PAGE);
      } else {
        ctx.response().putHeader("Content-Type", "application/json")
            .putHeader("X-Content-Type-Options", "nosniff")
            .end(new JsonObject().put("error", "temporarily_unavailable").put("message", UNAVAILABLE_MESSAGE).encode());
      }
    } else if (SessionAuthenticator.failure(ctx).orElse(null) == AuthFailure.MALFORMED_REQUEST) {
      // Several Authorization headers with a token of ours: RFC 6750 3.1 calls that a malformed request (400),
      // not a refused token; the app has a bug to fix, and refreshing its token would not help.
      com.timereg.gateway.login.LoginRoutes.refuseMalformedAuthorization(ctx);
    } else if (isBrowserNavigation(ctx) && !SessionAuthenticator.bearerIsOurs(ctx)) {
      // Not for a request that brought an access token of ours as a bearer token: browsers send cookies, never
      // that header, so it is an app's (a WebView, an HTML fragment), which needs RFC 6750's invalid_token to know
      // it should refresh, not a login form it cannot fill in.
      String next = URLEncoder.encode(ctx.request().uri(), StandardCharsets.UTF_8);
      ctx.response().setStatusCode(302).putHeader("Location", "/login?next=" + next)
          .putHeader("Cache-Control", "no-store").end();
    } else {
      boolean presented = SessionAuthenticator.failure(ctx).map(f -> f != AuthFailure.NO_CREDENTIALS).orElse(false);
      ctx.response().setStatusCode(401)
          .putHeader("WWW-Authenticate", presented
              ? "Bearer realm=\"gateway\", error=\"invalid_token\"" : "Bearer realm=\"gateway\"")
          .putHeader("Content-Type", "application/json")
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Cache-Control", "no-store")
          .end(new JsonObject().put("error", presented ? "invalid_token" : "unauthorized")
              .put("message", "Sign in first: send an access token as Authorization: Bearer.").encode());
    }
  }

  /**
   * Whether the path the backend gets (the request's, as sent) is the one the public-path rule judged (the
   * normalized one). A path with dot segments, an encoded slash, backslash or dot, a {@code ;} parameter or
   * an empty segment could be read by the backend's server as another path ({@code /public/..;/private} is
   * {@code /private} to Tomcat), so it gets no exemption: it needs a session like any other path.
   */
  static boolean readsTheSame(String raw, String normalized) {
    if (raw == null || !raw.equals(normalized) || raw.contains("//")) {
      return false;
    }
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == ';' || c == '\\') {
        return false;
      }
      if (c == '%' && i + 2 < raw.length()) {
        String escaped = raw.substring(i + 1, i + 3).toUpperCase(java.util.Locale.ROOT);
        if (escaped.equals("2F") || escaped.equals("5C") || escaped.equals("2E") || escaped.equals("3B")) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether a WebSocket handshake comes from a page of another origin: its {@code Origin} (sent by every
   * browser) is not the https origin of the host and port the handshake was sent to, nor of an allowed host at
   * that port. An origin is scheme, host and port: a page served in plain HTTP, or by another service on
   * another port of the same host, is another origin, and the browser sends it the session cookie all the
   * same (cookies know no ports). No Origin is not a browser's handshake, and what it carries is its own to send.
   */
  static boolean foreignOrigin(HttpServerRequest request, Predicate<String> allowedOriginHost) {
    String origin = request.getHeader("Origin");
    if (origin == null) {
      return false;
    }
    String host;
    int port;
    try {
      URI uri = new URI(origin.trim());
      if (!"https".equalsIgnoreCase(uri.getScheme())) {
        return true;
      }
      host = uri.getHost();
      port = uri.getPort() < 0 ? 443 : uri.getPort();
    } catch (URISyntaxException e) {
      return true;
    }
    HostAndPort authority = request.authority();
    if (host == null || authority == null || port != (authority.port() < 0 ? 443 : authority.port())) {
      return true;
    }
    if (host.equalsIgnoreCase(authority.host())) {
      return false;
    }
    return !allowedOriginHost.test(host.toLowerCase(Locale.ROOT));
  }

  /**
   * A page load in a browser: GET or HEAD asking for HTML. Everything else, and a request with a bearer token of
   * ours, gets 401 JSON.
   */
  private static boolean isBrowserNavigation(RoutingContext ctx) {
    HttpMethod m = ctx.request().method();
    String accept = ctx.request().getHeader("Accept");
    return (m == HttpMethod.GET || m == HttpMethod.HEAD) && accept != null && accept.contains("text/html");
  }
}
