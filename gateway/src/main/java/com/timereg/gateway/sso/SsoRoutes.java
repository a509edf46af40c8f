package com.timereg.gateway.sso;

import com.timereg.gateway.login.Csrf;
import com.timereg.gateway.login.LoginPage;
import com.timereg.gateway.login.LoginRoutes;
import com.timereg.gateway.login.SafeRedirect;
import com.timereg.gateway.session.SessionCookies;
import com.timereg.gateway.session.SessionService;
import com.timereg.gateway.sso.SsoService.CallbackResult;
import com.timereg.gateway.sso.SsoService.StartResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * Home-realm discovery and Microsoft sign-in over HTTP:
 * <ul>
 *   <li>{@code POST /login/identify}: the login form's "Sign in with Microsoft" (login name, next);
 *   <li>{@code GET /sso/start?login=&next=}: the same as a link (the refusal of a password for a
 *       customer that requires Microsoft sign-in links here);
 *   <li>{@code GET /sso/callback}: where the provider sends the browser back.
 * </ul>
 * A name whose customer does not use Microsoft sign-in, and a name nobody has, both get the
 * password form back: the answer tells apart only names of organisations that use Microsoft
 * sign-in (docs/sso.md, "What home-realm discovery reveals").
 */
public final class SsoRoutes {
  /**
   * Binds a sign-in to the browser that started it. {@code __Host-}: only this origin over HTTPS
   * can set it; SameSite=Lax: it comes along when the provider sends the browser back with a
   * top-level GET from another site, and on nothing else cross-site.
   */
  public static final String BINDING_COOKIE = "__Host-gw-sso";
  /** The callback parameters the gateway reads; none may appear twice. */
  private static final List<String> CALLBACK_PARAMS = List.of("state", "code", "error", "error_description");
  static final String NOT_AVAILABLE_INFO =
      "Microsoft sign-in is not available for this login name. Please sign in with your password.";

  private final SsoService sso;
  private final SessionService sessions;
  private final Function<RoutingContext, InetAddress> clientAddress;
  private final Clock clock;
  /** The login pages' policy, as LoginRoutes sends it: these pages show the same form. */
  private final String pagePolicy;

  public SsoRoutes(SsoService sso, SessionService sessions, Function<RoutingContext, InetAddress> clientAddress,
      Clock clock) {
    this.sso = sso;
    this.sessions = sessions;
    this.clientAddress = clientAddress;
    this.clock = clock;
    this.pagePolicy = LoginRoutes.pagePolicy(sso.settings().authorityOrigin());
  }

  public void mount(Router router) {
    Handler<RoutingContext> body = LoginRoutes.bodyHandler();
    router.post(LoginPage.IDENTIFY_PATH).handler(body).handler(this::identify)
        .failureHandler(LoginRoutes.unreadableBody((ctx, status) -> LoginRoutes.html(ctx, status,
            LoginPage.render(Csrf.tokenFor(ctx), SafeRedirect.HOME, null, LoginRoutes.UNREADABLE_FORM, null),
            pagePolicy)));
    router.get(LoginPage.SSO_START_PATH).handler(this::startLink);
    router.get(SsoSettings.CALLBACK_PATH).handler(this::callback);
  }

  private void identify(RoutingContext ctx) {
    var form = ctx.request().formAttributes();
    String next = SafeRedirect.of(form.get("next"));
    String loginName = form.get("username");
    if (!Csrf.valid(ctx, form.get(Csrf.FIELD))) {
      LoginRoutes.html(ctx, 403, LoginPage.render(Csrf.tokenFor(ctx), next, loginName,
          "This form has expired or was sent from another site. Please try again.", null), pagePolicy);
      return;
    }
    start(ctx, loginName, next);
  }

  private void startLink(RoutingContext ctx) {
    String login;
    String next;
    try {
      login = ctx.request().getParam("login");
      next = ctx.request().getParam("next");
    } catch (IllegalArgumentException e) {
      malformedLink(ctx);
      return;
    }
    start(ctx, login, SafeRedirect.of(next));
  }

  /** A link with a broken percent escape ("%zz", a trailing "%"): the link is wrong, not the server (400). */
  private void malformedLink(RoutingContext ctx) {
    LoginRoutes.html(ctx, 400, LoginPage.render(Csrf.tokenFor(ctx), SafeRedirect.HOME, null,
        LoginRoutes.MALFORMED_LINK_MESSAGE, null), pagePolicy);
  }

