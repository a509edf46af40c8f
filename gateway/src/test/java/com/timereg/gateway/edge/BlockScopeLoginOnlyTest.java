package com.timereg.gateway.edge;

import static com.timereg.gateway.edge.ThrottledGateway.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.SourceClient;
import com.timereg.gateway.testsupport.SourceClient.Reply;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code throttle.scope: login-only}: a blocked address may not log in; everything else goes on as usual. */
@ExtendWith(PostgresExtension.class)
class BlockScopeLoginOnlyTest {
  static final String USER = "lou@acme.test";

  @TempDir static Path dir;
  static ThrottledGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gw = ThrottledGateway.startWithUser(dir, db, USER, Map.of(
        "GATEWAY_THROTTLE__SCOPE", "login-only",
        "GATEWAY_THROTTLE__IP_FAILURE_LIMIT", "3"));
  }

  @AfterAll
  static void stop() {
    ThrottledGateway.closeIfStarted(gw);
  }

  @Test
  void blockedAddressMayNotLogInButEverythingElseAnswersAsUsual() {
    try (SourceClient office = gw.from("127.0.15.20")) {
      Reply app = office.token(USER, PASSWORD);
      assertThat(app.status()).isEqualTo(200);

      office.failUntilBlocked(20, Map.of());

      assertThat(office.token(USER, PASSWORD).status()).isEqualTo(429);
      assertThat(office.get("/login", Map.of("Accept", "text/html")).status()).isEqualTo(429);

      assertThat(office.getWithToken("/api/me", app.json().getString("access_token")).status()).isEqualTo(200);
      assertThat(office.refresh(app.json().getString("refresh_token")).status()).isEqualTo(200);
      Reply anonymous = office.get("/api/me", Map.of("Accept", "application/json"));
      assertThat(anonymous.status()).as("the authentication gate answers, not the block").isEqualTo(401);
      assertThat(anonymous.json().getString("error")).isEqualTo("unauthorized");
    }
  }

  @Test
  void aBackendPathThatBeginsLikeThePasswordRouteIsNotALogin() {
    try (SourceClient office = gw.from("127.0.15.21")) {
      office.failUntilBlocked(20, Map.of());
      assertThat(office.get("/password", Map.of("Accept", "text/html")).status()).isEqualTo(429);

      Reply report = office.get("/passwords-report", Map.of("Accept", "application/json"));
      assertThat(report.status()).as("the authentication gate answers, not the block").isEqualTo(401);
    }
  }
}
