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
 * Brute-force protection seen from outside, under the default scope: real TLS clients bound to
 * distinct source addresses of 127.0.0.0/8 log in against real PostgreSQL through the packaged
 * request path, and the demo backend reports what it was told.
 *
 * <p>Every test uses its own /24, so counters, blocks and success headroom of one test never
 * touch another's.
 */
@ExtendWith(PostgresExtension.class)
class ThrottleEndToEndTest {
  static final String USER = "ann@acme.test";
  /** Low, so a test needs few failures; the range rule then fires on blocked clients, not on its 50 failures. */
  static final int LIMIT = 3;

  @TempDir static Path dir;
  static ThrottledGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gw = ThrottledGateway.startWithUser(dir, db, USER, Map.of(
        "GATEWAY_THROTTLE__IP_FAILURE_LIMIT", Integer.toString(LIMIT),
        // Far above what all tests together produce: surge mode would halve the limits mid-test.
        "GATEWAY_THROTTLE__SURGE_FAILURES_PER_MINUTE", "10000",
        "GATEWAY_THROTTLE__ALLOWLIST", "127.0.7.0/24",
        "GATEWAY_CLIENT_ADDRESS__TRUSTED_PROXIES", "127.0.8.0/24"));
  }

  @AfterAll
  static void stop() {
    ThrottledGateway.closeIfStarted(gw);
  }

  @Test
  void blocksAnAddressAfterItsLimitWhileItsNeighbourLogsIn() {
    try (SourceClient attacker = gw.from("127.0.5.1"); SourceClient neighbour = gw.from("127.0.5.2")) {
      // Browser form and app endpoint count alike.
      assertThat(attacker.formLogin("nobody@acme.test", "wrong password").status()).isEqualTo(401);
      for (int i = 1; i < LIMIT; i++) {
        assertThat(attacker.failLogin().status()).isEqualTo(401);
      }

      Reply json = attacker.token(USER, PASSWORD);
      assertThat(json.status()).as("even the right password is refused while blocked").isEqualTo(429);
      long retryAfter = Long.parseLong(json.header("Retry-After"));
      assertThat(retryAfter).as("a first block lasts 15 minutes").isBetween(890L, 900L);
      assertThat(json.header("Content-Type")).startsWith("application/json");
      assertThat(json.json().getString("error")).isEqualTo("too_many_requests");
      assertThat(json.json().getLong("retry_after")).isEqualTo(retryAfter);
      assertThat(json.json().getString("message")).contains("your address").contains("15 minutes");

      Reply html = attacker.get("/login", Map.of("Accept", "text/html,application/xhtml+xml"));
      assertThat(html.status()).isEqualTo(429);
      assertThat(html.header("Content-Type")).startsWith("text/html");
      assertThat(html.header("Retry-After")).isNotNull();
      assertThat(html.body()).contains("Too many attempts").contains("your address");

      Reply ok = neighbour.token(USER, PASSWORD);
      assertThat(ok.status()).as("127.0.5.2 shares the /24 but not the block").isEqualTo(200);
      assertThat(ok.json().getString("access_token")).isNotBlank();
    }
  }

  @Test
  void blocksARangeAfterFiveOfItsAddressesAreBlockedButNotTheAddressesOutsideIt() {
    try (SourceClient bystander = gw.from("127.0.6.200"); SourceClient outside = gw.from("127.0.60.1")) {
      for (int a = 1; a <= 5; a++) {
        try (SourceClient attacker = gw.from("127.0.6." + a)) {
          assertThat(attacker.failUntilBlocked(10, Map.of())).isEqualTo(LIMIT);
        }
        if (a == 4) {
          assertThat(bystander.get("/anything", Map.of("Accept", "application/json")).status())
              .as("four blocked addresses do not yet block their /24").isEqualTo(401);
        }
      }

      Reply refused = bystander.token(USER, PASSWORD);
      assertThat(refused.status()).as("127.0.6.200 never failed, but its /24 is blocked").isEqualTo(429);
      assertThat(refused.json().getString("message")).contains("your network");
      assertThat(bystander.get("/anything", Map.of("Accept", "application/json")).status()).isEqualTo(429);

      assertThat(outside.token(USER, PASSWORD).status()).isEqualTo(200);
    }
  }

  @Test
  void neverBlocksAnAllowlistedAddress() {
    try (SourceClient office = gw.from("127.0.7.1")) {
      for (int i = 0; i < 4 * LIMIT; i++) {
        assertThat(office.failLogin().status()).isEqualTo(401);
      }
      assertThat(office.token(USER, PASSWORD).status()).isEqualTo(200);
    }
    try (SourceClient colleague = gw.from("127.0.7.2")) {
      assertThat(colleague.token(USER, PASSWORD).status()).as("nor its range").isEqualTo(200);
    }
  }

  @Test
  void ignoresForwardedForFromAnUntrustedPeerAndBlocksTheRealSource() {
    Map<String, String> spoofed = Map.of("X-Forwarded-For", "127.0.11.1");
    try (SourceClient attacker = gw.from("127.0.10.1"); SourceClient framed = gw.from("127.0.11.1");
        SourceClient user = gw.from("127.0.10.2")) {
      assertThat(attacker.failUntilBlocked(10, spoofed)).isEqualTo(LIMIT);
      assertThat(attacker.get("/anything", Map.of("Accept", "application/json")).status()).isEqualTo(429);
      assertThat(framed.token(USER, PASSWORD).status()).as("the address named in the header is not blocked").isEqualTo(200);

      String token = user.token(USER, PASSWORD, spoofed).json().getString("access_token");
      Reply me = user.get("/api/me", Map.of("Authorization", "Bearer " + token, "X-Forwarded-For", "127.0.11.1"));
      assertThat(me.status()).isEqualTo(200);
      assertThat(me.json().getJsonObject("forwarded").getString("x-forwarded-for")).isEqualTo("127.0.10.2");
    }
  }

  @Test
  void countsTheRightMostUntrustedForwardedForEntryBehindATrustedProxy() {
    // The left-most entry is whatever the client wrote; our proxy appended the address it saw.
    Map<String, String> viaProxy = Map.of("X-Forwarded-For", "198.51.100.7, 127.0.9.7");
    try (SourceClient proxy = gw.from("127.0.8.1"); SourceClient direct = gw.from("127.0.9.7")) {
      assertThat(proxy.failUntilBlocked(10, viaProxy)).isEqualTo(LIMIT);
      assertThat(direct.get("/anything", Map.of("Accept", "application/json")).status())
          .as("the block is on 127.0.9.7, however it connects").isEqualTo(429);
      assertThat(proxy.get("/anything", Map.of("Accept", "application/json")).status())
          .as("not on the proxy itself").isEqualTo(401);

      // Two of our proxies in a row: the client is still the right-most address that is not ours.
      Map<String, String> otherClient = Map.of("X-Forwarded-For", "127.0.9.8, 127.0.8.2");
      Reply login = proxy.token(USER, PASSWORD, otherClient);
      assertThat(login.status()).isEqualTo(200);
      Map<String, String> headers = new java.util.HashMap<>(otherClient);
      headers.put("Authorization", "Bearer " + login.json().getString("access_token"));
      Reply me = proxy.get("/api/me", headers);
      assertThat(me.status()).isEqualTo(200);
      assertThat(me.json().getJsonObject("forwarded").getString("x-forwarded-for")).isEqualTo("127.0.9.8");
    }
  }

  @Test
  void loggedInUsersBehindABlockedAddressKeepWorkingButNobodyLogsInFromIt() {
    try (SourceClient office = gw.from("127.0.12.20")) {
      Reply app = office.token(USER, PASSWORD);
      assertThat(app.status()).isEqualTo(200);
      String accessToken = app.json().getString("access_token");
      String refreshToken = app.json().getString("refresh_token");
      Reply browser = office.formLogin(USER, PASSWORD);
      assertThat(browser.status()).isEqualTo(303);
      String cookies = SourceClient.cookieHeader(SourceClient.cookies(browser));

      // The successful logins gave the address headroom: it takes more than LIMIT failures now.
      assertThat(office.failUntilBlocked(20, Map.of())).isGreaterThan(LIMIT);

      Reply appCall = office.getWithToken("/api/me", accessToken);
      assertThat(appCall.status()).isEqualTo(200);
      assertThat(appCall.json().getString("user")).isEqualTo(USER);
      assertThat(office.get("/api/me", Map.of("Accept", "application/json", "Cookie", cookies)).status()).isEqualTo(200);
      Reply refreshed = office.refresh(refreshToken);
      assertThat(refreshed.status()).as("an app must be able to renew its 5-minute access token").isEqualTo(200);
      assertThat(office.getWithToken("/api/me", refreshed.json().getString("access_token")).status()).isEqualTo(200);

      assertThat(office.token(USER, PASSWORD).status()).as("no new logins").isEqualTo(429);
      assertThat(office.get("/api/me", Map.of("Accept", "application/json")).status()).as("no session").isEqualTo(429);
      assertThat(office.getWithToken("/api/me", "not-a-token").status()).as("a made-up token").isEqualTo(429);
    }
  }

  @Test
  void exportsInvalidLoginsBlocksSurgeStateAndMapFill() {
    try (SourceClient attacker = gw.from("127.0.13.1")) {
      assertThat(attacker.token("someone@acme.test", "").status()).isEqualTo(401);
      attacker.failUntilBlocked(10, Map.of());
    }
    String metrics = gw.metrics();
    assertThat(SourceClient.sample(metrics, "gateway_throttle_invalid_logins_total{kind=\"unknown_user\"}")).isGreaterThanOrEqualTo(LIMIT - 1);
    assertThat(SourceClient.sample(metrics, "gateway_throttle_invalid_logins_total{kind=\"malformed_credentials\"}")).isGreaterThanOrEqualTo(1);
    assertThat(SourceClient.sample(metrics, "gateway_throttle_invalid_logins_total{kind=\"wrong_password\"}")).isGreaterThanOrEqualTo(0);
    assertThat(SourceClient.sample(metrics, "gateway_throttle_blocks_issued_total{kind=\"client\"}")).isGreaterThanOrEqualTo(1);
    assertThat(SourceClient.sample(metrics, "gateway_throttle_blocks_active{kind=\"client\"}")).isGreaterThanOrEqualTo(1);
    assertThat(SourceClient.sample(metrics, "gateway_throttle_blocks_active{kind=\"range\"}")).isGreaterThanOrEqualTo(0);
    assertThat(SourceClient.sample(metrics, "gateway_throttle_blocks_active{kind=\"manual\"}")).isEqualTo(0);
    assertThat(SourceClient.sample(metrics, "gateway_throttle_surge_active")).isEqualTo(0);
    assertThat(SourceClient.sample(metrics, "gateway_throttle_map_fill{map=\"clients\"}")).isGreaterThan(0).isLessThan(1);
    assertThat(SourceClient.sample(metrics, "gateway_throttle_map_fill{map=\"ranges\"}")).isGreaterThan(0).isLessThan(1);
  }
}
