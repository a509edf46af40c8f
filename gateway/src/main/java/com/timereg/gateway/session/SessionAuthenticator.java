package com.timereg.gateway.session;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import com.timereg.gateway.accesslog.LoggedPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates a request on the hot path and always passes it on: with a {@link SessionIdentity}
 * in the context ({@link #identity}), or with the reason it has none ({@link #failure}). The step
 * after it decides what an unauthenticated request gets.
 *
 * <ol>
 *   <li>{@code Authorization: Bearer} with a token naming one of our keys decides alone (API
 *       clients): valid or not, no cookie and no refresh is tried. A bearer token that does not
 *       name our keys belongs to the backend and is left alone.
 *   <li>Otherwise the access cookie. If it is missing or refused (other than for revocation) and a
 *       refresh cookie is present, the session is refreshed transparently: the request is paused
 *       so its body waits, new cookies go on the response, and the request continues.
 * </ol>
 * No database is touched unless a refresh is needed.
 */
public final class SessionAuthenticator implements Handler<RoutingContext> {
  /** Context key of the {@link SessionIdentity} of an authenticated request. */
  public static final String IDENTITY = "gateway.session.identity";
  /** Context key of the {@link AuthFailure} of a request that is not authenticated. */
  public static final String FAILURE = "gateway.session.failure";
  /**
   * Context key, {@code Boolean.TRUE} when the Authorization header carried a token of ours: the
   * proxy must then strip it, since the backend has no use for it and must not see it.
   */
  public static final String BEARER_IS_OURS = "gateway.session.bearer-is-ours";
  /** When the access token that authenticated the request expires ({@link Instant}). */
  public static final String ACCESS_EXPIRES = "gateway.session.access-expires";

  private static final Logger LOG = LoggerFactory.getLogger(SessionAuthenticator.class);

  private final AccessTokens tokens;
  private final RefreshCoalescer refresher;
  private final Clock clock;

  SessionAuthenticator(AccessTokens tokens, RefreshCoalescer refresher, Clock clock) {
    this.tokens = tokens;
    this.refresher = refresher;
    this.clock = clock;
  }

  public static Optional<SessionIdentity> identity(RoutingContext ctx) {
    return Optional.ofNullable(ctx.get(IDENTITY));
  }

  /** Why the request is not authenticated; empty when it is (or the authenticator did not run). */
  public static Optional<AuthFailure> failure(RoutingContext ctx) {
    return Optional.ofNullable(ctx.get(FAILURE));
  }

  /**
   * When the access token that authenticated the request expires; empty when it is not authenticated. What
   * outlives the request (a WebSocket tunnel, an answer still being relayed) ends then.
   */
  public static Optional<Instant> accessExpires(RoutingContext ctx) {
    return Optional.ofNullable(ctx.get(ACCESS_EXPIRES));
  }

  public static boolean bearerIsOurs(RoutingContext ctx) {
    return Boolean.TRUE.equals(ctx.get(BEARER_IS_OURS));
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    List<String> authorization = request.headers().getAll("Authorization");
    String ours = null;
    for (String value : authorization) {
      String bearer = bearerToken(value);
      if (bearer != null && tokens.namesOurKey(bearer)) {
        ours = bearer;
      }
    }
    if (ours != null) {
      ctx.put(BEARER_IS_OURS, Boolean.TRUE);
      if (authorization.size() != 1) {
        // Authorization is a singleton field; with several, which one the backend would read is a guess.
        unauthenticated(ctx, AuthFailure.MALFORMED_REQUEST);
        return;
      }
      String bearer = ours;
      tokens.verify(ours).onComplete(ar -> {
        if (ar.succeeded()) {
          noteExpiry(ctx, bearer);
          authenticated(ctx, ar.result());
        } else if (ar.cause() instanceof TokenRejectedException r && r.reason() == TokenRejection.REVOKED) {
          unauthenticated(ctx, AuthFailure.SESSION_ENDED);
        } else {
          unauthenticated(ctx, AuthFailure.INVALID_TOKEN);
        }
      });
      return;
    }
    Cookie access = request.getCookie(SessionCookies.ACCESS);
    if (access == null || access.getValue().isEmpty()) {
      refreshOrFail(ctx, AuthFailure.NO_CREDENTIALS);
      return;
    }
    tokens.verify(access.getValue()).onComplete(ar -> {
      if (ar.succeeded()) {
        noteExpiry(ctx, access.getValue());
        authenticated(ctx, ar.result());
      } else if (ar.cause() instanceof TokenRejectedException r && r.reason() == TokenRejection.REVOKED) {
        // The family is revoked in the database too: a refresh would only cost a query.
        clearCookies(ctx);
        unauthenticated(ctx, AuthFailure.SESSION_ENDED);
      } else {
        refreshOrFail(ctx, AuthFailure.INVALID_TOKEN);
      }
    });
  }

  /** A request's identity as {@link #handle} would establish it, decided from its headers alone. */
  public record Settled(SessionIdentity identity, boolean bearerIsOurs) {}

  /**
   * What {@link #handle} would establish for a request with these credentials, when that is a valid
   * identity reached without a refresh: an {@code Authorization: Bearer} token of ours that verifies (then
   * the only Authorization header), or no Authorization header and an access cookie that verifies. Null in
   * every other case (no credentials, several, a token not ours, a refusal, a refresh due), which only
   * {@link #handle} decides. For the connection's fast path; the same checks, nothing stored.
   *
   * @param accessCookie the value of the one access cookie the request carries, or null
   */
  public Settled settle(List<String> authorization, String accessCookie) {
    if (authorization.size() > 1) {
      return null;
    }
    if (authorization.size() == 1) {
      String bearer = bearerToken(authorization.get(0));
      if (bearer == null) {
        return null;
      }
      // The common case, a token seen before: one lookup.
      Future<SessionIdentity> remembered = tokens.verifyRemembered(bearer);
      if (remembered != null) {
        return settled(remembered, true);
      }
      if (!tokens.namesOurKey(bearer)) {
        return null;
      }
      return settled(tokens.verifyQuietly(bearer), true);
    }
    if (accessCookie == null || accessCookie.isEmpty()) {
      return null;
    }
    // Quietly: a refusal here goes on to handle(), which counts it.
    return settled(tokens.verifyQuietly(accessCookie), false);
  }

  private static Settled settled(Future<SessionIdentity> verified, boolean bearer) {
    // verify() completes before it returns (nothing in it waits for I/O); anything else is not settled.
    return verified.succeeded() ? new Settled(verified.result(), bearer) : null;
  }

  private void refreshOrFail(RoutingContext ctx, AuthFailure withoutRefresh) {
    Cookie refresh = ctx.request().getCookie(SessionCookies.REFRESH);
    if (refresh == null || refresh.getValue().isEmpty()) {
      unauthenticated(ctx, withoutRefresh);
      return;
    }
    HttpServerRequest request = ctx.request();
    // Pause before going asynchronous: body bytes arriving while the database answers would
    // otherwise be dropped, as no handler reads them yet.
    boolean paused = !request.isEnded();
    if (paused) {
      request.pause();
    }
    Context context = Vertx.currentContext();
    refresher.refresh(refresh.getValue()).onComplete(ar -> {
      if (context == null || context == Vertx.currentContext()) {
        afterRefresh(ctx, ar, paused);
      } else {
        // A shared refresh may complete on another event loop; the request belongs to its own.
        context.runOnContext(v -> afterRefresh(ctx, ar, paused));
      }
    });
  }

  private void afterRefresh(RoutingContext ctx, AsyncResult<RefreshResult> ar, boolean paused) {
    if (ctx.response().closed()) {
      return;
    }
    if (ar.failed()) {
      LOG.warn("transparent refresh on {} {} not possible: {}", ctx.request().method(), LoggedPath.firstSegment(ctx.request().path()),
          ar.cause().toString());
      ctx.put(FAILURE, AuthFailure.UNAVAILABLE);
    } else if (ar.result().succeeded()) {
      IssuedTokens issued = ar.result().tokens();
      SessionCookies.set(ctx.response(), issued, clock.instant());
      keepOutOfSharedCaches(ctx);
      ctx.put(IDENTITY, issued.identity());
      ctx.put(ACCESS_EXPIRES, issued.accessExpiresAt());
    } else {
      clearCookies(ctx);
      ctx.put(FAILURE, AuthFailure.SESSION_ENDED);
    }
    if (paused) {
      // Resuming only schedules delivery on the event loop, so the next handler (body handler,
      // proxy) sets its data handler before the first buffered chunk arrives.
      ctx.request().resume();
    }
    ctx.next();
  }

  private static void clearCookies(RoutingContext ctx) {
    SessionCookies.clear(ctx.response());
    keepOutOfSharedCaches(ctx);
  }

  /**
   * The session cookies set here go out on whatever answer the request gets, the backend's too, which may have
   * marked it cacheable by shared caches (a stylesheet, a public page) not knowing they are there: a CDN or caching
   * proxy in front of the gateway would keep the new tokens and hand them to everyone asking for that URL (or the
   * cleared ones, signing them out). So that answer is {@code no-store}, whatever the backend said, and loses the
   * CDN-only directives (RFC 9213 {@code CDN-Cache-Control}, {@code Surrogate-Control}) a CDN obeys over it. Set
   * when the head is written, after the proxy copied the backend's headers; once per access-token lifetime.
   */
  private static void keepOutOfSharedCaches(RoutingContext ctx) {
    ctx.addHeadersEndHandler(v -> ctx.response().headers()
        .set("Cache-Control", "no-store")
        .remove("CDN-Cache-Control")
        .remove("Surrogate-Control"));
  }

  /** Only for a WebSocket handshake, the one request that outlives its credentials: the others skip the lookup. */
  private void noteExpiry(RoutingContext ctx, String token) {
    if (ctx.request().canUpgradeToWebSocket()) {
      ctx.put(ACCESS_EXPIRES, tokens.expiry(token));
    }
  }

  private static void authenticated(RoutingContext ctx, SessionIdentity identity) {
    ctx.put(IDENTITY, identity);
    ctx.next();
  }

  private static void unauthenticated(RoutingContext ctx, AuthFailure failure) {
    ctx.put(FAILURE, failure);
    ctx.next();
  }

  /** The token of an {@code Authorization: Bearer} value, or null. */
  static String bearerToken(String value) {
    if (value == null || value.length() < 8 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = value.substring(7).trim();
    return token.isEmpty() ? null : token;
  }
}
