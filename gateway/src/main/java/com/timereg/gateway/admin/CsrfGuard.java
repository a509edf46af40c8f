package com.timereg.gateway.admin;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Refuses state-changing requests that a page of another site could have made the staff member's
 * browser send (cross-site request forgery), whatever credentials ride along (cookies, or just
 * being on 127.0.0.1).
 *
 * <ul>
 *   <li>{@value #HEADER}: {@value #VALUE} is required. A form or an image tag cannot set a header,
 *       and a script of another origin can only with a CORS preflight, which this listener never
 *       grants. The console, the CLI and scripts send it.
 *   <li>{@code Origin}, when the browser sends one, must be this listener's own origin, and
 *       {@code Sec-Fetch-Site} must not say {@code cross-site}: belt and braces for browsers or
 *       plugins that let a header through.
 * </ul>
 */
public final class CsrfGuard implements Handler<RoutingContext> {
  public static final String HEADER = "X-Requested-With";
  public static final String VALUE = "gateway-console";

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    if (safe(req.method())) {
      ctx.next();
      return;
    }
    if (!VALUE.equals(req.getHeader(HEADER))) {
      ApiResponses.error(ctx, 403, "csrf", "Changes need the header " + HEADER + ": " + VALUE
          + " (the console and the CLI send it).");
      return;
    }
    String origin = req.getHeader("Origin");
    if (origin != null && !sameOrigin(origin, req)) {
      ApiResponses.error(ctx, 403, "csrf", "Changes are only accepted from the console's own origin.");
      return;
    }
    if ("cross-site".equalsIgnoreCase(req.getHeader("Sec-Fetch-Site"))) {
      ApiResponses.error(ctx, 403, "csrf", "Changes are only accepted from the console's own origin.");
      return;
    }
    ctx.next();
  }

  private static boolean safe(HttpMethod m) {
    return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS;
  }

  static boolean sameOrigin(String origin, HttpServerRequest req) {
    HostAndPort authority = req.authority();
    if (authority == null) {
      return false;
    }
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      return false;
    }
    String scheme = req.isSSL() ? "https" : "http";
    if (uri.getScheme() == null || uri.getHost() == null || !scheme.equals(uri.getScheme().toLowerCase(Locale.ROOT))) {
      return false;
    }
    int defaultPort = req.isSSL() ? 443 : 80;
    int originPort = uri.getPort() < 0 ? defaultPort : uri.getPort();
    int ownPort = authority.port() < 0 ? defaultPort : authority.port();
    return originPort == ownPort && hostOf(uri.getHost()).equalsIgnoreCase(hostOf(authority.host()));
  }

  private static String hostOf(String h) {
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }
}
