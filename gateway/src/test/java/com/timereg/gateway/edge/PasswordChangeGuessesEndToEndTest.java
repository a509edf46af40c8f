package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.SourceClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The password change verifies the current password: a guess at it is a password guess like a login's, and the
 * address limit holds for it too. A session (say a stolen one) does not make guessing cheaper: it lets a blocked
 * office reach the backend (the default block scope), not guess at passwords, and guesses posted together are
 * verified no more than the address's limit allows.
 */
@ExtendWith(PostgresExtension.class)
class PasswordChangeGuessesEndToEndTest {
  static final String BLOCKED_USER = "blocked-changer@acme.test";
  static final String TOGETHER_USER = "together-changer@acme.test";
  static final int LIMIT = 3;
  static final int GUESSES = 10;

  @TempDir static Path dir;
  static ThrottledGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    try (java.sql.Connection c = db.openJdbc()) {
      com.timereg.gateway.testsupport.TestAccounts.createUser(c, "acme", TOGETHER_USER, ThrottledGateway.PASSWORD);
    }
    gw = ThrottledGateway.startWithUser(dir, db, BLOCKED_USER, Map.of(
        "GATEWAY_THROTTLE__IP_FAILURE_LIMIT", Integer.toString(LIMIT),
        // A long window, so that no window boundary falls inside a burst (see ConcurrentGuessesEndToEndTest).
        "GATEWAY_THROTTLE__WINDOW", "30d",
        "GATEWAY_THROTTLE__SURGE_FAILURES_PER_MINUTE", "10000",
        // No per-name slow-down: what holds the guesses back here must be the address limit.
        "GATEWAY_THROTTLE__ACCOUNT_FREE_FAILURES", "1000",
        // Password changes go ahead without a breach set: the guesses, not the new password, are tested.
        "GATEWAY_HIBP__ALLOW_WITHOUT_SET", "true",
        "GATEWAY_PASSWORD__POOL_THREADS", "4",
        "GATEWAY_PASSWORD__POOL_QUEUE", "64"));
  }

  @AfterAll
  static void stop() {
    ThrottledGateway.closeIfStarted(gw);
  }

  @Test
  void aBlockedAddressWithASessionCannotGuessTheCurrentPassword() throws Exception {
    String source = "127.0.53.1";
    try (SourceClient client = gw.from(source)) {
      String token = client.token(BLOCKED_USER, ThrottledGateway.PASSWORD).json().getString("access_token");
      client.failUntilBlocked(LIMIT + 5, Map.of());
      InetAddress address = InetAddress.getByName(source);
      long failures = gw.gateway().throttle().explain(address).client().totalFailures();

      SourceClient.Reply guess = client.send(HttpMethod.POST, "/password",
          Map.of("Accept", "application/json", "Content-Type", "application/json", "Authorization", "Bearer " + token),
          change("guess-1", "Plum-Anchor-Velvet-42").encode());

      assertThat(guess.status()).as("a guess at the current password from a blocked address: %s", guess.body())
          .isEqualTo(429);
      assertThat(guess.header("Retry-After")).isNotNull();
      assertThat(gw.gateway().throttle().explain(address).client().totalFailures())
          .as("the guess was not verified, so not counted").isEqualTo(failures);
      assertThat(client.getWithToken("/api/me", token).status())
          .as("the session still reaches the backend (the default block scope)").isEqualTo(200);
    }
  }

  @Test
  void guessesAtTheCurrentPasswordPostedTogetherAreVerifiedNoMoreThanTheLimit() throws Exception {
    String source = "127.0.54.1";
    String token;
    // A stolen session, used from the attacker's address; a login from that address would raise its limit
    // (the headroom an address earns by successful logins, docs/throttle.md).
    try (SourceClient client = gw.from("127.0.55.1")) {
      token = client.token(TOGETHER_USER, ThrottledGateway.PASSWORD).json().getString("access_token");
    }
    List<String> guesses = new ArrayList<>();
    for (int i = 1; i <= GUESSES; i++) {
      String body = change("guess-" + i, "Plum-Anchor-Velvet-42").encode();
      guesses.add("POST /password HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
          + "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length() + "\r\nConnection: close\r\n\r\n" + body);
    }
    RawTls.Burst burst = RawTls.burst(source, gw.gateway().publicPort(), guesses);
    assertThat(burst.verified())
        .as("guesses verified (401) for one address whose limit is %d; %d refused", LIMIT, burst.refused())
        .isLessThanOrEqualTo(LIMIT);
  }

  private static JsonObject change(String current, String next) {
    return new JsonObject().put("current_password", current).put("new_password", next);
  }
}
