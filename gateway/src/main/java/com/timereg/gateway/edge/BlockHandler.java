package com.timereg.gateway.edge;

import com.timereg.gateway.config.ThrottleConfig.BlockScope;
import com.timereg.gateway.throttle.BlockKind;
import com.timereg.gateway.throttle.Decision;
import com.timereg.gateway.throttle.ThrottleService;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Predicate;

/**
 * Refuses blocked clients with 429 before any other work (no session lookup, no password
 * verification, no backend call), so a blocked attacker costs us one off-heap lookup.
 *
 * <p>Under the default scope a request that carries a valid session still passes: blocking an
 * office's NAT address must stop the guessing, not the colleagues who are already logged in.
 */
public final class BlockHandler implements Handler<RoutingContext> {
  private final ThrottleService throttle;
  private final BlockScope scope;
  private final Predicate<RoutingContext> isLoginRequest;
  private final Predicate<RoutingContext> hasValidSession;

  public BlockHandler(ThrottleService throttle, BlockScope scope,
      Predicate<RoutingContext> isLoginRequest, Predicate<RoutingContext> hasValidSession) {
    this.throttle = throttle;
    this.scope = scope;
    this.isLoginRequest = isLoginRequest;
    this.hasValidSession = hasValidSession;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Decision d = throttle.check(ClientAddressHandler.of(ctx));
    if (d.allowed() || !applies(ctx)) {
      ctx.next();
      return;
    }
    refuse(ctx, d);
  }

  private boolean applies(RoutingContext ctx) {
    switch (scope) {
      case EVERYTHING:
        return true;
      case LOGIN_ONLY:
        return isLoginRequest.test(ctx);
      default:
        return isLoginRequest.test(ctx) || !hasValidSession.test(ctx);
    }
  }

  static void refuse(RoutingContext ctx, Decision d) {
    long minutes = Math.max(1, (d.retryAfterSeconds() + 59) / 60);
    String who = d.kind() == BlockKind.CLIENT ? "your address" : "your network";
    String message = "Too many failed logins from " + who + ". Try again in " + minutes
        + (minutes == 1 ? " minute." : " minutes.");
    ctx.response().setStatusCode(429)
        .putHeader("Retry-After", Long.toString(d.retryAfterSeconds()))
        .putHeader("Cache-Control", "no-store");
    if (PublicRouter.wantsHtml(ctx)) {
      ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
          .end("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many attempts</title></head>"
              + "<body><h1>Too many attempts</h1><p>" + message + "</p></body></html>");
    } else {
      ctx.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", "too_many_requests").put("message", message)
              .put("retry_after", d.retryAfterSeconds()).encode());
    }
  }
}
