package com.timereg.gateway.login;

import com.timereg.gateway.session.AuthFailure;
import com.timereg.gateway.session.IssuedTokens;
import com.timereg.gateway.session.RevocationReason;
import com.timereg.gateway.session.SessionAuthenticator;
import com.timereg.gateway.session.SessionCookies;
import com.timereg.gateway.session.SessionIdentity;
import com.timereg.gateway.session.SessionService;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Login, token, refresh, logout and revoke endpoints for browsers (forms, cookies) and apps (JSON,
 * bearer tokens). Every failure answer is the same for unknown users, inactive users and wrong
 * passwords.
 */
public final class LoginRoutes {
  /** Credentials and tokens are small; a larger body on these routes is not a login. */
  public static final long BODY_LIMIT = 16 * 1024;
  static final String INVALID_MESSAGE = "Invalid login name or password.";
  public static final String SSO_MESSAGE = "Your organisation signs in with Microsoft. Use \"Sign in with Microsoft\" instead of a password.";
  static final String UNAVAILABLE_MESSAGE = "Signing in is not possible right now. Please try again in a moment.";
  static final String LOGOUT_UNAVAILABLE_MESSAGE = "You are signed out on this device, but the sign-out could not be "
      + "recorded everywhere right now.";
  static final String FOREIGN_LOGOUT_PAGE_MESSAGE = "This sign-out was not sent from this site's own pages, "
      + "so you are still signed in. Sign out from the site itself.";
  public static final String MALFORMED_LINK_MESSAGE = "This sign-in link is malformed. Please sign in here.";
  /** What a client is asked to wait when the database cannot answer; as for a session that cannot be checked. */
  static final int UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
  private static final Logger LOG = LoggerFactory.getLogger(LoginRoutes.class);

  private final LoginService logins;
  private final SessionService sessions;
  private final Function<RoutingContext, InetAddress> clientAddress;
  private final Clock clock;
  private final String pagePolicy;

  /** Without Microsoft sign-in: forms post to this site only. */
  public LoginRoutes(LoginService logins, SessionService sessions, Function<RoutingContext, InetAddress> clientAddress,
      Clock clock) {
    this(logins, sessions, clientAddress, clock, null);
  }

  /**
   * @param signInOrigin the origin "Sign in with Microsoft" redirects the login form to (the SSO
   *     provider's, {@code SsoSettings.authorityOrigin()}), or null when there is none
   */
  public LoginRoutes(LoginService logins, SessionService sessions, Function<RoutingContext, InetAddress> clientAddress,
      Clock clock, String signInOrigin) {
    this.logins = logins;
    this.sessions = sessions;
    this.clientAddress = clientAddress;
    this.clock = clock;
    this.pagePolicy = pagePolicy(signInOrigin);
  }

