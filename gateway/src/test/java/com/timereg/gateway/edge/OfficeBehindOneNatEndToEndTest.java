package com.timereg.gateway.edge;

import static com.timereg.gateway.edge.ThrottledGateway.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.ManualClock;
import com.timereg.gateway.testsupport.SourceClient;
import com.timereg.gateway.testsupport.SourceClient.Reply;
import com.timereg.gateway.testsupport.TestAccounts;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise of docs/throttle.md, "kinder to offices behind one NAT", at the production defaults
 * (10 invalid logins per address in a sliding 10 minutes, twice that after a success in the last
 * day): a morning of ordinary typos by a whole office behind one address blocks nobody, while a
 * credential-stuffing run from that same address is refused. Real TLS clients, real PostgreSQL, the
 * packaged request path; the throttle counts by a {@link ManualClock}, so the morning passes
 * without sleeping.
 *
 * <p>Not covered here: IPv6 clients of one /64 counting as one. Loopback offers only {@code ::1},
 * so a test cannot send from two real addresses of one /64 without changing the host's routes; the
 * /64 key is covered by {@code ClientKeysTest}.
 */
@ExtendWith(PostgresExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OfficeBehindOneNatEndToEndTest {
  static final int PEOPLE = 30;
  /** The office's one public address, as every request of its people reaches the gateway. */
  static final String OFFICE = "127.0.70.1";
  /** The documented defaults: 10 per address, x2 with success headroom. */
  static final int LIMIT = 10;
  static final int HEADROOM = 2;

  @TempDir static Path dir;
  static ManualClock clock;
  static ThrottledGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc()) {
      for (int i = 1; i <= PEOPLE; i++) {
        TestAccounts.createUser(c, "acme", person(i), PASSWORD);
      }
    }
    clock = ManualClock.startingNow();
    // No throttle overrides: the defaults are what is promised.
    gw = ThrottledGateway.start(dir, db, Map.of(), clock);
  }

  @AfterAll
  static void stop() {
    ThrottledGateway.closeIfStarted(gw);
  }

  static String person(int i) {
    return "person-" + i + "@acme.test";
  }

  @Test
  @Order(1)
  void aMorningOfOrdinaryTyposBehindOneAddressBlocksNobodyAndEveryoneGetsIn() {
    int failures = 0;
    try (SourceClient office = gw.from(OFFICE)) {
      // People arrive a minute apart over half an hour: about 15 invalid logins in any 10 minutes,
      // more than the bare limit of 10, so it is the documented success headroom that keeps the office in.
      for (int i = 1; i <= PEOPLE; i++) {
        if (i % 2 == 1) {
          // A mistyped name (an unknown user, counted like any invalid login).
          assertThat(office.token("person-" + i + "@acme.tst", PASSWORD).status()).as("person %d, typo in the name", i).isEqualTo(401);
          failures++;
          clock.advance(Duration.ofSeconds(15));
        }
        assertThat(office.token(person(i), "Correct-horse-battery-stapel-2026").status())
            .as("person %d, typo in the password", i).isEqualTo(401);
        failures++;
        clock.advance(Duration.ofSeconds(15));

        if (i % 3 == 0) {
          Reply browser = office.formLogin(person(i), PASSWORD);
          assertThat(browser.status()).as("person %d logs in with the browser", i).isEqualTo(303);
        } else {
          Reply app = office.token(person(i), PASSWORD);
          assertThat(app.status()).as("person %d logs in with the app", i).isEqualTo(200);
          assertThat(app.json().getString("access_token")).isNotBlank();
        }
        clock.advance(Duration.ofSeconds(30));
      }
    }
    assertThat(failures).isEqualTo(PEOPLE * 3 / 2);
    String metrics = gw.metrics();
    assertThat(SourceClient.sample(metrics, "gateway_throttle_invalid_logins_total{kind=\"wrong_password\"}")).isEqualTo(PEOPLE);
    assertThat(SourceClient.sample(metrics, "gateway_throttle_invalid_logins_total{kind=\"unknown_user\"}")).isEqualTo(PEOPLE / 2);
    assertThat(SourceClient.sample(metrics, "gateway_throttle_blocks_issued_total{kind=\"client\"}")).as("no block of the address")
        .satisfiesAnyOf(v -> assertThat(v).isNaN(), v -> assertThat(v).isZero());
    assertThat(SourceClient.sample(metrics, "gateway_throttle_blocks_issued_total{kind=\"range\"}")).as("nor of its range")
        .satisfiesAnyOf(v -> assertThat(v).isNaN(), v -> assertThat(v).isZero());
  }

  @Test
  @Order(2)
  void credentialStuffingFromTheSameAddressIsBlockedWith429AndRetryAfter() {
    clock.advance(Duration.ofMinutes(1));
    try (SourceClient office = gw.from(OFFICE)) {
      // Many different names, all wrong: a fresh unknown name per attempt.
      int failed = office.failUntilBlocked(10 * LIMIT, Map.of());
      assertThat(failed).as("blocked within the address's limit with success headroom").isBetween(1, HEADROOM * LIMIT);

      Reply refused = office.failLogin();
      assertThat(refused.status()).isEqualTo(429);
      long retryAfter = Long.parseLong(refused.header("Retry-After"));
      assertThat(retryAfter).as("a first block lasts 15 minutes").isBetween(890L, 900L);
      assertThat(refused.json().getString("error")).isEqualTo("too_many_requests");
      assertThat(office.token(person(1), PASSWORD).status()).as("the block is on the address").isEqualTo(429);
    }
  }
}
