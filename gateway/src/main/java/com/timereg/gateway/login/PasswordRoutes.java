package com.timereg.gateway.login;

import com.timereg.gateway.password.PolicyCheck;
import com.timereg.gateway.session.SessionAuthenticator;
import com.timereg.gateway.session.SessionIdentity;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.MultiMap;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /password} (the form), {@code POST /password} (a form post, or JSON
 * {@code {current_password, new_password}} from apps with a bearer token or a cookie session),
 * {@code POST /password/check} (the live strength meter, rate-limited per user) and
 * {@code GET /password/changed}. Every route needs a session; every refusal says why.
 */
public final class PasswordRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(PasswordRoutes.class);
  static final String WRONG_CURRENT_MESSAGE = "The current password is wrong.";
  static final String REFUSED_MESSAGE = "The new password was not accepted:";
  static final String BUSY_MESSAGE = "We are handling many requests right now. Please try again in a moment.";
  static final String FAILED_MESSAGE = "The password could not be changed just now. Please try again.";

  private final PasswordChangeService service;
  private final Function<RoutingContext, InetAddress> clientAddress;
  private final CheckRateLimiter limiter;

  public PasswordRoutes(PasswordChangeService service, Function<RoutingContext, InetAddress> clientAddress,
      CheckRateLimiter limiter) {
    this.service = service;
    this.clientAddress = clientAddress;
    this.limiter = limiter;
  }

  public void mount(Router router) {
    Handler<RoutingContext> body = LoginRoutes.bodyHandler();
    router.route("/password").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::page);
    router.post("/password").handler(body).handler(this::change).failureHandler(LoginRoutes.unreadableBody(
        (ctx, status) -> {
          if (contentType(ctx).startsWith("application/json")) {
            LoginRoutes.unreadableJson(ctx, status);
          } else {
            PasswordPage.send(ctx, status, PasswordPage.message("Password not changed", LoginRoutes.UNREADABLE_FORM));
          }
        }));
    router.post("/password/check").handler(body).handler(this::check)
        .failureHandler(LoginRoutes.unreadableBody(LoginRoutes::unreadableJson));
    router.route("/password/changed").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(this::changed);
    LoginRoutes.onlyMethods(router, "/password", "GET, HEAD, POST");
    LoginRoutes.onlyMethods(router, "/password/check", "POST");
    LoginRoutes.onlyMethods(router, "/password/changed", "GET, HEAD");
  }

  private void page(RoutingContext ctx) {
    Optional<SessionIdentity> who = SessionAuthenticator.identity(ctx);
    if (who.isEmpty()) {
      toLogin(ctx);
      return;
    }
    service.account(who.get()).onComplete(ar -> {
      if (ar.failed()) {
        // Without the account the form would lack the customer's rules (a minimum of 0), and its post would
        // fail the same way: say so now.
        unavailable(ctx, ar.cause());
        PasswordPage.send(ctx, 503, PasswordPage.message("Password not changed", FAILED_MESSAGE));
        return;
      }
      Optional<UserRecord> user = ar.result();
      String noPassword = user.map(PasswordChangeService::noPasswordHere).orElse(null);
      if (noPassword != null) {
        PasswordPage.send(ctx, 403, PasswordPage.message("No password to change", noPassword));
        return;
      }
      int minLength = user.map(u -> u.passwordPolicy().minLength()).orElse(0);
      PasswordPage.send(ctx, 200, PasswordPage.form(Csrf.tokenFor(ctx), who.get().loginName(), minLength, null, List.of()));
    });
  }

  /** Says "you stay signed in here": only to someone who is, like every route of this class. */
  private void changed(RoutingContext ctx) {
    if (SessionAuthenticator.identity(ctx).isEmpty()) {
      toLogin(ctx);
      return;
    }
    PasswordPage.send(ctx, 200, PasswordPage.changed());
  }

  private void change(RoutingContext ctx) {
    String type = contentType(ctx);
    if (type.startsWith("application/json")) {
      changeByApi(ctx);
    } else if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
      changeByForm(ctx);
    } else {
      LoginRoutes.error(ctx, 415, "unsupported_media_type",
          "Send JSON {\"current_password\", \"new_password\"} with Content-Type: application/json, or the form.");
    }
  }

  private void changeByApi(RoutingContext ctx) {
    Optional<SessionIdentity> who = apiIdentity(ctx);
    if (who.isEmpty()) {
      return;
    }
    Optional<JsonObject> json = jsonObject(ctx);
    if (json.isEmpty()) {
      return;
    }
    service.change(clientAddress.apply(ctx), who.get(), string(json.get(), "current_password"),
        string(json.get(), "new_password")).onComplete(ar -> answerApi(ctx, ar));
  }

  private void changeByForm(RoutingContext ctx) {
    Optional<SessionIdentity> who = SessionAuthenticator.identity(ctx);
    if (who.isEmpty()) {
      toLogin(ctx);
      return;
    }
    MultiMap form = ctx.request().formAttributes();
    String loginName = who.get().loginName();
    if (!Csrf.valid(ctx, form.get(Csrf.FIELD))) {
      formError(ctx, 403, loginName, "This form has expired or was sent from another site. Please try again.", List.of());
      return;
    }
    String newPassword = form.get("new_password");
    if (newPassword != null && !newPassword.isEmpty() && !Objects.equals(newPassword, form.get("confirm_password"))) {
      formError(ctx, 400, loginName, "The new password and its confirmation differ.", List.of());
      return;
    }
    service.change(clientAddress.apply(ctx), who.get(), form.get("current_password"), newPassword)
        .onComplete(ar -> answerForm(ctx, loginName, ar));
  }

  private void check(RoutingContext ctx) {
    Optional<SessionIdentity> who = apiIdentity(ctx);
    if (who.isEmpty()) {
      return;
    }
    // Per user, not per session: every login opens a new session, and the limit is there so that a
    // script cannot crowd the verification pool by signing in again.
    long wait = limiter.acquire(Long.toString(who.get().userId()));
    if (wait > 0) {
      ctx.response().putHeader("Retry-After", Long.toString(wait));
      LoginRoutes.error(ctx, 429, "too_many_requests", "Too many strength checks; wait a moment.");
      return;
    }
    Optional<JsonObject> json = jsonObject(ctx);
    if (json.isEmpty()) {
      return;
    }
    service.check(who.get(), string(json.get(), "new_password")).onComplete(ar -> {
      if (ar.succeeded() && ar.result() instanceof PasswordChangeResult.Checked checked) {
        PolicyCheck c = checked.check();
        json(ctx, 200, new JsonObject().put("pwned", c.pwned()).put("prevalence", c.prevalence())
            .put("score", c.score()).put("meets_policy", c.meetsPolicy()).put("reasons", reasons(c.reasons())));
      } else {
        answerApi(ctx, ar);
      }
    });
  }

  private void answerApi(RoutingContext ctx, AsyncResult<PasswordChangeResult> ar) {
    if (ar.failed()) {
      unavailable(ctx, ar.cause());
      LoginRoutes.error(ctx, 503, "temporarily_unavailable", FAILED_MESSAGE);
      return;
    }
    PasswordChangeResult result = ar.result();
    if (result instanceof PasswordChangeResult.Changed) {
      ctx.response().setStatusCode(204).putHeader("Cache-Control", "no-store").end();
    } else if (result instanceof PasswordChangeResult.Malformed m) {
      LoginRoutes.error(ctx, 400, "invalid_request", m.message());
    } else if (result instanceof PasswordChangeResult.WrongCurrentPassword) {
      LoginRoutes.error(ctx, 401, "invalid_current_password", WRONG_CURRENT_MESSAGE);
    } else if (result instanceof PasswordChangeResult.Refused r) {
      json(ctx, 422, new JsonObject().put("error", "password_refused")
          .put("message", REFUSED_MESSAGE + " " + String.join("; ", messages(r.reasons())) + ".")
          .put("reasons", reasons(r.reasons())));
    } else if (result instanceof PasswordChangeResult.BreachCheckUnavailable) {
      LoginRoutes.error(ctx, 503, "breach_check_unavailable", NewPasswordChecks.BREACH_CHECK_UNAVAILABLE_MESSAGE);
    } else if (result instanceof PasswordChangeResult.PasswordNotUsed p) {
      LoginRoutes.error(ctx, 403, "password_not_used", p.message());
    } else if (result instanceof PasswordChangeResult.NoAccount) {
      LoginRoutes.error(ctx, 403, "account_inactive", "This account is no longer active.");
    } else if (result instanceof PasswordChangeResult.ChangedMeanwhile) {
      LoginRoutes.error(ctx, 409, "conflict", "Your password was changed meanwhile; nothing was stored.");
    } else if (result instanceof PasswordChangeResult.Blocked blocked) {
      ctx.response().putHeader("Retry-After", Long.toString(blocked.retryAfterSeconds()));
      LoginRoutes.error(ctx, 429, "too_many_requests",
          LoginRoutes.blockedMessage(blocked.kind(), blocked.retryAfterSeconds()));
    } else if (result instanceof PasswordChangeResult.Busy busy) {
      ctx.response().putHeader("Retry-After", Integer.toString(busy.retryAfterSeconds()));
      LoginRoutes.error(ctx, 503, "temporarily_unavailable", BUSY_MESSAGE);
    } else {
      LoginRoutes.error(ctx, 500, "internal_error", FAILED_MESSAGE);
    }
  }

  private void answerForm(RoutingContext ctx, String loginName, AsyncResult<PasswordChangeResult> ar) {
    if (ar.failed()) {
      unavailable(ctx, ar.cause());
      formError(ctx, 503, loginName, FAILED_MESSAGE, List.of());
      return;
    }
    PasswordChangeResult result = ar.result();
    if (result instanceof PasswordChangeResult.Changed) {
      ctx.response().setStatusCode(303).putHeader("Location", "/password/changed")
          .putHeader("Cache-Control", "no-store").end();
    } else if (result instanceof PasswordChangeResult.Malformed m) {
      formError(ctx, 400, loginName, m.message(), List.of());
    } else if (result instanceof PasswordChangeResult.WrongCurrentPassword) {
      formError(ctx, 401, loginName, WRONG_CURRENT_MESSAGE, List.of());
    } else if (result instanceof PasswordChangeResult.Refused r) {
      formError(ctx, 422, loginName, REFUSED_MESSAGE, messages(r.reasons()));
    } else if (result instanceof PasswordChangeResult.BreachCheckUnavailable) {
      formError(ctx, 503, loginName, NewPasswordChecks.BREACH_CHECK_UNAVAILABLE_MESSAGE, List.of());
    } else if (result instanceof PasswordChangeResult.PasswordNotUsed p) {
      PasswordPage.send(ctx, 403, PasswordPage.message("No password to change", p.message()));
    } else if (result instanceof PasswordChangeResult.NoAccount) {
      PasswordPage.send(ctx, 403, PasswordPage.message("Account not active", "This account is no longer active."));
    } else if (result instanceof PasswordChangeResult.ChangedMeanwhile) {
      formError(ctx, 409, loginName, "Your password was changed meanwhile; nothing was stored.", List.of());
    } else if (result instanceof PasswordChangeResult.Blocked blocked) {
      ctx.response().putHeader("Retry-After", Long.toString(blocked.retryAfterSeconds()));
      formError(ctx, 429, loginName, LoginRoutes.blockedMessage(blocked.kind(), blocked.retryAfterSeconds()), List.of());
    } else if (result instanceof PasswordChangeResult.Busy busy) {
      ctx.response().putHeader("Retry-After", Integer.toString(busy.retryAfterSeconds()));
      formError(ctx, 503, loginName, BUSY_MESSAGE, List.of());
    } else {
      formError(ctx, 500, loginName, FAILED_MESSAGE, List.of());
    }
  }

  /** The database could not answer: a 503 that says when to come back, as the login routes answer. */
  private static void unavailable(RoutingContext ctx, Throwable cause) {
    LOG.warn("password change failed: {}", cause.toString());
    ctx.response().putHeader("Retry-After", Integer.toString(LoginRoutes.UNAVAILABLE_RETRY_AFTER_SECONDS));
  }

  /**
   * The form again, with the error and the customer's minimum length as the first showing had it. Not looked up
   * for a 5xx: the database may be what failed, and the answer must not wait on it.
   */
  private void formError(RoutingContext ctx, int status, String loginName, String error, List<String> reasons) {
    Optional<SessionIdentity> who = SessionAuthenticator.identity(ctx);
    Future<Integer> minLength = status >= 500 || who.isEmpty()
        ? Future.succeededFuture(0)
        : service.account(who.get()).map(u -> u.map(r -> r.passwordPolicy().minLength()).orElse(0)).otherwise(0);
    minLength.onComplete(ar -> PasswordPage.send(ctx, status,
        PasswordPage.form(Csrf.tokenFor(ctx), loginName, ar.result(), error, reasons)));
  }

  /**
   * The identity of an API call, or empty after answering. A cookie session must come from our own
   * pages (Origin, Sec-Fetch-Site); a bearer token cannot be sent cross-site by a browser.
   */
  private static Optional<SessionIdentity> apiIdentity(RoutingContext ctx) {
    if (LoginRoutes.refusedAsMalformedAuthorization(ctx)) {
      return Optional.empty();
    }
    Optional<SessionIdentity> who = SessionAuthenticator.identity(ctx);
    if (who.isEmpty()) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gateway\"");
      LoginRoutes.error(ctx, 401, "unauthorized", "Sign in first: send an access token as Authorization: Bearer.");
      return Optional.empty();
    }
    if (!SessionAuthenticator.bearerIsOurs(ctx) && !Csrf.sameOriginOrUnknown(ctx)) {
      LoginRoutes.error(ctx, 403, "forbidden", "Change your password from the site's own pages.");
      return Optional.empty();
    }
    return who;
  }

  /** The JSON object body, or empty after answering 415/400. */
  private static Optional<JsonObject> jsonObject(RoutingContext ctx) {
    if (!contentType(ctx).startsWith("application/json")) {
      LoginRoutes.error(ctx, 415, "unsupported_media_type", "Send a JSON object with Content-Type: application/json.");
      return Optional.empty();
    }
    try {
      JsonObject json = ctx.body().asJsonObject();
      if (json != null) {
        return Optional.of(json);
      }
    } catch (DecodeException | ClassCastException e) {
      // Answered below; the body may hold a password, so it is not logged.
    }
    LoginRoutes.error(ctx, 400, "invalid_request", "The body must be a JSON object.");
    return Optional.empty();
  }

  private static void toLogin(RoutingContext ctx) {
    ctx.response().setStatusCode(303).putHeader("Location", "/login?next=%2Fpassword")
        .putHeader("Cache-Control", "no-store").end();
  }

  private static String contentType(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    return type == null ? "" : type.toLowerCase(Locale.ROOT);
  }

  private static String string(JsonObject json, String key) {
    return json.getValue(key) instanceof String s ? s : null;
  }

  private static List<String> messages(List<PolicyCheck.Reason> reasons) {
    return reasons.stream().map(NewPasswordChecks::message).toList();
  }

  private static JsonArray reasons(List<PolicyCheck.Reason> reasons) {
    JsonArray out = new JsonArray();
    reasons.forEach(r -> out.add(new JsonObject().put("code", r.kind().name().toLowerCase(Locale.ROOT))
        .put("message", NewPasswordChecks.message(r))));
    return out;
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Cache-Control", "no-store").end(body.encode());
  }
}