  /**
   * The body handler of the login, password and sign-in routes. Vert.x's throws, before reading a byte, for a
   * form Content-Type its parser cannot use (multipart without a boundary value, a charset it does not know),
   * which the router would answer with 500: the request is malformed, so it is 400, as a broken body is.
   */
  public static Handler<RoutingContext> bodyHandler() {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);
    return ctx -> {
      try {
        body.handle(ctx);
      } catch (RuntimeException unusableContentType) {
        // Netty's ErrorDataDecoderException ("Needs a boundary value"), IllegalCharsetNameException,
        // UnsupportedCharsetException. Nothing has been read: let the body drain and answer here, since a
        // failed context would be logged as an unhandled exception with its stack trace.
        ctx.request().resume();
        error(ctx, 400, "invalid_request", "The request's Content-Type cannot be parsed as a form.");
      }
    };
  }

  public void mount(Router router) {
    Handler<RoutingContext> body = bodyHandler();
    // HEAD too: Vert.x Web routes GET only, and a HEAD (link checkers, monitors) would otherwise
    // fall through to the authentication gate and be redirected to this very page, again and again.
    router.route("/login").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::loginPage);
    router.post("/login").handler(body).handler(this::formLogin).failureHandler(unreadableBody((c, status) ->
        page(c, status, LoginPage.render(Csrf.tokenFor(c), SafeRedirect.HOME, null, UNREADABLE_FORM, null))));
    Handler<RoutingContext> json = unreadableBody(LoginRoutes::unreadableJson);
    router.post("/auth/token").handler(body).handler(this::tokenLogin).failureHandler(json);
    router.post("/auth/refresh").handler(body).handler(this::refresh).failureHandler(json);
    router.post("/logout").handler(body).handler(this::logout).failureHandler(json);
    router.post("/auth/revoke").handler(body).handler(this::revoke).failureHandler(json);
    onlyMethods(router, "/login", "GET, HEAD, POST");
    for (String path : List.of("/auth/token", "/auth/refresh", "/logout", "/auth/revoke")) {
      onlyMethods(router, path, "POST");
    }
  }

  /**
   * Answers 405 to the methods of {@code path} that no route above took. The path is the gateway's own: without
   * this, a signed-in user's PUT /password or GET /logout passed the authentication gate and reached the backend
   * with the user's identity, where a view of that path might act on it (a GET /logout there would sign the user
   * out of the backend alone, while the gateway's session lived on). Mounted after the path's routes.
   */
  static void onlyMethods(Router router, String path, String allow) {
    router.route(path).handler(ctx -> {
      ctx.response().putHeader("Allow", allow);
      HttpMethod method = ctx.request().method();
      if ((method == HttpMethod.GET || method == HttpMethod.HEAD) && wantsHtml(ctx)) {
        // A browser sent here (a site's "Sign out" link, an address typed or bookmarked) shows whatever comes back,
        // and raw JSON is a dead end. GET /logout gets the button that signs out: a link must not (any site could
        // link it), but the person who followed one meant to.
        html(ctx, 405, path.equals("/logout") ? LoginPage.signOut(Csrf.tokenFor(ctx)) : LoginPage.notAPage(),
            pagePolicy(null));
        return;
      }
      error(ctx, 405, "method_not_allowed", method + " is not allowed here; use " + allow + ".");
    });
  }

  /** What a browser is told when {@link #bodyHandler()} refused its form. */
  public static final String UNREADABLE_FORM = "The form could not be read. Please try again.";

  /**
   * The failure handler for a route behind {@link #bodyHandler()}: the body handler refuses a body over
   * {@link #BODY_LIMIT} (413) or one its form decoder cannot read (400) by failing the context, and without
   * this Vert.x's plain-text default answers, not what the route's other refusals look like (JSON, or its
   * page). Anything else (a bug) goes on to the router's 500 handler.
   */
  public static Handler<RoutingContext> unreadableBody(java.util.function.ObjIntConsumer<RoutingContext> answer) {
    return ctx -> {
      int status = ctx.statusCode();
      if ((status == 413 || status == 400) && !ctx.response().headWritten()) {
        answer.accept(ctx, status);
      } else {
        ctx.next();
      }
    };
  }

  /** The JSON answer to a body {@link #bodyHandler()} refused. */
  public static void unreadableJson(RoutingContext ctx, int status) {
    if (status == 413) {
      error(ctx, 413, "request_too_large", "The body is larger than a sign-in request can be.");
    } else {
      error(ctx, 400, "invalid_request", "The body cannot be read.");
    }
  }

  private void loginPage(RoutingContext ctx) {
    String rawNext;
    String login;
    boolean loggedOut;
    try {
      rawNext = ctx.request().getParam("next");
      login = ctx.request().getParam("login");
      loggedOut = ctx.request().getParam("logged_out") != null;
    } catch (IllegalArgumentException e) {
      // A broken percent escape in the query ("%zz", a trailing "%"): the link is wrong, not the server.
      page(ctx, 400, LoginPage.render(Csrf.tokenFor(ctx), SafeRedirect.HOME, null, MALFORMED_LINK_MESSAGE, null));
      return;
    }
    String next = SafeRedirect.of(rawNext);
    if (SessionAuthenticator.identity(ctx).isPresent()) {
      redirect(ctx, next);
      return;
    }
    String info = loggedOut ? "You have been signed out." : null;
    page(ctx, 200, LoginPage.render(Csrf.tokenFor(ctx), next, login, null, info));
  }

  private void formLogin(RoutingContext ctx) {
    var form = ctx.request().formAttributes();
    String next = SafeRedirect.of(form.get("next"));
    String loginName = form.get("username");
    if (!Csrf.valid(ctx, form.get(Csrf.FIELD))) {
      page(ctx, 403, LoginPage.render(Csrf.tokenFor(ctx), next, loginName,
          "This form has expired or was sent from another site. Please try again.", null));
      return;
    }
    logins.login(clientAddress.apply(ctx), loginName, form.get("password")).onComplete(ar -> {
      if (ar.failed()) {
        unavailable(ctx, ar.cause());
        page(ctx, 503, LoginPage.render(Csrf.tokenFor(ctx), next, loginName, UNAVAILABLE_MESSAGE, null));
        return;
      }
      LoginResult result = ar.result();
      if (result instanceof LoginResult.Success ok) {
        endReplacedSession(sessions, ctx).onComplete(ended -> {
          SessionCookies.set(ctx.response(), ok.tokens(), clock.instant());
          redirect(ctx, next);
        });
      } else if (result instanceof LoginResult.Busy busy) {
        ctx.response().putHeader("Retry-After", Integer.toString(busy.retryAfterSeconds()));
        page(ctx, 503, LoginPage.render(Csrf.tokenFor(ctx), next, loginName,
            "We are handling many sign-ins right now. Please try again in a moment.", null));
      } else if (result instanceof LoginResult.Blocked blocked) {
        ctx.response().putHeader("Retry-After", Long.toString(blocked.retryAfterSeconds()));
        page(ctx, 429, LoginPage.render(Csrf.tokenFor(ctx), next, loginName, blockedMessage(blocked), null));
      } else if (result instanceof LoginResult.SsoRequired sso) {
        page(ctx, 401, LoginPage.render(Csrf.tokenFor(ctx), next, loginName, SSO_MESSAGE, null,
            LoginPage.ssoStartHref(sso.loginName(), next)));
      } else {
        page(ctx, 401, LoginPage.render(Csrf.tokenFor(ctx), next, loginName, INVALID_MESSAGE, null));
      }
    });
  }

  /**
   * Ends the cookie session of this browser that a successful sign-in (the login form, or Microsoft's) is about
   * to replace: signed in as one user, signing in as another. Its cookies are overwritten, but the session itself
   * lived on: anyone who had copied its refresh cookie kept it, refreshable up to its absolute timeout. A
   * database that cannot record the end does not stop the sign-in; this node refuses the old tokens already, as
   * after a logout.
   */
  public static Future<Void> endReplacedSession(SessionService sessions, RoutingContext ctx) {
    Optional<SessionIdentity> replaced = SessionAuthenticator.identity(ctx);
    if (replaced.isEmpty() || SessionAuthenticator.bearerIsOurs(ctx)) {
      return Future.succeededFuture();
    }
    return sessions.revokeSession(replaced.get().sessionId(), RevocationReason.LOGOUT).<Void>mapEmpty()
        .recover(cause -> {
          LOG.warn("the session a login replaced could not be recorded as ended: {}", cause.toString());
          return Future.succeededFuture();
        });
  }

  private void tokenLogin(RoutingContext ctx) {
    Optional<JsonObject> json = jsonBody(ctx);
    if (json.isEmpty()) {
      return;
    }
    String loginName = stringOrNull(json.get(), "username");
    String password = stringOrNull(json.get(), "password");
    logins.login(clientAddress.apply(ctx), loginName, password).onComplete(ar -> {
      if (ar.failed()) {
        unavailable(ctx, ar.cause());
        error(ctx, 503, "temporarily_unavailable", UNAVAILABLE_MESSAGE);
        return;
      }
      LoginResult result = ar.result();
      if (result instanceof LoginResult.Success ok) {
        tokens(ctx, ok.tokens());
      } else if (result instanceof LoginResult.Busy busy) {
        ctx.response().putHeader("Retry-After", Integer.toString(busy.retryAfterSeconds()));
        error(ctx, 503, "temporarily_unavailable", "Too many sign-ins right now; retry shortly.");
      } else if (result instanceof LoginResult.Blocked blocked) {
        ctx.response().putHeader("Retry-After", Long.toString(blocked.retryAfterSeconds()));
        error(ctx, 429, "too_many_requests", blockedMessage(blocked));
      } else if (result instanceof LoginResult.SsoRequired sso) {
        ctx.response().setStatusCode(401)
            .putHeader("Content-Type", "application/json")
            .putHeader("X-Content-Type-Options", "nosniff")
            .putHeader("Cache-Control", "no-store")
            .end(new JsonObject().put("error", "sso_required").put("message", SSO_MESSAGE)
                .put("sso_url", LoginPage.ssoStartHref(sso.loginName(), SafeRedirect.HOME)).encode());
      } else {
        error(ctx, 401, "invalid_grant", INVALID_MESSAGE);
      }
    });
  }

  /** As the block check's own refusal words it (edge.BlockHandler). */
  private static String blockedMessage(LoginResult.Blocked blocked) {
    return blockedMessage(blocked.kind(), blocked.retryAfterSeconds());
  }

  /** What a person is told when a block refuses a password they sent (a login, or the current password). */
  static String blockedMessage(com.timereg.gateway.throttle.BlockKind kind, long retryAfterSeconds) {
    long minutes = Math.max(1, (retryAfterSeconds + 59) / 60);
    String who = kind == com.timereg.gateway.throttle.BlockKind.CLIENT ? "your address" : "your network";
    return "Too many failed logins from " + who + ". Try again in " + minutes
        + (minutes == 1 ? " minute." : " minutes.");
  }

  private void refresh(RoutingContext ctx) {
    Optional<JsonObject> json = jsonBody(ctx);
    if (json.isEmpty()) {
      return;
    }
    String token = stringOrNull(json.get(), "refresh_token");
    if (token == null || token.isEmpty() || token.length() > 512) {
      error(ctx, 400, "invalid_request", "refresh_token is required.");
      return;
    }
    sessions.refresh(token).onComplete(ar -> {
      if (ar.failed()) {
        unavailable(ctx, ar.cause());
        error(ctx, 503, "temporarily_unavailable", "The session cannot be refreshed right now; retry shortly.");
      } else if (ar.result().succeeded()) {
        tokens(ctx, ar.result().tokens());
      } else {
        error(ctx, 401, "invalid_grant", "The refresh token is invalid, expired or revoked.");
      }
    });
  }

  /**
   * Ends the caller's session. With a cookie session the post must come from our own pages (Origin,
   * Sec-Fetch-Site or the form token), so another site cannot sign users out; a bearer token cannot
   * be sent cross-site by a browser, so it needs no such check.
   */
  private void logout(RoutingContext ctx) {
    if (refusedAsMalformedAuthorization(ctx)) {
      return;
    }
    Optional<SessionIdentity> identity = SessionAuthenticator.identity(ctx);
    boolean bearer = SessionAuthenticator.bearerIsOurs(ctx);
    if (!bearer && !fromOurOwnPage(ctx)) {
      if (carriesBearer(ctx)) {
        // An app with a token of no key of ours (a retired key, or not ours at all): no browser sends one cross-site
        // (it would need a CORS preflight), and "sign out from the site's pages" tells an app nothing it can do.
        refusedBearerLogout(ctx);
        return;
      }
      // A browser shows whatever body comes back: raw JSON there would be a dead end.
      if (wantsHtml(ctx)) {
        page(ctx, 403, LoginPage.notSignedOut(FOREIGN_LOGOUT_PAGE_MESSAGE));
      } else {
        error(ctx, 403, "forbidden", "Sign out from the site's own pages.");
      }
      return;
    }
    if (bearer && identity.isEmpty() && SessionAuthenticator.failure(ctx).orElse(null) == AuthFailure.INVALID_TOKEN) {
      // Run out, or not ours to accept: the session it names lives on, so "signed out" would be a lie the app
      // acts on (it drops a refresh token that stays good). An ended session's token is the 204 below.
      refusedBearerLogout(ctx);
      return;
    }
    Future<Boolean> revoked;
    if (identity.isPresent()) {
      revoked = sessions.revokeSession(identity.get().sessionId(), RevocationReason.LOGOUT);
    } else if (SessionAuthenticator.failure(ctx).orElse(null) == AuthFailure.UNAVAILABLE) {
      // The refresh cookie names a session the database could not look up (the access cookie had run out):
      // it lives on there, refreshable, so this is not the signed-out answer.
      revoked = Future.failedFuture("the session of the refresh cookie could not be looked up");
    } else {
      revoked = Future.succeededFuture(false);
    }
    revoked.onComplete(ar -> {
      // The browser forgets the session whatever the database says: this node already refuses its
      // tokens, and a refresh cookie left behind would bring the session back once the database is.
      SessionCookies.clear(ctx.response());
      if (ar.failed()) {
        unavailable(ctx, ar.cause());
        if (bearer || !wantsHtml(ctx)) {
          error(ctx, 503, "temporarily_unavailable", LOGOUT_UNAVAILABLE_MESSAGE);
        } else {
          page(ctx, 503, LoginPage.render(Csrf.tokenFor(ctx), SafeRedirect.HOME, null, LOGOUT_UNAVAILABLE_MESSAGE, null));
        }
        return;
      }
      if (bearer || !wantsHtml(ctx)) {
        ctx.response().setStatusCode(204).end();
      } else {
        redirect(ctx, "/login?logged_out=1");
      }
    });
  }

  private static void refusedBearerLogout(RoutingContext ctx) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gateway\", error=\"invalid_token\"");
    error(ctx, 401, "invalid_token", "The access token is expired or not valid, so no session was ended; "
        + "end it with its refresh token: POST /auth/revoke {\"refresh_token\": \"...\"}.");
  }

  private static boolean carriesBearer(RoutingContext ctx) {
    return ctx.request().headers().getAll("Authorization").stream()
        .anyMatch(v -> v.regionMatches(true, 0, "Bearer ", 0, 7));
  }

  /**
   * Ends a session named by its access token (as a bearer token) or, for an app whose access token has run out,
   * by its refresh token in a JSON body ({@code {"refresh_token": "..."}}, as RFC 7009). A refresh token that is
   * unknown or already ended gets the same 200: revoking is idempotent, and the answer must not tell a guesser
   * which tokens exist.
   */
  private void revoke(RoutingContext ctx) {
    if (refusedAsMalformedAuthorization(ctx)) {
      return;
    }
    Optional<SessionIdentity> identity = SessionAuthenticator.identity(ctx);
    Future<Boolean> revoked;
    if (identity.isPresent() && SessionAuthenticator.bearerIsOurs(ctx)) {
      revoked = sessions.revokeSession(identity.get().sessionId(), RevocationReason.LOGOUT);
    } else if (namesRefreshToken(ctx)) {
      String token = stringOrNull(ctx.body().asJsonObject(), "refresh_token");
      if (token == null) {
        error(ctx, 400, "invalid_request", "refresh_token must be the session's refresh token.");
        return;
      }
      // An empty or over-long string is an invalid token like any other, which RFC 7009 answers 200: it names no
      // session, and revokeByRefreshToken refuses it by its length without a query.
      revoked = sessions.revokeByRefreshToken(token, RevocationReason.LOGOUT);
    } else if (SessionAuthenticator.bearerIsOurs(ctx)
        && SessionAuthenticator.failure(ctx).orElse(null) == AuthFailure.SESSION_ENDED) {
      // Its session has ended already: a revocation repeated (its first answer lost) gets the first one's answer,
      // as RFC 7009 asks and as /logout does, not a 401 that says nothing was ended.
      revoked = Future.succeededFuture(false);
    } else if (SessionAuthenticator.bearerIsOurs(ctx) || carriesBearer(ctx)) {
      // RFC 6750 3.1: a token was presented and refused, so say so; the app may still hold its refresh token.
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gateway\", error=\"invalid_token\"");
      error(ctx, 401, "invalid_token", "The access token is expired or not valid, so no session was ended; "
          + "revoke with the refresh token instead: {\"refresh_token\": \"...\"}.");
      return;
    } else {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gateway\"");
      error(ctx, 401, "invalid_token",
          "Revoking a session needs its access token as a bearer token, or its refresh token in a JSON body.");
      return;
    }
    revoked.onComplete(ar -> {
      if (ar.failed()) {
        unavailable(ctx, ar.cause());
        error(ctx, 503, "temporarily_unavailable", "The session could not be revoked everywhere right now; retry shortly.");
      } else {
        ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
            .putHeader("X-Content-Type-Options", "nosniff").end("{}");
      }
    });
  }

  /**
   * The database (users, sessions) could not answer. Not the client's fault, so no 500: a 503 asks it
   * to come back, as for a session that cannot be checked. The cause goes to the log, never a token.
   */
  private static void unavailable(RoutingContext ctx, Throwable cause) {
    LOG.warn("{} {} not possible now: {}", ctx.request().method(), ctx.request().path(), cause.toString());
    ctx.response().putHeader("Retry-After", Integer.toString(UNAVAILABLE_RETRY_AFTER_SECONDS));
  }

  private static boolean fromOurOwnPage(RoutingContext ctx) {
    boolean declared = ctx.request().getHeader("Origin") != null || ctx.request().getHeader("Sec-Fetch-Site") != null;
    if (declared) {
      return Csrf.sameOriginOrUnknown(ctx);
    }
    return Csrf.valid(ctx, ctx.request().getFormAttribute(Csrf.FIELD));
  }

  private void tokens(RoutingContext ctx, IssuedTokens t) {
    Instant now = clock.instant();
    ctx.response().setStatusCode(200)
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Cache-Control", "no-store")
        .end(new JsonObject()
            .put("access_token", t.accessToken())
            .put("token_type", "Bearer")
            .put("expires_in", Math.max(0, Duration.between(now, t.accessExpiresAt()).toSeconds()))
            .put("refresh_token", t.refreshToken())
            .put("refresh_expires_in", Math.max(0, Duration.between(now, t.refreshExpiresAt()).toSeconds()))
            .encode());
  }

  /** The JSON object body, or empty after answering 415/400 itself. */
  private static Optional<JsonObject> jsonBody(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      error(ctx, 415, "unsupported_media_type", "Send a JSON object with Content-Type: application/json.");
      return Optional.empty();
    }
    try {
      JsonObject json = ctx.body().asJsonObject();
      if (json == null) {
        error(ctx, 400, "invalid_request", "The body must be a JSON object.");
        return Optional.empty();
      }
      return Optional.of(json);
    } catch (DecodeException | ClassCastException e) {
      error(ctx, 400, "invalid_request", "The body is not a valid JSON object.");
      return Optional.empty();
    }
  }

  /** A JSON object body with a {@code refresh_token} member; anything else is not a revocation by refresh token. */
  private static boolean namesRefreshToken(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      return false;
    }
    try {
      JsonObject json = ctx.body().asJsonObject();
      return json != null && json.containsKey("refresh_token");
    } catch (DecodeException | ClassCastException e) {
      return false;
    }
  }

  private static String stringOrNull(JsonObject json, String key) {
    Object v = json.getValue(key);
    return v instanceof String s ? s : null;
  }

  static boolean wantsHtml(RoutingContext ctx) {
    String accept = ctx.request().getHeader("Accept");
    return accept != null && accept.contains("text/html");
  }

  private static void redirect(RoutingContext ctx, String location) {
    ctx.response().setStatusCode(303).putHeader("Location", location).putHeader("Cache-Control", "no-store").end();
  }

  /**
   * The Content-Security-Policy of the login pages: no script, no style but the pages' own block, no other
   * origin, no framing. Forms post
   * to this site only, except that "Sign in with Microsoft" posts the form to home-realm discovery,
   * which redirects to the provider: browsers (Chromium) apply {@code form-action} to every redirect
   * of a form submission, so the provider's origin must be allowed there too or the button does nothing.
   *
   * @param signInOrigin the provider's origin ({@code https://login.microsoftonline.com}), or null
   */
  public static String pagePolicy(String signInOrigin) {
    return "default-src 'none'; style-src " + Html.STYLE_SOURCE + "; form-action 'self'"
        + (signInOrigin == null ? "" : " " + signInOrigin) + "; frame-ancestors 'none'";
  }

  private void page(RoutingContext ctx, int status, String page) {
    html(ctx, status, page, pagePolicy);
  }

  /**
   * An HTML page with the headers every gateway page carries (no caching, strict CSP, no framing, no sniffing, and
   * {@link #REFERRER_POLICY}).
   */
  public static void html(RoutingContext ctx, int status, String page, String policy) {
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Content-Security-Policy", policy)
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", REFERRER_POLICY)
        .end(page);
  }

  /**
   * The gateway pages' addresses carry what they were opened with ({@code /login?next=/projects/acme&login=ann}),
   * which is no other site's business: the Microsoft sign-in they lead to, a link on a page. {@code same-origin},
   * not {@code no-referrer}: under no-referrer browsers send {@code Origin: null} with the pages' own form posts,
   * which {@link Csrf} refuses as another site's.
   */
  public static final String REFERRER_POLICY = "same-origin";

  /**
   * RFC 6750 3.1 {@code invalid_request} (400): a token of ours came among several Authorization headers
   * ({@link AuthFailure#MALFORMED_REQUEST}). Not {@code invalid_token}, which tells an app to refresh a token that
   * is not the problem; for the authentication gate and the gateway's own routes alike.
   */
  public static boolean refusedAsMalformedAuthorization(RoutingContext ctx) {
    if (SessionAuthenticator.failure(ctx).orElse(null) != AuthFailure.MALFORMED_REQUEST) {
      return false;
    }
    refuseMalformedAuthorization(ctx);
    return true;
  }

  public static void refuseMalformedAuthorization(RoutingContext ctx) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gateway\", error=\"invalid_request\"");
    error(ctx, 400, "invalid_request", "Send one Authorization header: Authorization: Bearer <access token>.");
  }

  static void error(RoutingContext ctx, int status, String code, String message) {
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Cache-Control", "no-store")
        .end(new JsonObject().put("error", code).put("message", message).encode());
  }
}
