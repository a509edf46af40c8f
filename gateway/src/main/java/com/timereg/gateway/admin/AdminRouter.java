package com.timereg.gateway.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The admin listener's routes: liveness, readiness, Prometheus metrics and the security console.
 * Every route here is described in {@code admin/openapi.yaml} ({@code AdminOpenApiTest} keeps the
 * two in step). The public listener's router is a different object that never mounts these.
 */
public final class AdminRouter {
  private AdminRouter() {}

  public static Router create(Vertx vertx, Readiness readiness, PrometheusMeterRegistry registry, SecurityConsole console) {
    Router router = Router.router(vertx);
    // HEAD wherever GET (RFC 9110 9.3.2; a monitor's HEAD probe of the health checks got 404): routed again as
    // the GET, its answer's body left out by Vert.x on HTTP/1.x and by HeadOverHttp2 on HTTP/2.
    router.route().method(HttpMethod.HEAD).handler(ctx -> {
      String query = ctx.request().query();
      ctx.reroute(HttpMethod.GET, ctx.request().path() + (query == null ? "" : "?" + query));
    });
    // Liveness says only that the event loop answers; dependencies belong to readiness, or a
    // database outage would make the orchestrator restart every healthy node at once.
    router.get("/health/live").handler(ctx -> json(ctx, 200, "{\"status\":\"UP\"}"));
    router.get("/health/ready").handler(ctx -> readiness.evaluate()
        .onSuccess(r -> json(ctx, r.ready() ? 200 : 503, r.body().encode()))
        .onFailure(ctx::fail));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(registry.scrape()));
    console.mount(router);
    AllowedMethods allowed = new AllowedMethods(router);
    router.route().handler(ctx -> {
      String allow = allowed.allowFor(ctx.normalizedPath());
      if (allow == null) {
        json(ctx, 404, "{\"error\":\"not_found\",\"message\":\"No such resource.\"}");
      } else {
        // A probe or script using the wrong method on a real path (POST /health/live) is told so, not "no such".
        ctx.response().putHeader("Allow", allow);
        json(ctx, 405, new io.vertx.core.json.JsonObject().put("error", "method_not_allowed")
            .put("message", AllowedMethods.message(ctx.request().method(), allow)).encode());
      }
    });
    // A path Vert.x cannot decode while matching routes (a broken percent escape in a path
    // parameter) never reaches a route or failure handler: it is answered here, as the API answers.
    router.errorHandler(400, ctx -> json(ctx, 400, new io.vertx.core.json.JsonObject().put("error", "invalid")
        .put("message", SecurityConsole.unreadable(400)).encode()));
    return router;
  }

  /**
   * A request Netty could not parse, answered before any route: Vert.x's own answer is an empty 400, 414 or 431,
   * which the console could only show as a status number. A filter of a few KB (a pasted log line) exceeds the
   * 4096-byte request line, so the person is told what was too long, in the API's JSON, and the connection closes
   * as Vert.x would close it.
   */
  public static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status = cause instanceof TooLongHttpLineException ? 414 : cause instanceof TooLongHttpHeaderException ? 431 : 400;
    String message = status == 414
        ? "The request is too long: its address with the filter may be at most 4096 bytes; shorten the filter."
        : status == 431 ? "The request's headers are too long." : "The request is not valid HTTP.";
    HttpServerResponse response = request.response().putHeader("Connection", "close");
    json(response, status, new io.vertx.core.json.JsonObject().put("error", status == 400 ? "invalid" : "too_large")
        .put("message", message).encode());
    request.connection().close();
  }

  /** As {@link ApiResponses#json}: these answers are JSON too, and must not be sniffed into anything else. */
  private static void json(RoutingContext ctx, int status, String body) {
    json(ctx.response(), status, body);
  }

  private static void json(HttpServerResponse response, int status, String body) {
    response.setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Content-Type-Options", "nosniff")
        .end(body);
  }
}
