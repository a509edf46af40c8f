package com.timereg.gateway.admin;

import com.timereg.gateway.blocks.BlockRequestException;
import com.timereg.gateway.blocks.BlockSync;
import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.throttle.ThrottleService;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import java.time.Clock;
import java.util.List;

/**
 * The security console on the admin listener: its files under {@code /admin/} and its API under
 * {@code /admin/api/}, in this order: access control ({@link AdminAccess}) → CSRF guard
 * ({@link CsrfGuard}) → bounded body → the routes → JSON 405 (a path taking other methods, with
 * {@code Allow}) or 404 / failure answers. Never mounted on
 * the public listener.
 */
public final class SecurityConsole {
  /** The largest edit is a target, a duration and a 500-character reason. */
  static final long MAX_BODY_BYTES = 16 * 1024;

  private final AdminAccess access;
  private final AdminApi api;
  private final EventsApi events;
  private final ConsoleAssets assets = new ConsoleAssets();

  public SecurityConsole(ThrottleService throttle, BlockSync blocks, List<Cidr> configuredAllowlist,
      RecentLoginEvents logins, AdminAccess access, Clock clock) {
    this.access = access;
    this.api = new AdminApi(throttle, blocks, configuredAllowlist, logins, clock);
    this.events = new EventsApi(blocks.queries(), logins);
  }

  void mount(Router router) {
    assets.mount(router);
    router.route("/admin/api/*").handler(access);
    router.route("/admin/api/*").handler(new CsrfGuard());
    router.route("/admin/api/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    router.get("/admin/api/whoami").handler(this::whoami);
    api.mount(router);
    events.mount(router);
    AllowedMethods allowed = new AllowedMethods(router);
    router.route("/admin/api/*").handler(ctx -> {
      String allow = allowed.allowFor(ctx.normalizedPath());
      if (allow == null) {
        ApiResponses.error(ctx, 404, "not_found", "No such admin API route.");
      } else {
        ctx.response().putHeader("Allow", allow);
        ApiResponses.error(ctx, 405, "method_not_allowed", AllowedMethods.message(ctx.request().method(), allow));
      }
    });
    router.route("/admin/api/*").failureHandler(SecurityConsole::failed);
  }

  private void whoami(RoutingContext ctx) {
    ApiResponses.json(ctx, 200, new JsonObject().put("actor", AdminAccess.actor(ctx))
        .put("role", AdminAccess.role(ctx).name().toLowerCase(java.util.Locale.ROOT))
        .put("access", access.mode().name().toLowerCase(java.util.Locale.ROOT)));
  }

  private static void failed(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiResponses.BadRequest || failure instanceof BlockRequestException) {
      ApiResponses.failure(ctx, failure);
      return;
    }
    // Vert.x's own refusals of what it cannot read (a broken percent escape in the query, an
    // undecodable body) come with a 4xx and a cause: the request is wrong, not the server.
    int status = failure instanceof HttpException h ? h.getStatusCode() : ctx.statusCode();
    if (failure != null && (status < 400 || status >= 500)) {
      ApiResponses.failure(ctx, failure);
      return;
    }
    if (status == 413) {
      ApiResponses.error(ctx, 413, "too_large", "The request body is larger than " + MAX_BODY_BYTES + " bytes.");
    } else if (status >= 400 && status < 500) {
      ApiResponses.error(ctx, status, "invalid", unreadable(status));
    } else {
      ApiResponses.failure(ctx, new IllegalStateException("admin API failed with status " + status));
    }
  }

  /** The message of a 4xx that Vert.x decided before any route of ours could say more. */
  static String unreadable(int status) {
    return status == 400
        ? "The request could not be read (400): check its percent escapes (such as %2F) and its body."
        : "The request was refused (" + status + ").";
  }
}
