package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.edge.GatewayClient.Reply;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The headers of the gateway's own pages beyond no-store, the CSP and no framing: their addresses carry what they
 * were opened with ({@code /login?next=...&login=...}), which went, without a Referrer-Policy, wherever the
 * browser's default sends it; and they said nothing against content sniffing.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class GatewayPagesHeadersEndToEndTest {
  static final String USER = "rhea@e2e.test";
  static final String PASSWORD = "Rhea-timesheets-2026";

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
  void theLoginAndPasswordPagesKeepTheirAddressesToThisSite() {
    Reply login = gw.http.get("/login?next=%2Fprojects%2Facme&login=rhea", "Accept", "text/html");
    Reply refused = gw.formLogin(gw.csrfToken(), USER, "not-" + PASSWORD, "/");
    String cookies = E2eGateway.sessionCookies(gw.formLogin(gw.csrfToken(), USER, PASSWORD, "/"));
    Reply password = gw.http.get("/password", "Accept", "text/html", "Cookie", cookies);
    Reply changed = gw.http.get("/password/changed", "Accept", "text/html", "Cookie", cookies);
    for (Reply page : new Reply[] {login, refused, password, changed}) {
      assertThat(page.header("Content-Type")).startsWith("text/html");
      assertThat(page.header("Referrer-Policy")).as("%d %s", page.status(), page.body()).isEqualTo("same-origin");
      assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }
    assertThat(login.status()).isEqualTo(200);
    assertThat(refused.status()).isEqualTo(401);
    assertThat(password.status()).isEqualTo(200);
    assertThat(changed.status()).isEqualTo(200);
  }

  /**
   * The gateway's own JSON answers say nosniff too, as its pages, its 429 and its 502/504 do, and as every JSON
   * answer of the admin listener does: the authentication gate's 401, the entry's 400, the login routes' 400, 405
   * and token answers, the password routes' 401. They said nothing against content sniffing.
   */
  @Test
  void theGatewaysOwnJsonAnswersForbidContentSniffing() {
    Map<String, Reply> answers = new java.util.LinkedHashMap<>();
    answers.put("gate 401", gw.http.get("/api/me", "Accept", "application/json"));
    answers.put("entry 400", gw.http.get("/api/%zz"));
    answers.put("refresh 400", gw.http.postJson("/auth/refresh", new io.vertx.core.json.JsonObject()));
    answers.put("method 405", gw.http.get("/auth/token", "Accept", "application/json"));
    answers.put("password 401", gw.http.postJson("/password", new io.vertx.core.json.JsonObject()));
    answers.put("token 200", gw.tokenLogin(USER, PASSWORD));
    Map<String, Integer> statuses = Map.of("gate 401", 401, "entry 400", 400, "refresh 400", 400, "method 405", 405,
        "password 401", 401, "token 200", 200);
    answers.forEach((what, r) -> {
      assertThat(r.status()).as(what + ": " + r.body()).isEqualTo(statuses.get(what));
      assertThat(r.header("Content-Type")).as(what).startsWith("application/json");
      assertThat(r.header("X-Content-Type-Options")).as(what).isEqualTo("nosniff");
    });
  }
}
