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

  /**
   * An app whose access token ran out signs out with its refresh token alone (RFC 7009, docs/session.md). Like a
   * refresh it presents a session rather than guesses one, and an unknown token is answered as a known one, so a
   * blocked office address may revoke too: refused, the session it meant to end lives on.
   */
  @Test
  void anAppBehindABlockedAddressMaySignOutWithItsRefreshTokenAlone() {
    try (SourceClient office = gw.from("127.0.16.21")) {
      Reply app = office.token(USER, PASSWORD);
      assertThat(app.status()).isEqualTo(200);
      String refreshToken = app.json().getString("refresh_token");

      office.failUntilBlocked(20, Map.of());

      Reply revoked = office.send(io.vertx.core.http.HttpMethod.POST, "/auth/revoke",
          Map.of("Accept", "application/json", "Content-Type", "application/json"),
          new io.vertx.core.json.JsonObject().put("refresh_token", refreshToken).encode());
      assertThat(revoked.status()).as("the revocation answers, not the block").isEqualTo(200);
      assertThat(office.refresh(refreshToken).status()).as("the session has ended").isEqualTo(401);
    }
  }
}
