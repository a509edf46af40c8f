package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.SourceClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The address limit against guesses sent together rather than one after another: an attacker opens several
 * connections from one address and posts a guess on each at once. The block check at the request's entry
 * sees no failure yet for any of them, so only a check when the password is about to be verified can keep the
 * address to its limit of verified guesses.
 */
@ExtendWith(PostgresExtension.class)
class ConcurrentGuessesEndToEndTest {
  static final String VICTIM = "victim@acme.test";
  static final int LIMIT = 3;
  static final int GUESSES = 10;
  static final Duration DELAY = Duration.ofMillis(1500);

  @TempDir static Path dir;
  static ThrottledGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gw = ThrottledGateway.startWithUser(dir, db, VICTIM, Map.of(
        "GATEWAY_THROTTLE__IP_FAILURE_LIMIT", Integer.toString(LIMIT),
        // A long window: failures counted in the window before decay a little in the sliding estimate, so a burst
        // that straddled a boundary of the default 10-minute window (about one run in 300) could verify one more.
        "GATEWAY_THROTTLE__WINDOW", "30d",
        "GATEWAY_THROTTLE__SURGE_FAILURES_PER_MINUTE", "10000",
        // After one failure of the name, each verification of it waits DELAY first (docs/throttle.md).
        "GATEWAY_THROTTLE__ACCOUNT_FREE_FAILURES", "0",
        "GATEWAY_THROTTLE__ACCOUNT_BASE_DELAY", DELAY.toMillis() + "ms",
        "GATEWAY_THROTTLE__ACCOUNT_MAX_DELAY", DELAY.toMillis() + "ms",
        // Room for every guess in the verification pool: a 503 for a full pool is not what is tested.
        "GATEWAY_PASSWORD__POOL_THREADS", "4",
        "GATEWAY_PASSWORD__POOL_QUEUE", "64"));
  }

  @AfterAll
  static void stop() {
    ThrottledGateway.closeIfStarted(gw);
  }

  @Test
  void guessesPostedTogetherFromOneAddressAreVerifiedNoMoreThanItsLimit() throws Exception {
    try (SourceClient elsewhere = gw.from("127.0.50.1")) {
      assertThat(elsewhere.token(VICTIM, "guess-0").status()).isEqualTo(401);
    }
    List<String> guesses = new ArrayList<>();
    for (int i = 1; i <= GUESSES; i++) {
      String body = "{\"username\":\"" + VICTIM + "\",\"password\":\"guess-" + i + "\"}";
      guesses.add("POST /auth/token HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n"
          + body);
    }
    RawTls.Burst burst = RawTls.burst("127.0.51.1", gw.gateway().publicPort(), guesses);
    assertThat(burst.verified())
        .as("guesses verified (401) for one address whose limit is %d; %d refused", LIMIT, burst.refused())
        .isLessThanOrEqualTo(LIMIT);
    try (SourceClient attacker = gw.from("127.0.51.1")) {
      assertThat(attacker.failLogin().status()).as("and the address is blocked").isEqualTo(429);
    }
  }
}
