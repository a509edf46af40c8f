package com.timereg.gateway.edge;

import static com.timereg.gateway.edge.ThrottledGateway.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.SourceClient;
import com.timereg.gateway.testsupport.SourceClient.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-name slow-down through HTTP: guesses at one account from many addresses (which address
 * counting cannot see) make each further verification of that name wait, and the owner still gets
 * in. The checks are lower bounds of the delay the gateway inserts, never upper bounds of its speed.
 */
@ExtendWith(PostgresExtension.class)
class AccountSlowdownTest {
  static final String VICTIM = "victim@acme.test";
  static final Duration BASE = Duration.ofMillis(300);
  static final Duration MAX = Duration.ofMillis(1200);
  static final int FREE = 3;

  @TempDir static Path dir;
  static ThrottledGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gw = ThrottledGateway.startWithUser(dir, db, VICTIM, Map.of(
        "GATEWAY_THROTTLE__ACCOUNT_FREE_FAILURES", Integer.toString(FREE),
        "GATEWAY_THROTTLE__ACCOUNT_BASE_DELAY", BASE.toMillis() + "ms",
        "GATEWAY_THROTTLE__ACCOUNT_MAX_DELAY", MAX.toMillis() + "ms"));
  }

  @AfterAll
  static void stop() {
    ThrottledGateway.closeIfStarted(gw);
  }

  @Test
  void guessesFromManyAddressesSlowTheNameDownButTheOwnerStillLogsIn() {
    // One guess per address, each from its own /24: no address or range comes near a block.
    int address = 0;
    for (int i = 0; i <= FREE; i++) {
      assertThat(guess(++address).status()).isEqualTo(401);
    }
    // FREE + 1 failures so far: the next verification of the name waits the base delay, then twice it.
    assertThat(timedGuess(++address)).isGreaterThanOrEqualTo(BASE);
    assertThat(timedGuess(++address)).isGreaterThanOrEqualTo(BASE.multipliedBy(2));

    try (SourceClient owner = gw.from("127.0.30.1")) {
      long start = System.nanoTime();
      Reply ok = owner.token(VICTIM, PASSWORD);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(ok.status()).as("a slow-down, never a lockout").isEqualTo(200);
      assertThat(took).as("the owner waits like everyone else: the delay says nothing about the password")
          .isGreaterThanOrEqualTo(BASE.multipliedBy(4).compareTo(MAX) > 0 ? MAX : BASE.multipliedBy(4));
    }
  }

  private static Reply guess(int n) {
    try (SourceClient c = gw.from("127.0." + (20 + n) + ".1")) {
      return c.token(VICTIM, "guess-" + n);
    }
  }

  private static Duration timedGuess(int n) {
    long start = System.nanoTime();
    Reply r = guess(n);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(r.status()).isEqualTo(401);
    return took;
  }
}
