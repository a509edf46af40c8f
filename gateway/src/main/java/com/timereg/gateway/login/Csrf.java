package com.timereg.gateway.login;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * CSRF protection for form posts: a double-submit token. The cookie carries the {@code __Host-}
 * prefix, so neither a sibling subdomain nor a man-in-the-middle on plain HTTP can plant one, and
 * a cross-site form cannot read it to copy into its field. A cross-origin {@code Origin} header
 * is refused outright as a second line.
 */
public final class Csrf {
  public static final String COOKIE = "__Host-gw-csrf";
  public static final String FIELD = "csrf";
  private static final SecureRandom RANDOM = new SecureRandom();

  private Csrf() {}

  /** The token for a form on this response: the existing cookie's, or a new one set now. */
  public static String tokenFor(RoutingContext ctx) {
    Cookie existing = ctx.request().getCookie(COOKIE);
    if (existing != null && existing.getValue().length() >= 32) {
      return existing.getValue();
    }
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    ctx.response().addCookie(Cookie.cookie(COOKIE, token).setPath("/").setSecure(true).setHttpOnly(true)
        .setSameSite(CookieSameSite.STRICT));
    return token;
  }

  /** Whether a form post carries the token of its cookie and comes from our own origin. */
  public static boolean valid(RoutingContext ctx, String submitted) {
    if (!sameOriginOrUnknown(ctx)) {
      return false;
    }
    Cookie cookie = ctx.request().getCookie(COOKIE);
    if (cookie == null || submitted == null || cookie.getValue().length() < 32) {
      return false;
    }
    return MessageDigest.isEqual(cookie.getValue().getBytes(StandardCharsets.US_ASCII),
        submitted.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * A request that says where it comes from must come from us. Browsers send Origin on every POST
   * and Sec-Fetch-Site on every request; old clients send neither, and then the token decides.
   */
  public static boolean sameOriginOrUnknown(RoutingContext ctx) {
    String fetchSite = ctx.request().getHeader("Sec-Fetch-Site");
    if (fetchSite != null && !fetchSite.equals("same-origin") && !fetchSite.equals("none")) {
      return false;
    }
    String origin = ctx.request().getHeader("Origin");
    if (origin == null) {
      return true;
    }
    var authority = ctx.request().authority();
    if (authority == null) {
      return false;
    }
    // Browsers leave the default port out of Origin, so leave it out of ours too.
    String expected = "https://" + authority.host() + (authority.port() > 0 && authority.port() != 443 ? ":" + authority.port() : "");
    return origin.equalsIgnoreCase(expected);
  }
}
