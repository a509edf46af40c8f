package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.GatewayClient.Reply;
import com.timereg.gateway.edge.GatewayClient.SetCookie;
import com.timereg.gateway.login.Csrf;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.session.SessionCookies;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import io.vertx.core.Vertx;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The browser side of login through the whole gateway: the login page, cookies, CSRF, where login
 * sends the user afterwards, transparent refresh and logout.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class BrowserSessionEndToEndTest {
  static final String USER = "carol@e2e.test";
  static final String PASSWORD = "Carol-timesheets-2026";
  static final String OTHER_USER = "dave@e2e.test";
  static final String OTHER_PASSWORD = "Dave-timesheets-2026";

  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    gw = E2eGateway.start(dir, db, vertx, 0, Map.of());
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
    new E2eUsers(db).create(OTHER_USER, new DjangoPbkdf2Hasher(20_000).hash(OTHER_PASSWORD), true);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw);
  }

  private static Reply loggedIn() {
    Reply r = gw.formLogin(gw.csrfToken(), USER, PASSWORD, "/");
    assertThat(r.status()).as(r.body()).isEqualTo(303);
    return r;
  }

  @Test
  void loginPageIsServerRenderedWithLabelsAndNoAssetsFromElsewhere() {
    Reply page = gw.http.get("/login", "Accept", "text/html");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type")).startsWith("text/html");
    String html = page.body();
    assertThat(html).contains("<label for=\"username\">").contains("id=\"username\" name=\"username\"")
        .contains("<label for=\"password\">").contains("id=\"password\" name=\"password\" type=\"password\"")
        .contains("<form method=\"post\" action=\"/login\"").contains("<button type=\"submit\">");
    assertThat(html).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("@import");
    Matcher refs = Pattern.compile("(?i)(?:src|href|action)\\s*=\\s*\"([^\"]*)\"|url\\(([^)]*)\\)").matcher(html);
    while (refs.find()) {
      String ref = refs.group(1) != null ? refs.group(1) : refs.group(2);
      assertThat(ref).as("a reference on the login page").startsWith("/").doesNotStartWith("//");
    }
    assertThat(page.header("Content-Security-Policy")).contains("default-src 'none'");
  }

  @Test
  void headOfTheLoginPageAnswersLikeGetInsteadOfRedirectingToItself() {
    // Link checkers and uptime monitors ask with HEAD; the page must not send them to itself.
    Reply head = gw.http.send(HttpMethod.HEAD, "/login", GatewayClient.headers("Accept", "text/html"), null);
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("Content-Type")).startsWith("text/html");
    assertThat(head.header("Location")).isNull();
    assertThat(head.body()).isEmpty();
  }

  @Test
  void loginPageFormWorksAsPlainHtmlWithoutScript() {
    Reply page = gw.http.get("/login?next=%2Fapi%2Fme", "Accept", "text/html");
    // Submit exactly what the page's form holds, as a browser without JavaScript does.
    Map<String, String> fields = new LinkedHashMap<>();
    Matcher inputs = Pattern.compile("<input ([^>]*)>").matcher(page.body());
    while (inputs.find()) {
      Matcher name = Pattern.compile("name=\"([^\"]*)\"").matcher(inputs.group(1));
      Matcher value = Pattern.compile("value=\"([^\"]*)\"").matcher(inputs.group(1));
      if (name.find()) {
        fields.put(name.group(1), value.find() ? value.group(1).replace("&amp;", "&") : "");
      }
    }
    assertThat(fields).containsKeys(Csrf.FIELD, "next", "username", "password");
    fields.put("username", USER);
    fields.put("password", PASSWORD);
    String csrfCookie = page.setCookie(Csrf.COOKIE).orElseThrow().value();
    Reply posted = gw.http.postForm("/login", fields, "Cookie", Csrf.COOKIE + "=" + csrfCookie,
        "Origin", gw.http.origin(), "Accept", "text/html");
    assertThat(posted.status()).isEqualTo(303);
    assertThat(posted.header("Location")).isEqualTo("/api/me");
    Reply me = gw.http.get("/api/me", "Accept", "text/html", "Cookie", E2eGateway.sessionCookies(posted));
    assertThat(me.json().getString("user")).isEqualTo(USER);
  }

  @Test
  void sessionCookiesAreHostPrefixedSecureHttpOnlyLaxWithoutDomain() {
    Reply r = loggedIn();
    for (String name : List.of(SessionCookies.ACCESS, SessionCookies.REFRESH)) {
      SetCookie c = r.setCookie(name).orElseThrow(() -> new AssertionError("no cookie " + name));
      assertThat(c.value()).isNotEmpty();
      assertThat(c.has("Secure")).as(name).isTrue();
      assertThat(c.has("HttpOnly")).as(name).isTrue();
      assertThat(c.attribute("SameSite")).as(name).isEqualToIgnoringCase("Lax");
      assertThat(c.attribute("Path")).as(name).isEqualTo("/");
      assertThat(c.has("Domain")).as(name).isFalse();
      assertThat(Long.parseLong(c.attribute("Max-Age"))).as(name).isPositive();
    }
  }

  @Test
  void csrfCookieIsHostPrefixedSecureHttpOnlyStrictWithoutDomain() {
    SetCookie c = gw.http.get("/login", "Accept", "text/html").setCookie(Csrf.COOKIE).orElseThrow();
    assertThat(c.name()).startsWith("__Host-");
    assertThat(c.value()).hasSizeGreaterThanOrEqualTo(32);
    assertThat(c.has("Secure")).isTrue();
    assertThat(c.has("HttpOnly")).isTrue();
    assertThat(c.attribute("SameSite")).isEqualToIgnoringCase("Strict");
    assertThat(c.attribute("Path")).isEqualTo("/");
    assertThat(c.has("Domain")).isFalse();
  }

  @Test
  void formLoginWithoutValidCsrfProofIsRefusedAndSetsNoSessionCookie() {
    String csrf = gw.csrfToken();
    String other = gw.csrfToken();
    String cookie = Csrf.COOKIE + "=" + csrf;
    Map<String, Reply> refused = new LinkedHashMap<>();
    refused.put("no token", post(fields(null), "Cookie", cookie, "Origin", gw.http.origin()));
    refused.put("wrong token", post(fields(other), "Cookie", cookie, "Origin", gw.http.origin()));
    refused.put("no cookie", post(fields(csrf), "Origin", gw.http.origin()));
    refused.put("foreign origin", post(fields(csrf), "Cookie", cookie, "Origin", "https://evil.example"));
    refused.put("cross-site fetch", post(fields(csrf), "Cookie", cookie, "Sec-Fetch-Site", "cross-site"));
    refused.forEach((why, r) -> {
      assertThat(r.status()).as(why).isEqualTo(403);
      assertThat(r.setCookie(SessionCookies.ACCESS)).as(why).isEmpty();
      assertThat(r.setCookie(SessionCookies.REFRESH)).as(why).isEmpty();
    });
    // The same post with the proof logs in: the refusals above were about CSRF alone.
    Reply accepted = post(fields(csrf), "Cookie", cookie, "Origin", gw.http.origin());
    assertThat(accepted.status()).isEqualTo(303);
    assertThat(accepted.setCookie(SessionCookies.ACCESS)).isPresent();
  }

  private static Map<String, String> fields(String csrf) {
    Map<String, String> f = new LinkedHashMap<>();
    if (csrf != null) {
      f.put(Csrf.FIELD, csrf);
    }
    f.put("username", USER);
    f.put("password", PASSWORD);
    f.put("next", "/");
    return f;
  }

  private static Reply post(Map<String, String> fields, String... headers) {
    return gw.http.postForm("/login", fields, headers);
  }

  @Test
  void logoutFromAForeignOriginIsRefusedAndTheSessionLivesOn() {
    Reply login = loggedIn();
    String cookies = E2eGateway.sessionCookies(login);
    Reply logout = gw.http.postForm("/logout", Map.of(), "Cookie", cookies, "Origin", "https://evil.example",
        "Accept", "text/html");
    assertThat(logout.status()).isEqualTo(403);
    assertThat(logout.headers().getAll("Set-Cookie")).isEmpty();
    assertThat(gw.http.get("/api/me", "Cookie", cookies).status()).isEqualTo(200);
  }

  /**
   * A browser shows whatever body comes back: a sign-out refused for coming from another site must be a
   * page that says so, as the login form's own CSRF refusal is, not raw JSON. Apps still get JSON.
   */
  @Test
  void logoutRefusedForAForeignOriginShowsABrowserAPageAndAnAppJson() {
    String cookies = E2eGateway.sessionCookies(loggedIn());
    Reply browser = gw.http.postForm("/logout", Map.of(), "Cookie", cookies, "Origin", "https://evil.example",
        "Accept", "text/html,application/xhtml+xml");
    assertThat(browser.status()).isEqualTo(403);
    assertThat(browser.header("Content-Type")).startsWith("text/html");
    assertThat(browser.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
    assertThat(browser.header("Cache-Control")).isEqualTo("no-store");
    assertThat(browser.body()).contains("role=\"alert\"").contains("still signed in");
    assertThat(browser.headers().getAll("Set-Cookie")).isEmpty();

    Reply app = gw.http.postForm("/logout", Map.of(), "Cookie", cookies, "Origin", "https://evil.example",
        "Accept", "application/json");
    assertThat(app.status()).isEqualTo(403);
    assertThat(app.json().getString("error")).isEqualTo("forbidden");
    assertThat(gw.http.get("/api/me", "Cookie", cookies).status()).isEqualTo(200);
  }

  /**
   * 'unsafe-inline' in style-src lets any markup that slips into a page restyle it (hide the real form,
   * overlay another): the pages' own style block is allowed by its hash, and they carry no style attribute.
   */
  @Test
  void loginAndPasswordPagesAllowTheirOwnStyleBlockButNoInlineStyle() {
    Reply page = gw.http.get("/login?login=%22x", "Accept", "text/html");
    Reply failed = gw.formLogin(gw.csrfToken(), USER, "not-" + PASSWORD, "/");
    Reply changeForm = gw.http.get("/password", "Accept", "text/html", "Cookie", E2eGateway.sessionCookies(loggedIn()));
    assertThat(changeForm.status()).isEqualTo(200);
    for (Reply r : List.of(page, failed, changeForm)) {
      assertThat(r.header("Content-Security-Policy")).as(r.body())
          .contains("style-src 'sha256-").doesNotContain("unsafe-inline");
      assertThat(r.body()).doesNotContain(" style=\"").contains("<style>");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"//evil.example", "https://evil.example", "/\\evil.example", "/%2F%2Fevil.example",
      "%2F%2Fevil.example", "/%5Cevil.example", "/%252F%252Fevil.example", "/\t/evil.example", "javascript:alert(1)"})
  void nextPointingAwayFromTheSiteSendsHomeAfterLogin(String next) {
    Reply login = gw.formLogin(gw.csrfToken(), USER, PASSWORD, next);
    assertThat(login.status()).isEqualTo(303);
    assertThat(login.header("Location")).isEqualTo("/");
    // Nor does the login page carry it into its form, nor use it for a user already signed in.
    String query = "/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8);
    assertThat(E2eGateway.hiddenField(gw.http.get(query, "Accept", "text/html").body(), "next")).isEqualTo("/");
    Reply signedIn = gw.http.get(query, "Accept", "text/html", "Cookie", E2eGateway.sessionCookies(login));
    assertThat(signedIn.header("Location")).isEqualTo("/");
  }

  /**
   * A Location header is ASCII: a letter beyond it went out as "?" (Netty writes what does not fit a byte
   * as '?'), so the user landed on another page ("/projects/?..." is the projects page with a query).
   */
  @Test
  void nextWithLettersBeyondAsciiComesBackPercentEncoded() {
    Reply login = gw.formLogin(gw.csrfToken(), USER, PASSWORD, "/projects/\u0141\u00f3d\u017a?week=3");
    assertThat(login.status()).isEqualTo(303);
    assertThat(login.header("Location")).isEqualTo("/projects/%C5%81%C3%B3d%C5%BA?week=3");
  }

  @Test
  void nextOnThisSiteIsKeptWithItsQuery() {
    Reply login = gw.formLogin(gw.csrfToken(), USER, PASSWORD, "/api/timesheets?week=3");
    assertThat(login.status()).isEqualTo(303);
    assertThat(login.header("Location")).isEqualTo("/api/timesheets?week=3");
  }

  @Test
  void browserWithOnlyARefreshCookieIsRefreshedTransparently() {
    Reply login = loggedIn();
    String refresh = login.setCookie(SessionCookies.REFRESH).orElseThrow().value();
    // As after the access cookie's Max-Age ran out: the browser sends the refresh cookie alone.
    Reply me = gw.http.get("/api/me", "Accept", "text/html", "Cookie", SessionCookies.REFRESH + "=" + refresh);
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.json().getString("user")).isEqualTo(USER);
    SetCookie newAccess = me.setCookie(SessionCookies.ACCESS).orElseThrow(() -> new AssertionError("no new access cookie"));
    SetCookie newRefresh = me.setCookie(SessionCookies.REFRESH).orElseThrow(() -> new AssertionError("no new refresh cookie"));
    assertThat(newRefresh.value()).isNotEqualTo(refresh);
    assertThat(newAccess.has("HttpOnly") && newAccess.has("Secure")).isTrue();
    Reply next = gw.http.get("/api/me", "Cookie", SessionCookies.ACCESS + "=" + newAccess.value());
    assertThat(next.status()).isEqualTo(200);
    assertThat(next.headers().getAll("Set-Cookie")).as("a valid access cookie needs no refresh").isEmpty();
  }

  @Test
  void parallelRequestsOfAPageShareOneTransparentRefreshWithoutTheftAlarm() {
    String refresh = loggedIn().setCookie(SessionCookies.REFRESH).orElseThrow().value();
    List<Reply> page = gw.http.await(() -> {
      List<Future<Reply>> parallel = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        parallel.add(gw.http.sendAsync(HttpMethod.GET, "/api/me", GatewayClient.headers(
            "Accept", "text/html", "Cookie", SessionCookies.REFRESH + "=" + refresh), null));
      }
      return Future.all(parallel).map(all -> parallel.stream().map(Future::result).toList());
    });
    assertThat(page).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    List<String> newRefresh = page.stream().map(r -> r.setCookie(SessionCookies.REFRESH).orElseThrow().value()).distinct().toList();
    assertThat(newRefresh).as("one exchange for the whole page").hasSize(1);
    Reply later = gw.http.get("/api/me", "Cookie", SessionCookies.REFRESH + "=" + newRefresh.get(0));
    assertThat(later.status()).as("the session was not ended as stolen").isEqualTo(200);
  }

  @Test
  void transparentRefreshKeepsTheRequestBody() {
    String refresh = loggedIn().setCookie(SessionCookies.REFRESH).orElseThrow().value();
    // Larger than a TLS record and Vert.x's first read, so the body arrives while the refresh runs.
    String body = "{\"rows\":\"" + "x".repeat(256 * 1024) + "\"}";
    Reply echoed = gw.http.send(HttpMethod.POST, "/api/timesheets", GatewayClient.headers(
        "Content-Type", "application/json", "Cookie", SessionCookies.REFRESH + "=" + refresh), body);
    assertThat(echoed.status()).isEqualTo(200);
    assertThat(echoed.setCookie(SessionCookies.ACCESS)).isPresent();
    assertThat(echoed.body()).isEqualTo(body);
  }

  @Test
  void http2BrowserSendingEachCookieInItsOwnFieldStaysSignedIn() {
    Reply login = loggedIn();
    String access = login.setCookie(SessionCookies.ACCESS).orElseThrow().value();
    try (GatewayClient h2 = new GatewayClient(vertx, gw.gateway, gw.certFile, HttpVersion.HTTP_2)) {
      // HTTP/2 lets a browser send each cookie as a field of its own (RFC 9113 8.2.3; Firefox does),
      // and the session cookie need not be the first of them.
      Reply me = h2.send(HttpMethod.GET, "/api/me", GatewayClient.headers("Accept", "text/html",
          "Cookie", "theme=dark", "Cookie", SessionCookies.ACCESS + "=" + access), null);
      assertThat(me.version()).isEqualTo(HttpVersion.HTTP_2);
      assertThat(me.status()).isEqualTo(200);
      assertThat(me.json().getString("user")).isEqualTo(USER);

      Reply page = h2.send(HttpMethod.GET, "/login", GatewayClient.headers("Accept", "text/html", "Cookie", "theme=dark"), null);
      String csrf = E2eGateway.hiddenField(page.body(), Csrf.FIELD);
      Reply form = h2.send(HttpMethod.POST, "/login", GatewayClient.headers(
          "Content-Type", "application/x-www-form-urlencoded", "Origin", h2.origin(), "Accept", "text/html",
          "Cookie", "theme=dark", "Cookie", Csrf.COOKIE + "=" + csrf), GatewayClient.form(fields(csrf)));
      assertThat(form.status()).as(form.body()).isEqualTo(303);
    }
  }

  @Test
  void refreshRotatesAndReusingAnOldRefreshTokenEndsTheWholeSession() {
    var first = gw.tokenLogin(USER, PASSWORD).json();
    Reply rotated = refresh(first.getString("refresh_token"));
    assertThat(rotated.status()).isEqualTo(200);
    var second = rotated.json();
    assertThat(second.getString("refresh_token")).isNotEqualTo(first.getString("refresh_token"));
    assertThat(bearerGet(second.getString("access_token")).status()).isEqualTo(200);

    Reply reused = refresh(first.getString("refresh_token"));
    assertThat(reused.status()).isEqualTo(401);
    assertThat(reused.json().getString("error")).isEqualTo("invalid_grant");
    // Reuse is taken as theft: the thief's and the owner's newer tokens die with the family.
    assertThat(refresh(second.getString("refresh_token")).status()).isEqualTo(401);
    refusedWithin(Duration.ofSeconds(2), second.getString("access_token"));
  }

  @Test
  void bearerLogoutRefusesTheAccessTokenAtOnce() {
    var tokens = gw.tokenLogin(USER, PASSWORD).json();
    String access = tokens.getString("access_token");
    assertThat(bearerGet(access).status()).isEqualTo(200);
    Reply logout = gw.http.postJson("/logout", new JsonObject(), "Authorization", "Bearer " + access);
    assertThat(logout.status()).isEqualTo(204);
    refusedWithin(Duration.ofSeconds(2), access);
    assertThat(refresh(tokens.getString("refresh_token")).status()).isEqualTo(401);
  }

  /**
   * A bearer logout that ends nothing must not say it did: with a token the gateway refuses (run out, or not
   * its signature) the answer was 204, and the app dropped a refresh token that stayed good. It is now 401,
   * naming the way out (/auth/revoke with the refresh token). A token whose session has ended already gets
   * the 204 again: there is nothing left to end.
   */
  @Test
  void aBearerLogoutWithARefusedTokenSaysSoAndTheSessionLivesOn() {
    var tokens = gw.tokenLogin(USER, PASSWORD).json();
    String access = tokens.getString("access_token");
    String forged = access.substring(0, access.length() - 4) + (access.endsWith("AAAA") ? "BBBB" : "AAAA");
    Reply refused = gw.http.postJson("/logout", new JsonObject(), "Authorization", "Bearer " + forged);
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.header("WWW-Authenticate")).contains("invalid_token");
    assertThat(refused.json().getString("message")).contains("/auth/revoke");
    assertThat(bearerGet(access).status()).as("the session was not ended").isEqualTo(200);

    assertThat(gw.http.postJson("/logout", new JsonObject(), "Authorization", "Bearer " + access).status())
        .isEqualTo(204);
    refusedWithin(Duration.ofSeconds(2), access);
    assertThat(gw.http.postJson("/logout", new JsonObject(), "Authorization", "Bearer " + access).status())
        .as("logging out of an ended session again").isEqualTo(204);
  }

  /**
   * A bearer token naming no key of ours (signed with a key since retired, or not a token of ours at all) is still
   * an app's attempt to sign out: it gets the documented 401 {@code invalid_token} pointing to /auth/revoke, not the
   * browser's 403 "sign out from the site's own pages", which tells an app nothing it can act on.
   */
  @Test
  void aBearerLogoutWithATokenOfNoKnownKeyGetsInvalidTokenNotTheBrowsersForbidden() {
    var tokens = gw.tokenLogin(USER, PASSWORD).json();
    String access = tokens.getString("access_token");
    String retiredKey = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        "{\"alg\":\"ES256\",\"kid\":\"retired-2025\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
        + access.substring(access.indexOf('.'));
    for (String token : List.of(retiredKey, "not-a-jwt")) {
      Reply refused = gw.http.postJson("/logout", new JsonObject(), "Authorization", "Bearer " + token);
      assertThat(refused.status()).as(token).isEqualTo(401);
      assertThat(refused.header("WWW-Authenticate")).contains("invalid_token");
      assertThat(refused.json().getString("message")).contains("/auth/revoke");
    }
    assertThat(bearerGet(access).status()).as("the session was not ended").isEqualTo(200);
  }

  @Test
  void revokeEndsTheBearersSessionAndItsRefreshToken() {
    var tokens = gw.tokenLogin(USER, PASSWORD).json();
    String access = tokens.getString("access_token");
    Reply revoke = gw.http.postJson("/auth/revoke", new JsonObject(), "Authorization", "Bearer " + access);
    assertThat(revoke.status()).isEqualTo(200);
    refusedWithin(Duration.ofSeconds(2), access);
    assertThat(refresh(tokens.getString("refresh_token")).status()).isEqualTo(401);
    // A cookie session cannot be revoked this way: a cross-site form could otherwise do it.
    Reply withCookie = gw.http.postJson("/auth/revoke", new JsonObject(), "Cookie", E2eGateway.sessionCookies(loggedIn()));
    assertThat(withCookie.status()).isEqualTo(401);
  }

  /**
   * Revoking is idempotent (RFC 7009 2.2, and /logout answers an ended session's token 204 again): an app that
   * retries a revocation whose answer it lost, with the same access token, was told 401 "needs its access token",
   * as if nothing had been ended. A bearer token that is refused (forged, run out) is named as such in
   * WWW-Authenticate (RFC 6750 3.1: error="invalid_token"), which the 401 left out.
   */
  @Test
  void aRevokeRepeatedWithTheEndedSessionsAccessTokenIsAnsweredAsTheFirstAndARefusedOneSaysInvalidToken() {
    var tokens = gw.tokenLogin(USER, PASSWORD).json();
    String access = tokens.getString("access_token");
    assertThat(gw.http.postJson("/auth/revoke", new JsonObject(), "Authorization", "Bearer " + access).status())
        .isEqualTo(200);
    Reply again = gw.http.postJson("/auth/revoke", new JsonObject(), "Authorization", "Bearer " + access);
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    assertThat(again.body()).isEqualTo("{}");

    String other = gw.tokenLogin(USER, PASSWORD).json().getString("access_token");
    String forged = other.substring(0, other.length() - 4) + (other.endsWith("AAAA") ? "BBBB" : "AAAA");
    Reply refused = gw.http.postJson("/auth/revoke", new JsonObject(), "Authorization", "Bearer " + forged);
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"gateway\", error=\"invalid_token\"");
    assertThat(refused.json().getString("message")).contains("refresh_token");
    Reply none = gw.http.postJson("/auth/revoke", new JsonObject());
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.header("WWW-Authenticate")).as("no token, no error code (RFC 6750 3.1)").isEqualTo("Bearer realm=\"gateway\"");
    assertThat(bearerGet(other).status()).as("the forged token ended nothing").isEqualTo(200);
  }

  /**
   * A request that carries an access token of ours as a bearer token is an app's, whatever it accepts: browsers send
   * cookies, never such a header. Refused, it gets RFC 6750's 401 with error="invalid_token", which tells the app to
   * refresh; a GET accepting HTML (a WebView, an HTML fragment an app loads) was redirected to the login page
   * instead, a 302 the app follows to a form it cannot use, never learning its token was the problem.
   */
  @Test
  void anAppsRefusedBearerTokenGetsInvalidTokenNotTheLoginPageWhenItAcceptsHtml() {
    String access = gw.tokenLogin(USER, PASSWORD).json().getString("access_token");
    String forged = access.substring(0, access.length() - 4) + (access.endsWith("AAAA") ? "BBBB" : "AAAA");
    Reply refused = gw.http.get("/timesheets", "Authorization", "Bearer " + forged, "Accept", "text/html,*/*;q=0.8");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"gateway\", error=\"invalid_token\"");

    gw.http.postJson("/logout", new JsonObject(), "Authorization", "Bearer " + access);
    Reply ended = gw.http.get("/timesheets", "Authorization", "Bearer " + access, "Accept", "text/html");
    assertThat(ended.status()).as("an ended session's token").isEqualTo(401);
    assertThat(ended.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
    // A browser's page load without a session still goes to the login page.
    Reply browser = gw.http.get("/timesheets", "Accept", "text/html");
    assertThat(browser.status()).isEqualTo(302);
    assertThat(browser.header("Location")).startsWith("/login?next=");
  }

  /**
   * RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request without a Host and to any with two, also when
   * public.allowed-hosts is empty (as here) and any host is served; before, both were relayed. HTTP/1.0 may
   * leave the Host out.
   */
  @Test
  void anHttp11RequestWithoutAHostOrWithTwoIsRefusedWhateverHostsAreServed() throws Exception {
    String access = gw.tokenLogin(USER, PASSWORD).json().getString("access_token");
    String rest = "Authorization: Bearer " + access + "\r\nAccept: application/json\r\nConnection: close\r\n\r\n";
    for (String head : List.of("GET /api/me HTTP/1.1\r\n", "GET /api/me HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n",
        "GET /api/%6De HTTP/1.1\r\n", "GET /api/me HTTP/1.0\r\nHost: a.test\r\nHost: b.test\r\n")) {
      String answer = RawTls.exchange("127.0.0.1", gw.gateway.publicPort(), head + rest);
      assertThat(RawTls.statuses(answer.replace("HTTP/1.0 ", "HTTP/1.1 "))).as(head).containsExactly(400);
      assertThat(answer).as(head).contains("Send one Host header naming this site.");
    }
    String http10 = RawTls.exchange("127.0.0.1", gw.gateway.publicPort(), "GET /api/me HTTP/1.0\r\n" + rest);
    assertThat(http10).startsWith("HTTP/1.0 200 ");
  }

  /**
   * Authorization is a singleton field (RFC 9110 11.6.2): a token of ours among two such headers is a malformed
   * request, RFC 6750 3.1's invalid_request (400), on the proxied paths and the gateway's own (/logout,
   * /auth/revoke, /password). Before, it was 401 invalid_token, which tells the app to refresh a token that is fine.
   * The scheme is case-insensitive (RFC 9110 11.1) and one or more spaces may follow it (RFC 6750 2.1, 1*SP).
   */
  @Test
  void aTokenOfOursAmongTwoAuthorizationHeadersIsAMalformedRequestNotAnInvalidToken() {
    String access = gw.tokenLogin(USER, PASSWORD).json().getString("access_token");
    String[][] requests = {{"GET", "/api/me"}, {"POST", "/logout"}, {"POST", "/auth/revoke"}, {"POST", "/password"}};
    for (String[] r : requests) {
      io.vertx.core.MultiMap headers = GatewayClient.headers("Authorization", "Bearer " + access,
          "Authorization", "Basic YWxpY2U6c2VjcmV0", "Accept", "text/html", "Content-Type", "application/json");
      Reply two = gw.http.send(HttpMethod.valueOf(r[0]), r[1], headers, r[0].equals("POST") ? "{}" : null);
      assertThat(two.status()).as(r[0] + " " + r[1] + ": " + two.body()).isEqualTo(400);
      assertThat(two.header("WWW-Authenticate")).as(r[1])
          .isEqualTo("Bearer realm=\"gateway\", error=\"invalid_request\"");
      assertThat(two.json().getString("error")).as(r[1]).isEqualTo("invalid_request");
    }
    // Nothing was ended by the refused logout and revocation; a lower-case scheme and extra spaces are fine.
    assertThat(gw.http.get("/api/me", "Authorization", "bearer   " + access).status()).isEqualTo(200);
    assertThat(gw.http.get("/api/me", "Authorization", "BEARER " + access).status()).isEqualTo(200);
  }

  /**
   * An app whose access token has run out signs out with its refresh token (RFC 7009): the session ends on every
   * path. Before, /auth/revoke needed a live access token and /logout with an expired one answered 204 while the
   * refresh token stayed good for the idle timeout. An unknown token gets the same answer (nothing to tell).
   */
  @Test
  void anAppRevokesItsSessionWithTheRefreshTokenAlone() {
    var tokens = gw.tokenLogin(USER, PASSWORD).json();
    String access = tokens.getString("access_token");
    String refreshToken = tokens.getString("refresh_token");
    Reply revoke = gw.http.postJson("/auth/revoke", new JsonObject().put("refresh_token", refreshToken));
    assertThat(revoke.status()).isEqualTo(200);
    assertThat(refresh(refreshToken).status()).isEqualTo(401);
    refusedWithin(Duration.ofSeconds(2), access);

    Reply unknown = gw.http.postJson("/auth/revoke", new JsonObject().put("refresh_token", "not-a-token"));
    assertThat(unknown.status()).isEqualTo(200);
    Reply notAString = gw.http.postJson("/auth/revoke", new JsonObject().put("refresh_token", 42));
    assertThat(notAString.status()).isEqualTo(400);
  }

  /**
   * RFC 7009 answers 200 for an invalid token ("the client cannot handle such an error in a reasonable way"), and
   * /auth/revoke says so for unknown ones; an empty or over-long string is as invalid a token as any other, not a
   * malformed request. Only a refresh_token that is not a string at all is one (400, above). Nothing is revoked.
   */
  @Test
  void aRevokeWithAnEmptyOrOverlongRefreshTokenIsAnsweredAsAnyInvalidToken() {
    var tokens = gw.tokenLogin(USER, PASSWORD).json();
    for (String garbage : List.of("", "x".repeat(600))) {
      Reply revoke = gw.http.postJson("/auth/revoke", new JsonObject().put("refresh_token", garbage));
      assertThat(revoke.status()).as("%d characters", garbage.length()).isEqualTo(200);
      assertThat(revoke.body()).isEqualTo("{}");
    }
    assertThat(refresh(tokens.getString("refresh_token")).status()).as("nothing else was revoked").isEqualTo(200);
  }

  /**
   * A refresh token already exchanged still names its session: revoking with it ends the session (its successor is
   * refused), as presenting it to /auth/refresh would (reuse). Pinned, as an old token is a leftover an app may hold.
   */
  @Test
  void aRevokeWithAnAlreadyRotatedRefreshTokenEndsItsSession() {
    var tokens = gw.tokenLogin(USER, PASSWORD).json();
    Reply rotated = refresh(tokens.getString("refresh_token"));
    assertThat(rotated.status()).isEqualTo(200);
    Reply revoke = gw.http.postJson("/auth/revoke", new JsonObject().put("refresh_token", tokens.getString("refresh_token")));
    assertThat(revoke.status()).isEqualTo(200);
    assertThat(refresh(rotated.json().getString("refresh_token")).status()).isEqualTo(401);
  }

  @Test
  void loginNameIsMatchedWithoutRegardToCaseAndTheBackendSeesTheStoredName() {
    String access = gw.accessToken(USER.toUpperCase(java.util.Locale.ROOT), PASSWORD);
    assertThat(bearerGet(access).json().getString("user")).isEqualTo(USER);
  }

  @Test
  void cookieLogoutClearsTheCookiesAndEndsTheSession() {
    Reply login = loggedIn();
    String access = login.setCookie(SessionCookies.ACCESS).orElseThrow().value();
    String refresh = login.setCookie(SessionCookies.REFRESH).orElseThrow().value();
    Reply logout = gw.http.postForm("/logout", Map.of(), "Cookie", E2eGateway.sessionCookies(login),
        "Origin", gw.http.origin(), "Accept", "text/html");
    assertThat(logout.status()).isEqualTo(303);
    assertThat(logout.header("Location")).isEqualTo("/login?logged_out=1");
    for (String name : List.of(SessionCookies.ACCESS, SessionCookies.REFRESH)) {
      SetCookie cleared = logout.setCookie(name).orElseThrow();
      assertThat(cleared.value()).isEmpty();
      assertThat(cleared.attribute("Max-Age")).isEqualTo("0");
    }
    gw.http.await(() -> gw.http.until(Duration.ofSeconds(2), () -> gw.http.sendAsync(HttpMethod.GET,
        "/api/me", GatewayClient.headers("Cookie", SessionCookies.ACCESS + "=" + access), null).map(r -> r.status() == 401)));
    // Nor does the old refresh cookie bring the session back.
    Reply revived = gw.http.get("/api/me", "Cookie", GatewayClient.cookies(SessionCookies.ACCESS, access,
        SessionCookies.REFRESH, refresh));
    assertThat(revived.status()).isEqualTo(401);
    assertThat(gw.http.get("/api/me", "Cookie", SessionCookies.REFRESH + "=" + refresh).status()).isEqualTo(401);
  }

  /**
   * A browser signed in as one user that signs in as another (a shared computer, a second account) replaces the
   * session cookies; the replaced session must end with them. It lived on in the database, refreshable for the
   * idle timeout (and by every rotation up to the absolute one) by anyone who had copied its refresh cookie.
   */
  @Test
  void aFormLoginOverASignedInSessionEndsTheSessionItReplaces() {
    Reply first = loggedIn();
    String firstCookies = E2eGateway.sessionCookies(first);
    String firstAccess = first.setCookie(SessionCookies.ACCESS).orElseThrow().value();
    String firstRefresh = first.setCookie(SessionCookies.REFRESH).orElseThrow().value();
    String csrf = gw.csrfToken();
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(Csrf.FIELD, csrf);
    fields.put("next", "/");
    fields.put("username", OTHER_USER);
    fields.put("password", OTHER_PASSWORD);
    Reply second = gw.http.postForm("/login", fields, "Cookie", firstCookies + "; " + Csrf.COOKIE + "=" + csrf,
        "Origin", gw.http.origin(), "Accept", "text/html");
    assertThat(second.status()).as(second.body()).isEqualTo(303);
    Reply me = gw.http.get("/api/me", "Cookie", E2eGateway.sessionCookies(second));
    assertThat(me.json().getString("user")).isEqualTo(OTHER_USER);

    assertThat(refresh(firstRefresh).status()).as("the replaced session's refresh token").isEqualTo(401);
    assertThat(gw.http.get("/api/me", "Cookie", SessionCookies.REFRESH + "=" + firstRefresh).status()).isEqualTo(401);
    assertThat(gw.http.get("/api/me", "Cookie", SessionCookies.ACCESS + "=" + firstAccess).status())
        .as("the replaced session's access token").isEqualTo(401);
  }

  private static Reply refresh(String token) {
    return gw.http.postJson("/auth/refresh", new JsonObject().put("refresh_token", token));
  }

  private static Reply bearerGet(String access) {
    return gw.http.get("/api/me", "Authorization", "Bearer " + access);
  }

  /** Polls until the access token is refused; bounded, so "at once" means within {@code bound}. */
  private static void refusedWithin(Duration bound, String access) {
    gw.http.await(() -> gw.http.until(bound, () -> gw.http.sendAsync(HttpMethod.GET, "/api/me",
        GatewayClient.headers("Authorization", "Bearer " + access), null).map(r -> r.status() == 401)));
  }
}
