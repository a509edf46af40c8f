package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.GatewayClient.Reply;
import com.timereg.gateway.login.Csrf;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.session.SessionCookies;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.CapturedLogs;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changing a password while PostgreSQL is down: like the other gateway routes, a 503 that says when to
 * come back (Retry-After), and neither password nor any token of the session in the log.
 */
@ExtendWith(PostgresExtension.class)
class PasswordChangeOutageEndToEndTest {
  static final String USER = "grace@e2e.test";
  static final String PASSWORD = "Grace-timesheets-2026";
  static final String NEW_PASSWORD = "Quiet-harbour-lanterns-7319";

  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    gw = E2eGateway.start(dir, db, vertx, 0, Map.of());
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw);
  }

  @Test
  void passwordChangeAndCheckAnswer503WithRetryAfterWhileTheDatabaseIsDownAndLogNoSecret(TestDatabase db)
      throws Exception {
    Assumptions.assumeTrue(db.canRestartServer(), "needs a local PostgreSQL the test may stop");
    JsonObject tokens = gw.tokenLogin(USER, PASSWORD).json();
    String access = tokens.getString("access_token");
    String refresh = tokens.getString("refresh_token");
    String csrf = gw.csrfToken();
    Reply browser = gw.formLogin(csrf, USER, PASSWORD, "/");
    assertThat(browser.status()).isEqualTo(303);
    String cookies = E2eGateway.sessionCookies(browser) + "; " + Csrf.COOKIE + "=" + csrf;

    CapturedLogs logs = CapturedLogs.atDebug();
    List<Reply> replies = new ArrayList<>();
    db.stopServer();
    try {
      Reply api = gw.http.postJson("/password", new JsonObject().put("current_password", PASSWORD)
          .put("new_password", NEW_PASSWORD), "Authorization", "Bearer " + access);
      replies.add(api);
      assertThat(api.status()).as(api.body()).isEqualTo(503);
      assertThat(api.json().getString("error")).isEqualTo("temporarily_unavailable");
      assertThat(api.header("Retry-After")).as("Retry-After of the JSON change").isNotBlank();

      Reply check = gw.http.postJson("/password/check", new JsonObject().put("new_password", NEW_PASSWORD),
          "Authorization", "Bearer " + access);
      replies.add(check);
      assertThat(check.status()).as(check.body()).isEqualTo(503);
      assertThat(check.header("Retry-After")).as("Retry-After of the strength check").isNotBlank();

      Reply page = gw.http.get("/password", "Cookie", cookies, "Accept", "text/html");
      replies.add(page);
      assertThat(page.status()).as("the form without the customer's rules").isEqualTo(503);
      assertThat(page.header("Retry-After")).as("Retry-After of the page").isNotBlank();

      Map<String, String> fields = new LinkedHashMap<>();
      fields.put(Csrf.FIELD, csrf);
      fields.put("current_password", PASSWORD);
      fields.put("new_password", NEW_PASSWORD);
      fields.put("confirm_password", NEW_PASSWORD);
      Reply form = gw.http.postForm("/password", fields, "Cookie", cookies, "Origin", gw.http.origin(),
          "Accept", "text/html");
      replies.add(form);
      assertThat(form.status()).as(form.body()).isEqualTo(503);
      assertThat(form.header("Content-Type")).startsWith("text/html");
      assertThat(form.header("Retry-After")).as("Retry-After of the form").isNotBlank();
    } finally {
      try {
        db.startServer();
        gw.http.await(() -> gw.http.until(Duration.ofSeconds(20), () -> gw.http.sendAsync(HttpMethod.POST,
            "/auth/token", GatewayClient.headers("Content-Type", "application/json"),
            new JsonObject().put("username", USER).put("password", PASSWORD).encode()).map(r -> r.status() == 200)));
      } finally {
        logs.close();
      }
    }
    List<String> secrets = List.of(PASSWORD, NEW_PASSWORD, access, refresh, csrf,
        browser.setCookie(SessionCookies.ACCESS).orElseThrow().value(),
        browser.setCookie(SessionCookies.REFRESH).orElseThrow().value());
    for (String line : logs.lines()) {
      assertThat(secrets).noneMatch(line::contains);
    }
    for (Reply r : replies) {
      // The CSRF token is the form's own hidden field, so only the others are looked for in bodies.
      assertThat(secrets.stream().filter(s -> !s.equals(csrf))).noneMatch(r.body()::contains);
      assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }
  }
}
