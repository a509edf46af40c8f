package com.timereg.gateway.edge;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.function.Consumer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public request path, assembled in order in one place: before routing ({@link PublicEntry})
 * framing guard → security headers → client address → block check (clients refused whatever their
 * session stop here); routed: pause → block decision → session → (blocked
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
      com.timereg.gateway.session.SessionAuthenticator session,
      Consumer<Router> gatewayRoutes,
      Handler<RoutingContext> gate,
      java.util.function.Predicate<String> allowsHost,
      com.timereg.gateway.accesslog.AccessLog accessLog) {}

  /**
   * The request handler of one listener instance: {@link PublicEntry}, then the router.
   *
   * @param proxy this listener instance's own proxy (each owns its backend connection pool)
   */
  static PublicEntry create(Vertx vertx, Steps steps, Handler<RoutingContext> proxy) {
    PublicEntry entry = new PublicEntry(steps);
    Router router = Router.router(vertx);
    // Pause before anything asynchronous: body bytes that arrive while no handler reads them are
    // lost, and the proxy must forward the body untouched.
    router.route().handler(ctx -> {
      ctx.request().pause();
      ctx.addEndHandler(answered -> dropUnreadBody(ctx, answered.succeeded()));
      entry.attachFacts(ctx);
    });
    router.route().handler(steps.session());
    router.route().handler(steps.blockCheck().afterSession());
    steps.gatewayRoutes().accept(router);
    router.route().handler(steps.gate());
    router.route().handler(proxy);
    router.errorHandler(500, PublicRouter::internalError);
    // vertx-web's answer to a target that is not a path (OPTIONS *, an HTTP/2 :path without its slash): every
    // other path reaches the proxy. Handled here, it is the gateway's JSON and no ERROR line per request.
    router.errorHandler(404, ctx -> json(ctx, 404, "not_found", "Nothing is served at this target."));
    // vertx-web fails a request whose path is empty ("GET ?a=1") with 400 before the first route: the client got its
    // text/plain "Bad Request", without nosniff or no-store, and, the first route never run, no access-log line.
    router.errorHandler(400, ctx -> {
      if (ClientAddressHandler.of(ctx) == null) {
        entry.attachFacts(ctx); // not yet attached (a 400 from a later step has its line already)
      }
      json(ctx, 400, "bad_request", "The request target is not valid.");
    });
    entry.router(router);
    return entry;
  }

  /** The Strict-Transport-Security value, or null when switched off. */
  static String hsts(Duration maxAge) {
    return maxAge.isZero() ? null : "max-age=" + maxAge.toSeconds() + "; includeSubDomains";
  }

  /**
   * After the gateway's own answer to a request whose body nobody read (the session gate's 401 or 302 to an upload,
   * a block's 429): the body is still paused, so the request never ended. A connection the client asked to close
   * stayed open, an upload larger than Vert.x's buffer stalled, and the next request on a kept-alive connection was
   * never read. The rest of the body is now read and dropped, as nginx discards it; Vert.x then closes the
   * connection or reads the next request as usual. A body the proxy step took is its own (streamed to the backend,
   * or dropped by its refusals).
   */
  private static void dropUnreadBody(RoutingContext ctx, boolean answered) {
    HttpServerRequest request = ctx.request();
    if (answered && !request.isEnded() && !com.timereg.gateway.proxy.ProxyHints.bodyTaken(ctx)) {
      request.handler(null);
      request.resume();
    }
  }

  /** An unexpected failure: logged with its cause here, a plain message to the client. */
  static void internalError(RoutingContext ctx) {
    LOG.error("unhandled failure on {} {}", ctx.request().method(),
        com.timereg.gateway.accesslog.LoggedPath.firstSegment(ctx.request().path()), ctx.failure());
    if (!ctx.response().headWritten()) {
      json(ctx, 500, "internal_error", "Something went wrong on our side.");
    } else {
      ctx.request().connection().close();
    }
  }

  /** Browsers ask for HTML; everything else (apps, scripts) gets JSON. */
  static boolean wantsHtml(HttpServerRequest request) {
    String accept = request.getHeader("Accept");
    return accept != null && accept.contains("text/html");
  }

  static void json(RoutingContext ctx, int status, String error, String message) {
    json(ctx.response(), status, error, message);
  }

  /**
   * Answers with {@link #json} and {@code Connection: close}, then closes the connection (Vert.x sends the
   * answer first): for requests after which the connection's next bytes cannot be trusted.
   */
  static void jsonAndClose(io.vertx.core.http.HttpServerRequest request, int status, String error, String message) {
    request.response().putHeader("Connection", "close");
    json(request.response(), status, error, message);
    request.connection().close();
  }

  static void json(HttpServerResponse response, int status, String error, String message) {
    response.setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Cache-Control", "no-store")
        .end(new io.vertx.core.json.JsonObject().put("error", error).put("message", message).encode());
  }
}
