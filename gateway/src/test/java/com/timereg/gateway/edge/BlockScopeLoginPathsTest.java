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

/**
 * Which paths a block treats as logins: the gateway's own login and password routes, not backend paths that
 * merely begin with the same letters (a report at {@code /passwords-report}), which the scope lets through.
 */
@ExtendWith(PostgresExtension.class)
class BlockScopeLoginPathsTest {
  static final String USER = "paula@acme.test";

  @TempDir static Path dir;
  static ThrottledGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gw = ThrottledGateway.startWithUser(dir, db, USER, Map.of("GATEWAY_THROTTLE__IP_FAILURE_LIMIT", "3"));
  }

  @AfterAll
  static void stop() {
    ThrottledGateway.closeIfStarted(gw);
  }

  @Test
  void aColleagueSignedInBehindABlockedAddressReachesBackendPathsThatBeginLikePasswordRoutes() {
    try (SourceClient office = gw.from("127.0.16.20")) {
      Reply app = office.token(USER, PASSWORD);
      assertThat(app.status()).isEqualTo(200);
      String token = app.json().getString("access_token");

      office.failUntilBlocked(20, Map.of());

      assertThat(office.getWithToken("/api/me", token).status()).isEqualTo(200);
      assertThat(office.getWithToken("/passwords-report", token).status())
          .as("a backend path, answered by the backend (404 there), not refused as a login").isEqualTo(404);
      assertThat(office.getWithToken("/password-policy", token).status()).isEqualTo(404);
      assertThat(office.getWithToken("/password", token).status())
          .as("the gateway's own password route tries credentials: still refused").isEqualTo(429);
      assertThat(office.getWithToken("/password/check", token).status()).isEqualTo(429);
    }
  }
}
