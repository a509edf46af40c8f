package com.timereg.gateway.session;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * The browser's session cookies. {@code __Host-} makes browsers insist on Secure, Path=/ and no
 * Domain, so neither a sibling subdomain nor a plain-HTTP page can plant or overwrite them.
 * HttpOnly keeps them from scripts; SameSite=Lax keeps them off cross-site POSTs (CSRF) while
 * following a link from elsewhere still arrives signed in.
 */
public final class SessionCookies {
  public static final String ACCESS = "__Host-gw-access";
  public static final String REFRESH = "__Host-gw-refresh";

  private SessionCookies() {}

  /**
   * Sets both cookies on {@code response}, each living exactly as long as its token, so the
   * browser drops a dead token by itself.
   */
  public static void set(HttpServerResponse response, IssuedTokens tokens, Instant now) {
    response.addCookie(cookie(ACCESS, tokens.accessToken(), Duration.between(now, tokens.accessExpiresAt())));
    response.addCookie(cookie(REFRESH, tokens.refreshToken(), Duration.between(now, tokens.refreshExpiresAt())));
  }

  /** Tells the browser to delete both cookies (logout, ended session). */
  public static void clear(HttpServerResponse response) {
    response.addCookie(cookie(ACCESS, "", Duration.ZERO));
    response.addCookie(cookie(REFRESH, "", Duration.ZERO));
  }

  /** A session cookie with every required attribute; a negative {@code maxAge} counts as zero. */
  public static Cookie cookie(String name, String value, Duration maxAge) {
    return Cookie.cookie(name, value)
        .setPath("/")
        .setSecure(true)
        .setHttpOnly(true)
        .setSameSite(CookieSameSite.LAX)
        .setMaxAge(Math.max(0, maxAge.getSeconds()));
  }
}
