package com.timereg.gateway.breach;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.password.PasswordPolicy;
import com.timereg.gateway.password.PasswordPolicyChecker;
import com.timereg.gateway.password.PasswordSettings;
import com.timereg.gateway.password.PolicyCheck;
import com.timereg.gateway.password.StrengthEstimator;
import com.timereg.gateway.password.UserContext;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.tls.KeyFileMode;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline HIBP set keeps each count as its power-of-two class and answers with the class's lower bound
 * (15 is answered as 8, meaning "8 to 15 times"). A customer's breach threshold that is not a power of two
 * ({@code customers.breached_min_prevalence}, any value from 1) must not let through a password that was
 * seen more often than the threshold.
 */
class BreachThresholdRoundingTest {
  private static final String PASSWORD = "Tangerine-Walrus-Quartz-1987";

  @TempDir Path dir;
  Vertx vertx;
  BreachSet set;

  private final PasswordPolicyChecker checker =
      new PasswordPolicyChecker(new StrengthEstimator(PasswordSettings.DEFAULT_ESTIMATE_MAX_CHARS, List.of()));

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    if (set != null) {
      Await.await(set.close());
    }
    Await.await(vertx.close());
  }

  private BreachSet setWith(long count) throws IOException {
    Path file = dir.resolve("current.set");
    BreachSetFiles.write(file, Map.of(PASSWORD, count), 1_000, 1, Instant.parse("2026-01-01T00:00:00Z"));
    set = new BreachSet(vertx, new BreachSetSettings(Optional.of(file), Duration.ofHours(1), false, Duration.ZERO,
        true, true), BreachSetMetrics.NONE, KeyFileMode::breachSetRefusal);
    Await.await(set.start());
    return set;
  }

  @Test
  void aPasswordSeenMoreOftenThanTheThresholdIsRefused() throws IOException {
    BreachSet breaches = setWith(15);
    PasswordPolicy refuseFromTen = PasswordPolicy.DEFAULTS.withBreachedThreshold(10);

    PolicyCheck result = checker.check(PASSWORD, refuseFromTen, UserContext.NONE, breaches);

    assertThat(result.prevalence()).as("the set's answer for 15: the class 8..15").isEqualTo(8);
    assertThat(result.pwned()).as("seen 15 times, the customer refuses 10 or more").isTrue();
    assertThat(result.meetsPolicy()).isFalse();
    assertThat(result.messages()).contains("appears at least 8 times in known data breaches");
  }

  @Test
  void aPasswordWhoseWholeClassIsBelowTheThresholdIsAccepted() throws IOException {
    BreachSet breaches = setWith(7);
    PasswordPolicy refuseFromTen = PasswordPolicy.DEFAULTS.withBreachedThreshold(10);

    PolicyCheck result = checker.check(PASSWORD, refuseFromTen, UserContext.NONE, breaches);

    assertThat(result.prevalence()).as("the class 4..7").isEqualTo(4);
    assertThat(result.pwned()).isFalse();
    assertThat(result.meetsPolicy()).isTrue();
  }
}