  private void start(RoutingContext ctx, String loginName, String next) {
    Cookie existing = ctx.request().getCookie(BINDING_COOKIE);
    Future<StartResult> started = sso.start(clientAddress.apply(ctx), loginName, next,
        existing == null ? null : existing.getValue());
    started.onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      StartResult result = ar.result();
      if (result instanceof StartResult.Redirect go) {
        ctx.response().addCookie(Cookie.cookie(BINDING_COOKIE, go.browserBinding()).setPath("/").setSecure(true)
            .setHttpOnly(true).setSameSite(CookieSameSite.LAX).setMaxAge(sso.settings().requestLifetime().toSeconds()));
        redirect(ctx, go.location());
      } else if (result instanceof StartResult.Refused refused) {
        refusal(ctx, refused.refusal());
      } else if (result instanceof StartResult.TooMany tooMany) {
        tooMany(ctx, loginName, next, tooMany.retryAfterSeconds());
      } else if (result instanceof StartResult.Busy busy) {
        refuse(ctx, 503, "service_unavailable", loginName, next, busy.retryAfterSeconds(),
            "Microsoft sign-in is busy right now. Please try again in " + busy.retryAfterSeconds() + " seconds.");
      } else {
        LoginRoutes.html(ctx, 200, LoginPage.render(Csrf.tokenFor(ctx), next, loginName, null, NOT_AVAILABLE_INFO), pagePolicy);
      }
    });
  }

  /**
   * Too many sign-ins started from this address: 429 and Retry-After, as a blocked client gets them; the form
   * again for a browser (the person may still use a password), JSON for anything else.
   */
  private void tooMany(RoutingContext ctx, String loginName, String next, long retryAfterSeconds) {
    String message = "Too many sign-ins were started from your address. Please try again in " + retryAfterSeconds
        + (retryAfterSeconds == 1 ? " second." : " seconds.");
    refuse(ctx, 429, "too_many_requests", loginName, next, retryAfterSeconds, message);
  }

  /** A start refused before anything was written, with Retry-After: the form for a browser, JSON otherwise. */
  private void refuse(RoutingContext ctx, int status, String error, String loginName, String next,
      long retryAfterSeconds, String message) {
    ctx.response().putHeader("Retry-After", Long.toString(retryAfterSeconds));
    String accept = ctx.request().getHeader("Accept");
    if (accept != null && accept.contains("text/html")) {
      LoginRoutes.html(ctx, status, LoginPage.render(Csrf.tokenFor(ctx), next, loginName, message, null), pagePolicy);
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
        .end(new JsonObject().put("error", error).put("message", message)
            .put("retry_after", retryAfterSeconds).encode());
  }

  private void callback(RoutingContext ctx) {
    var q = ctx.request();
    SsoService.CallbackParams params;
    try {
      // RFC 6749 3.1: a parameter must not appear twice. Which of two codes or states is the provider's would be a
      // guess, so such a callback is refused as malformed rather than answered with the first.
      if (CALLBACK_PARAMS.stream().anyMatch(name -> q.params().getAll(name).size() > 1)) {
        malformedLink(ctx);
        return;
      }
      params = new SsoService.CallbackParams(
          q.getParam("state"), q.getParam("code"), q.getParam("error"), q.getParam("error_description"));
    } catch (IllegalArgumentException e) {
      malformedLink(ctx);
      return;
    }
    Cookie binding = q.getCookie(BINDING_COOKIE);
    sso.callback(clientAddress.apply(ctx), params, binding == null ? null : binding.getValue()).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      if (ar.result() instanceof CallbackResult.Success ok) {
        LoginRoutes.endReplacedSession(sessions, ctx).onComplete(ended -> {
          SessionCookies.set(ctx.response(), ok.tokens(), clock.instant());
          redirect(ctx, ok.next());
        });
      } else {
        refusal(ctx, ((CallbackResult.Refused) ar.result()).refusal());
      }
    });
  }

  private void refusal(RoutingContext ctx, SsoRefusal refusal) {
    if (refusal.status() >= 500) {
      ctx.response().putHeader("Retry-After", "5");
    }
    noReferrer(ctx);
    LoginRoutes.html(ctx, refusal.status(), SsoPages.refused(refusal), pagePolicy);
  }

  private static void redirect(RoutingContext ctx, String location) {
    noReferrer(ctx);
    ctx.response().setStatusCode(303).putHeader("Location", location).putHeader("Cache-Control", "no-store").end();
  }

  /** The callback's URL holds the code and state: no page reached from here may learn it. */
  private static void noReferrer(RoutingContext ctx) {
    ctx.response().putHeader("Referrer-Policy", "no-referrer");
  }
}
