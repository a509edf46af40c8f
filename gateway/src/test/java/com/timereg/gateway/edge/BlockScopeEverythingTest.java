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

/** {@code throttle.scope: everything}: a blocked address gets nothing, sessions included. */
@ExtendWith(PostgresExtension.class)
class BlockScopeEverythingTest {
  static final String USER = "eve@acme.test";

  @TempDir static Path dir;
  static ThrottledGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gw = ThrottledGateway.startWithUser(dir, db, USER, Map.of(
        "GATEWAY_THROTTLE__SCOPE", "everything",
        "GATEWAY_THROTTLE__IP_FAILURE_LIMIT", "3"));
  }

  @AfterAll
  static void stop() {
    ThrottledGateway.closeIfStarted(gw);
  }

  @Test
  void blockedAddressIsRefusedEvenWithAValidSessionWhichStillWorksElsewhere() {
    try (SourceClient office = gw.from("127.0.14.20"); SourceClient elsewhere = gw.from("127.0.14.21")) {
      Reply app = office.token(USER, PASSWORD);
      assertThat(app.status()).isEqualTo(200);
      String accessToken = app.json().getString("access_token");
      String cookies = SourceClient.cookieHeader(SourceClient.cookies(office.formLogin(USER, PASSWORD)));

      office.failUntilBlocked(20, Map.of());

      assertThat(office.getWithToken("/api/me", accessToken).status()).isEqualTo(429);
      assertThat(office.get("/api/me", Map.of("Accept", "application/json", "Cookie", cookies)).status()).isEqualTo(429);
      assertThat(office.refresh(app.json().getString("refresh_token")).status()).isEqualTo(429);
      assertThat(office.token(USER, PASSWORD).status()).isEqualTo(429);

      assertThat(elsewhere.getWithToken("/api/me", accessToken).status())
          .as("the block is on the address, not on the session").isEqualTo(200);
    }
  }
}
