package com.timereg.gateway.edge;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public request path, assembled in order in one place:
 * framing guard → security headers → (client address → block check → gateway routes → session →
 * proxy, added by their subsystems) → nothing matched.
 */
public final class PublicRouter {
  private static final Logger LOG = LoggerFactory.getLogger(PublicRouter.class);

  private PublicRouter() {}

  public static Router create(Vertx vertx, Duration hstsMaxAge) {
    Router router = Router.router(vertx);
    router.route().handler(new FramingGuard());
    router.route().handler(securityHeaders(hstsMaxAge));
    router.route().last().handler(ctx -> json(ctx, 404, "not_found", "No such resource."));
    router.errorHandler(500, PublicRouter::internalError);
    return router;
  }

  private static io.vertx.core.Handler<RoutingContext> securityHeaders(Duration hstsMaxAge) {
    String hsts = hstsMaxAge.isZero() ? null : "max-age=" + hstsMaxAge.toSeconds() + "; includeSubDomains";
    return ctx -> {
      if (hsts != null) {
        // Set on every response, including proxied ones and errors, so a browser that reached
        // us once never again tries plain HTTP.
        ctx.response().headers().set("Strict-Transport-Security", hsts);
      }
      ctx.next();
    };
  }

  /** An unexpected failure: logged with its cause here, a plain message to the client. */
  private static void internalError(RoutingContext ctx) {
    LOG.error("unhandled failure on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
    if (!ctx.response().headWritten()) {
      json(ctx, 500, "internal_error", "Something went wrong on our side.");
    } else {
      ctx.request().connection().close();
    }
  }

  static void json(RoutingContext ctx, int status, String error, String message) {
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(new io.vertx.core.json.JsonObject().put("error", error).put("message", message).encode());
  }
}
