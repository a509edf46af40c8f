package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.GatewayClient.Reply;
import com.timereg.gateway.login.Csrf;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.Map;
import java.util.LinkedHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gateway's own paths answer the methods they do not take with 405 and Allow. Before, a signed-in user's
 * {@code PUT /password}, {@code GET /password/check} or {@code GET /logout} passed the authentication gate and reached
 * the backend with the user's identity, where a view of that path might act on it (a GET /logout there signs the
 * user out of the backend alone while the gateway's session lives on).
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class OwnPathsMethodsEndToEndTest {
  static final String USER = "owen@e2e.test";
  static final String PASSWORD = "Owen-timesheets-2026";

  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;
  static String bearer;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    gw = E2eGateway.start(dir, db, vertx, 0, Map.of());
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
    bearer = gw.accessToken(USER, PASSWORD);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw);
  }

  @ParameterizedTest
  @CsvSource({"PUT,/password,'GET, HEAD, POST'", "DELETE,/password,'GET, HEAD, POST'", "PATCH,/password,'GET, HEAD, POST'",
      "GET,/password/check,POST", "PUT,/password/check,POST", "POST,/password/changed,'GET, HEAD'",
      "PUT,/login,'GET, HEAD, POST'", "DELETE,/login,'GET, HEAD, POST'", "GET,/auth/token,POST", "GET,/auth/refresh,POST",
      "GET,/logout,POST", "PUT,/logout,POST", "GET,/auth/revoke,POST"})
  void aMethodTheGatewaysOwnPathDoesNotTakeIs405NotTheBackends(String method, String path, String allow) {
    Reply r = gw.http.send(HttpMethod.valueOf(method), path,
        MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + bearer).add("Accept", "application/json"),
        method.equals("GET") ? null : "{}");
    assertThat(r.status()).as(method + " " + path + ": " + r.body()).isEqualTo(405);
    assertThat(r.header("Allow")).isEqualTo(allow);
    assertThat(r.body()).contains("method_not_allowed").doesNotContain("X-Authenticated-User");
  }

  @ParameterizedTest
  @CsvSource({"/password", "/password/changed", "/login"})
  void headIsAnsweredAsGetIs(String path) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + bearer);
    Reply get = gw.http.send(HttpMethod.GET, path, headers, null);
    Reply head = gw.http.send(HttpMethod.HEAD, path, headers, null);
    assertThat(head.status()).as(path).isEqualTo(get.status()).isNotEqualTo(405);
    assertThat(head.body()).isEmpty();
  }
  /**
   * A browser sent to GET /logout (a site's "Sign out" link, a bookmark) got the JSON 405, a dead end that left its
   * user signed in without saying how to sign out. It gets a page with the button that signs out (a link must not:
   * any site could link it), and that button works.
   */
  @Test
  void aBrowserOpeningTheSignOutAddressGetsTheButtonThatSignsOut() {
    String csrf = gw.csrfToken();
    Reply login = gw.formLogin(csrf, USER, PASSWORD, "/");
    assertThat(login.status()).isEqualTo(303);
    String session = E2eGateway.sessionCookies(login);
    String cookies = session + "; " + Csrf.COOKIE + "=" + csrf;

    Reply page = gw.http.get("/logout", "Accept", "text/html,application/xhtml+xml", "Cookie", cookies);
    assertThat(page.status()).isEqualTo(405);
    assertThat(page.header("Allow")).isEqualTo("POST");
    assertThat(page.header("Content-Type")).startsWith("text/html");
    assertThat(page.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
    assertThat(page.body()).contains("<form method=\"post\" action=\"/logout\">");
    assertThat(gw.http.get("/api/me", "Accept", "text/html", "Cookie", session).status())
        .as("opening the page signs nobody out").isEqualTo(200);

    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(Csrf.FIELD, E2eGateway.hiddenField(page.body(), Csrf.FIELD));
    Reply out = gw.http.postForm("/logout", fields, "Cookie", cookies, "Origin", gw.http.origin(), "Accept", "text/html");
    assertThat(out.status()).isEqualTo(303);
    assertThat(out.header("Location")).isEqualTo("/login?logged_out=1");
    assertThat(gw.http.get("/api/me", "Accept", "text/html", "Cookie", session).status())
        .as("the session the button ended").isNotEqualTo(200);
  }

  /** A browser that opens an address of the forms and apps gets a page with the way back, not raw JSON. */
  @ParameterizedTest
  @CsvSource({"/auth/token", "/auth/refresh", "/auth/revoke", "/password/check"})
  void aBrowserOpeningAnAppAddressGetsAPageNotJson(String path) {
    Reply r = gw.http.get(path, "Accept", "text/html,application/xhtml+xml");
    assertThat(r.status()).isEqualTo(405);
    assertThat(r.header("Allow")).isEqualTo("POST");
    assertThat(r.header("Content-Type")).startsWith("text/html");
    assertThat(r.body()).contains("<a class=\"button\" href=\"/\">Continue</a>").doesNotContain("method_not_allowed");
  }
}
