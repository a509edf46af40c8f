package com.timereg.gateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.css;
import static io.gatling.javaapi.core.CoreDsl.doIf;
import static io.gatling.javaapi.core.CoreDsl.doIfOrElse;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.http.HttpDsl.currentLocation;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The steps users take through the gateway, shared by the simulations. Session keys:
 * {@code username} and {@code password} come from a feeder; the steps keep the tokens they get.
 *
 * <p>A login can be answered 503 + Retry-After when the gateway's password-verification pool is
 * full: that is the gateway shedding load as designed, and real clients wait and try again. So
 * every login step retries after Retry-After (up to {@value #MAX_BUSY_TRIES} tries) inside a
 * group, and the group, not the single request, says whether the user got in. A group whose
 * user never got in is KO.
 */
final class Journeys {
  static final String USERNAME = "username";
  static final String PASSWORD = "password";
  static final String ACCESS = "accessToken";
  static final String REFRESH = "refreshToken";
  static final String HTML = "text/html,application/xhtml+xml";
  static final int MAX_BUSY_TRIES = 10;

  private static final String REFRESH_AT = "refreshAtMillis";
  private static final String EXPIRES_IN = "expiresIn";
  private static final String STATUS = "lastStatus";
  private static final String RETRY_AFTER = "retryAfter";
  private static final String BUSY = "busy";
  private static final String TRIES = "busyTries";
  private static final String CSRF = "csrf";

  private Journeys() {}

  /** The app login: {@code POST /auth/token}, keeping the access and refresh tokens. */
  static ChainBuilder tokenLogin(String groupName) {
    return tokenLogin(groupName, PASSWORD);
  }

  /** As {@link #tokenLogin(String)}, with the password from session key {@code passwordKey}. */
  static ChainBuilder tokenLogin(String groupName, String passwordKey) {
    HttpRequestActionBuilder login = http("POST /auth/token").post("/auth/token")
        .body(StringBody(s -> Json.object("username", s.getString(USERNAME), "password", s.getString(passwordKey))))
        .asJson()
        .check(status().in(200, 503))
        .checkIf((response, session) -> response.status().code() == 200).then(
            jsonPath("$.access_token").saveAs(ACCESS),
            jsonPath("$.refresh_token").saveAs(REFRESH),
            jsonPath("$.expires_in").ofInt().saveAs(EXPIRES_IN));
    return group(groupName).on(retryWhileBusy(login).exec(Journeys::scheduleRefresh));
  }

  /**
   * The browser login: the form page (which sets the CSRF cookie and carries its token), the
   * form post (303 to {@code next} with the session cookies), and the page it leads to, which must be
   * reached signed in (not the login page again).
   */
  static ChainBuilder formLogin(String groupName) {
    HttpRequestActionBuilder post = http("POST /login").post("/login")
        .header("Accept", HTML)
        .formParam("csrf", "#{" + CSRF + "}")
        .formParam("username", "#{" + USERNAME + "}")
        .formParam("password", "#{" + PASSWORD + "}")
        .formParam("next", "/")
        .disableFollowRedirect()
        .check(status().in(303, 503))
        .checkIf((response, session) -> response.status().code() == 303).then(header("Location").is("/"));
    return group(groupName).on(
        exec(http("GET /login").get("/login?next=%2F").header("Accept", HTML)
            .check(status().is(200), css("input[name='csrf']", "value").saveAs(CSRF)))
            .exec(retryWhileBusy(post))
            .doIf(s -> !s.isFailed()).then(
                // Redirects are followed (the application's own may lead on), so the status alone would take
                // the login page, where the gateway sends a browser whose session did not take, for a success.
                exec(http("GET / (after login)").get("/").header("Accept", HTML)
                    .check(status().is(200), currentLocation().transform(Journeys::isLoginPage).is(false)))));
  }

  private static String lowerCase(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  /** Whether {@code url} is the gateway's login page (any query: {@code next}, {@code logged_out}). */
  static boolean isLoginPage(String url) {
    return URI.create(url).getPath().equals("/login");
  }

  /**
   * {@code views} page views over {@code pages}, with the browser's cookies or, when
   * {@code bearer}, the access token; an identity check first when the pages have one.
   */
  static ChainBuilder browse(Pages pages, boolean bearer, int views, Duration thinkTime) {
    ChainBuilder identity = pages.identityPath().isEmpty()
        ? exec(s -> s)
        : exec(authorized(http("identity page").get(pages.identityPath()), bearer)
            // The gateway finds a login name in any case and forwards it as stored: the same user.
            .check(status().is(200), jsonPath("$.user").transform(Journeys::lowerCase)
                .is(s -> lowerCase(s.getString(USERNAME)))));
    return identity.repeat(views, "pageView").on(
        pause(thinkTime),
        exec(authorized(http("proxied page").get(s -> pages.path(s.getInt("pageView"))), bearer)
            .check(status().is(200))));
  }

  /** A token app trades its refresh token for a new pair (the old refresh token is then spent). */
  static ChainBuilder refresh() {
    return exec(http("POST /auth/refresh").post("/auth/refresh")
        .body(StringBody(s -> Json.object("refresh_token", s.getString(REFRESH))))
        .asJson()
        .check(status().is(200),
            jsonPath("$.access_token").saveAs(ACCESS),
            jsonPath("$.refresh_token").saveAs(REFRESH),
            jsonPath("$.expires_in").ofInt().saveAs(EXPIRES_IN)))
        .exec(Journeys::scheduleRefresh);
  }

  /** Refreshes when the access token is near its end, as a well-behaved app does. */
  static ChainBuilder refreshWhenDue() {
    return doIf(s -> System.currentTimeMillis() >= s.getLong(REFRESH_AT)).then(refresh());
  }

  /** Browser sign-out: 303 to the login page, and afterwards the app sends the browser to log in. */
  static ChainBuilder browserLogout() {
    return exec(http("POST /logout (browser)").post("/logout")
        .header("Accept", HTML)
        // What a browser sends with a form post from our own page; the gateway refuses a cookie
        // logout that does not come from its own pages.
        .header("Sec-Fetch-Site", "same-origin")
        .disableFollowRedirect()
        .check(status().is(303), header("Location").is("/login?logged_out=1")))
        .exec(http("GET / (after logout)").get("/").header("Accept", HTML)
            .disableFollowRedirect()
            .check(status().is(302), header("Location").transform(l -> l.startsWith("/login")).is(true)));
  }

  /** App sign-out with the bearer token; the same token must be refused right after. */
  static ChainBuilder appLogout(Pages pages) {
    return exec(http("POST /logout (app)").post("/logout")
        .header("Authorization", "Bearer #{" + ACCESS + "}")
        .check(status().is(204)))
        .exec(http("revoked token refused").get(pages.path(0))
            .header("Authorization", "Bearer #{" + ACCESS + "}")
            .check(status().is(401)));
  }

  static HttpRequestActionBuilder authorized(HttpRequestActionBuilder request, boolean bearer) {
    return bearer ? request.header("Authorization", "Bearer #{" + ACCESS + "}") : request;
  }

  /**
   * Sends {@code request} until it is not answered 503, waiting Retry-After between tries; after
   * {@value #MAX_BUSY_TRIES} busy answers the user counts as failed, and so does that last request.
   * The request's own checks must accept 503.
   */
  static ChainBuilder retryWhileBusy(HttpRequestActionBuilder request) {
    HttpRequestActionBuilder tracked = request.check(status().saveAs(STATUS),
        header("Retry-After").optional().saveAs(RETRY_AFTER));
    // The last try may not be busy: its 503 is the failed request that the simulations' failed-request
    // assertions count. Marking only the session failed would leave every request OK, so a run in which
    // users never got in past a saturated pool would pass.
    HttpRequestActionBuilder lastTry = tracked.check(status().not(503));
    return exec(s -> s.set(BUSY, true).set(TRIES, 0))
        .asLongAs(s -> s.getBoolean(BUSY) && s.getInt(TRIES) < MAX_BUSY_TRIES).on(
            exec(s -> s.remove(STATUS).remove(RETRY_AFTER)),
            doIfOrElse(s -> s.getInt(TRIES) < MAX_BUSY_TRIES - 1).then(exec(tracked)).orElse(exec(lastTry)),
            exec(s -> s.set(BUSY, s.contains(STATUS) && s.getInt(STATUS) == 503).set(TRIES, s.getInt(TRIES) + 1)),
            doIf(s -> s.getBoolean(BUSY)).then(pause(Journeys::retryDelay)))
        .exec(s -> s.getBoolean(BUSY) ? s.markAsFailed() : s);
  }

  /** Retry-After (capped at 10 s) plus up to a second of jitter, so retries do not come in waves. */
  private static Duration retryDelay(Session s) {
    long seconds = 1;
    if (s.contains(RETRY_AFTER)) {
      try {
        seconds = Math.min(10, Math.max(0, Long.parseLong(s.getString(RETRY_AFTER).trim())));
      } catch (NumberFormatException e) {
        seconds = 1;
      }
    }
    return Duration.ofMillis(seconds * 1000 + ThreadLocalRandom.current().nextLong(1000));
  }

  /** Refresh 30 s before the access token ends (or half-way, for very short lifetimes). */
  private static Session scheduleRefresh(Session s) {
    if (!s.contains(EXPIRES_IN)) {
      return s;
    }
    long lifetime = s.getInt(EXPIRES_IN);
    long margin = Math.min(30, lifetime / 2);
    return s.set(REFRESH_AT, System.currentTimeMillis() + (lifetime - margin) * 1000);
  }
}
