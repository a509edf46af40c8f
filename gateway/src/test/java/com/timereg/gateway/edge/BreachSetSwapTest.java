package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.breach.BreachSetFiles;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A breach set file replaced while the gateway serves is used without a restart. */
@ExtendWith(PostgresExtension.class)
class BreachSetSwapTest {
  static final String OLD = "Original-Quartz-Meadow-11";
  static final String LEAKED_LATER = "Tangerine-Walrus-1987";
  static final Instant BUILT_A = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant BUILT_B = Instant.parse("2026-02-01T00:00:00Z");
  /** The file is looked at every 100 ms; give it fifty looks before calling the swap missed. */
  static final int POLLS = 50;
  static final long POLL_MILLIS = 100;

  @TempDir static Path dir;
  static Path setFile;
  static Gateway gateway;
  static TestDatabase db;

  @BeforeAll
  static void start(TestDatabase database) throws Exception {
    db = database;
    setFile = dir.resolve("hibp").resolve("current.set");
    BreachSetFiles.write(setFile, Map.of("hunter2", 17_000L), 3_000, 1, BUILT_A);
    TestAccounts.customer(db, "swap", "Swap GmbH", 3, 8);
    gateway = Gateway.start(TestGateways.config(dir, db, Map.of(
        "GATEWAY_HIBP__SET_PATH", setFile.toString(),
        "GATEWAY_HIBP__RELOAD_INTERVAL", POLL_MILLIS + "ms",
        "GATEWAY_PASSWORD__ITERATIONS", Integer.toString(TestAccounts.ITERATIONS))));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  @Test
  void passwordAbsentFromTheOldSetIsRefusedOnceTheNewOneIsInPlace() throws Exception {
    TestAccounts.User user = TestAccounts.user(db, "swap", "swap", OLD);
    try (PublicClient client = PublicClient.https(gateway.publicPort());
        PublicClient admin = PublicClient.plain(gateway.adminPort())) {
      String token = client.tokens(user.login(), OLD).getString("access_token");
      assertThat(hibpCheck(admin)).isEqualTo("3,001 entries, built 2026-01-01T00:00:00Z");
      JsonObject before = client.postJson("/password/check", token,
          new JsonObject().put("new_password", LEAKED_LATER)).json();
      assertThat(before.getBoolean("pwned")).isFalse();
      assertThat(before.getBoolean("meets_policy")).isTrue();

      BreachSetFiles.write(setFile, Map.of("hunter2", 17_000L, LEAKED_LATER, 12_345L), 4_000, 2, BUILT_B);
      String swapped = "4,002 entries, built 2026-02-01T00:00:00Z";
      Optional<String> seen = pollReadiness(admin, swapped);
      assertThat(seen).as("readiness after the swap").contains(swapped);

      PublicClient.Response refused = client.postJson("/password", token,
          new JsonObject().put("current_password", OLD).put("new_password", LEAKED_LATER));
      assertThat(refused.status()).isEqualTo(422);
      assertThat(refused.json().getString("message"))
          .isEqualTo("The new password was not accepted: appears at least 8,192 times in known data breaches.");
      assertThat(admin.get("/health/ready").status()).isEqualTo(200);
    }
  }

  /** Readiness until the breach-set check reports {@code expected}, at most {@link #POLLS} times. */
  private static Optional<String> pollReadiness(PublicClient admin, String expected) throws InterruptedException {
    String last = null;
    for (int i = 0; i < POLLS; i++) {
      last = hibpCheck(admin);
      if (expected.equals(last)) {
        return Optional.of(last);
      }
      Thread.sleep(POLL_MILLIS);
    }
    return Optional.ofNullable(last);
  }

  static String hibpCheck(PublicClient admin) {
    PublicClient.Response r = admin.get("/health/ready");
    return r.json().getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("name").equals("hibp-set"))
        .peek(c -> assertThat(c.getString("status")).isEqualTo("UP"))
        .map(c -> c.getString("detail")).findFirst().orElseThrow();
  }
}
