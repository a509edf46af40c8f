package com.timereg.gateway.admin;

import com.timereg.gateway.blocks.BlockRequestException;
import com.timereg.gateway.blocks.RequestFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON answers of the admin API, and the one place failures become HTTP statuses: the client gets
 * {@code {"error": code, "message": text}} with a message it can show; causes go to the log.
 */
final class ApiResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ApiResponses.class);
  /** Edits and queries refused for an unavailable database are worth retrying after this long. */
  static final int RETRY_AFTER_SECONDS = 5;

  private ApiResponses() {}

  static void json(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended()) {
      return;
    }
    String text = body instanceof JsonObject o ? o.encode() : String.valueOf(body);
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Content-Type-Options", "nosniff")
        .end(text);
  }

  static void error(RoutingContext ctx, int status, String code, String message) {
    json(ctx, status, new JsonObject().put("error", code).put("message", message));
  }

  /** Answers a failed operation: a request error with its own status, anything else a plain 500. */
  static void failure(RoutingContext ctx, Throwable e) {
    if (e instanceof BadRequest b) {
      error(ctx, 400, "invalid", b.getMessage());
    } else if (e instanceof BlockRequestException b) {
      if (b.failure() == RequestFailure.UNAVAILABLE) {
        ctx.response().putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
      }
      error(ctx, b.httpStatus(), b.failure().metricTag().replace('-', '_'), b.getMessage());
    } else {
      LOG.error("admin API {} {} failed", ctx.request().method(), ctx.request().path(), e);
      error(ctx, 500, "internal_error", "Something went wrong on our side; the log has the details.");
    }
  }

  /** A request the API itself refuses (parameters, body); its message is shown as is. */
  static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }
}
