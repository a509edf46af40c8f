package com.timereg.gateway.edge;

import com.timereg.gateway.config.ThrottleConfig.BlockScope;
import com.timereg.gateway.throttle.BlockKind;
import com.timereg.gateway.throttle.Decision;
import com.timereg.gateway.throttle.ThrottleService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Predicate;

/**
 * Refuses blocked clients with 429 before any other work (no session lookup, no password
 * verification, no backend call), so a blocked attacker costs us one off-heap lookup.
 *
 * <p>Under the default scope a request that carries a valid session still passes: blocking an
 * office's NAT address must stop the guessing, not the colleagues who are already logged in. So
 * does an app's session renewal or revocation, whose refresh token the route verifies itself: an
 * unblocked client can try refresh tokens just as freely, so refusing it protects nothing.
 *
 * <p>Used in two places: {@link PublicEntry} checks every request before routing and answers those
 * refused whatever their path and session; the routed step {@link #handle(RoutingContext, Decision)}
 * decides the rest with the same decision, and {@link #afterSession()} after the session step.
 */
public final class BlockHandler {
  private static final String PENDING = "gateway.block.pending";
  /**
   * The refusal page's Content-Security-Policy: it has no script, style or image, so nothing may load, and like
   * the login pages it may not be framed (a blocked user's page under another site's overlay is clickjacking bait).
   */
  static final String PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'";

  private final ThrottleService throttle;
  private final BlockScope scope;
  private final Predicate<RoutingContext> isLoginRequest;
  private final Predicate<HttpServerRequest> carriesCredentials;
  private final Predicate<RoutingContext> renewsSession;
  private final Predicate<RoutingContext> authenticated;
  private final Counter refusedOnRequestPath;
  private final Counter refusedInConnection;

  /**
   * @param carriesCredentials whether the request presents a session at all (cheap, no verification)
   * @param renewsSession whether the request renews a session with a token its route verifies
   * @param authenticated whether the session step accepted it (runs after that step)
   */
  public BlockHandler(ThrottleService throttle, BlockScope scope, Predicate<RoutingContext> isLoginRequest,
      Predicate<HttpServerRequest> carriesCredentials, Predicate<RoutingContext> renewsSession,
      Predicate<RoutingContext> authenticated, MeterRegistry registry) {
    this.throttle = throttle;
    this.scope = scope;
    this.isLoginRequest = isLoginRequest;
    this.carriesCredentials = carriesCredentials;
    this.renewsSession = renewsSession;
    this.authenticated = authenticated;
    this.refusedOnRequestPath = refusals(registry, "request");
    this.refusedInConnection = refusals(registry, "connection");
  }

  private static Counter refusals(MeterRegistry registry, String stage) {
    return Counter.builder("gateway.throttle.refusals")
        .description("Requests of blocked clients refused with 429: in the connection before Vert.x sees them, or on the request path")
        .tag("stage", stage)
        .register(registry);
  }

  /** Counts a refusal that {@link ConnectionFastPath} sent. */
  void refusedInConnection() {
    refusedInConnection.increment();
  }

  /** The check itself, made once per request before routing. */
  Decision check(java.net.InetAddress client) {
    return throttle.check(client);
  }

  /**
   * Whether the request is refused whatever its path and session: then the entry step answers it
   * before routing, which is most of what a blocked client's requests cost. Conservative: a path
   * that might normalise to the renewal route ({@code /auth/refresh}) is left to the routed step.
   */
  boolean refusesOutright(HttpServerRequest request, Decision d) {
    if (d.allowed()) {
      return false;
    }
    return switch (scope) {
      case LOGIN_ONLY -> false;
      case UNAUTHENTICATED -> !carriesCredentials.test(request) && !mayRenew(request.path());
      default -> true;
    };
  }

  /** Whether a request without credentials and outside the renewal route is refused under {@code d}. */
  boolean refusesWithoutSession(Decision d) {
    return !d.allowed() && scope != BlockScope.LOGIN_ONLY;
  }

  /**
   * Whether a raw path might normalise to the renewal or the revocation route (both take the refresh token in the
   * body); also used by {@link ConnectionFastPath}.
   */
  static boolean mayRenew(String rawPath) {
    if (rawPath == null || rawPath.indexOf('%') >= 0) {
      return true;
    }
    String lower = rawPath.toLowerCase(java.util.Locale.ROOT);
    return lower.contains("refresh") || lower.contains("revoke");
  }

  /** The routed step, with the decision the entry step made for this request. */
  void handle(RoutingContext ctx, Decision d) {
    if (d.allowed()) {
      ctx.next();
      return;
    }
    boolean login = isLoginRequest.test(ctx);
    switch (scope) {
      case LOGIN_ONLY:
        if (login) {
          refuse(ctx.request(), d);
        } else {
          ctx.next();
        }
        return;
      case UNAUTHENTICATED:
        if (!login && renewsSession.test(ctx)) {
          ctx.next();
        } else if (!login && carriesCredentials.test(ctx.request())) {
          // Decide after the session step: only a session that verifies may pass.
          ctx.put(PENDING, d);
          ctx.next();
        } else {
          refuse(ctx.request(), d);
        }
        return;
      default:
        refuse(ctx.request(), d);
    }
  }

  /** The step after the session step: a blocked client whose credentials did not verify is refused now. */
  public io.vertx.core.Handler<RoutingContext> afterSession() {
    return ctx -> {
      Decision pending = ctx.get(PENDING);
      if (pending != null && !authenticated.test(ctx)) {
        refuse(ctx.request(), pending);
      } else {
        ctx.next();
      }
    };
  }

  void refuse(HttpServerRequest request, Decision d) {
    refusedOnRequestPath.increment();
    boolean html = PublicRouter.wantsHtml(request);
    HttpServerResponse response = request.response().setStatusCode(429)
        .putHeader("Retry-After", Long.toString(d.retryAfterSeconds()))
        .putHeader("Cache-Control", "no-store")
        .putHeader("Content-Type", html ? "text/html; charset=utf-8" : "application/json")
        .putHeader("X-Content-Type-Options", "nosniff");
    if (html) {
      response.putHeader("Content-Security-Policy", PAGE_POLICY).putHeader("X-Frame-Options", "DENY");
    }
    response.end(refusalBody(d, html));
  }

  /** The body of a refusal: a short page for browsers, JSON for everything else. */
  static String refusalBody(Decision d, boolean html) {
    long minutes = Math.max(1, (d.retryAfterSeconds() + 59) / 60);
    String who = d.kind() == BlockKind.CLIENT ? "your address" : "your network";
    String message = "Too many failed logins from " + who + ". Try again in " + minutes
        + (minutes == 1 ? " minute." : " minutes.");
    if (html) {
      return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many attempts</title></head>"
          + "<body><h1>Too many attempts</h1><p>" + message + "</p></body></html>";
    }
    // Written by hand: the refusal is the one answer an attacker can make us send as fast as they
    // like, and a JSON library costs more here than the lookup that decided it. Safe because the
    // message is our own ASCII text without quotes or backslashes.
    return "{\"error\":\"too_many_requests\",\"message\":\"" + message + "\",\"retry_after\":"
        + d.retryAfterSeconds() + "}";
  }
}
