package com.timereg.gateway.edge;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.util.function.Consumer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public request path, assembled in order in one place:
 * pause → framing guard → security headers → client address → block check → session → (blocked
 * clients without a valid session stop here) → the gateway's own routes (login, tokens, ...) →
 * authentication gate → reverse proxy.
 */
public final class PublicRouter {
  private static final Logger LOG = LoggerFactory.getLogger(PublicRouter.class);

  private PublicRouter() {}

  /** The steps, built once by the composition root and shared by every listener instance. */
  public record Steps(
      Duration hstsMaxAge,
      ClientAddressHandler clientAddress,
      BlockHandler blockCheck,
      Handler<RoutingContext> session,
      Consumer<Router> gatewayRoutes,
      Handler<RoutingContext> gate) {}

  /** @param proxy this listener instance's own proxy (each owns its backend connection pool) */
  public static Router create(Vertx vertx, Steps steps, Handler<RoutingContext> proxy) {
    Router router = Router.router(vertx);
    // Pause before anything asynchronous: body bytes that arrive while no handler reads them are
    // lost, and the proxy must forward the body untouched.
    router.route().handler(ctx -> {
      ctx.request().pause();
      ctx.next();
    });
    router.route().handler(new FramingGuard());
    router.route().handler(securityHeaders(steps.hstsMaxAge()));
    router.route().handler(steps.clientAddress());
    router.route().handler(steps.blockCheck());
    router.route().handler(steps.session());
    router.route().handler(steps.blockCheck().afterSession());
    steps.gatewayRoutes().accept(router);
    router.route().handler(steps.gate());
    router.route().handler(proxy);
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

  /** Browsers ask for HTML; everything else (apps, scripts) gets JSON. */
  static boolean wantsHtml(RoutingContext ctx) {
    String accept = ctx.request().getHeader("Accept");
    return accept != null && accept.contains("text/html");
  }

  static void json(RoutingContext ctx, int status, String error, String message) {
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(new io.vertx.core.json.JsonObject().put("error", error).put("message", message).encode());
  }
}
