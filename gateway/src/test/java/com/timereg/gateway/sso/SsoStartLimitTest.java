package com.timereg.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.ManualClock;
import com.timereg.gateway.testsupport.SourceClient;
import com.timereg.gateway.testsupport.SourceClient.Reply;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each started Microsoft sign-in is a row in {@code sso_requests} for {@code sso.request-lifetime}: one address
 * must not be able to start them without bound (a database write each, millions of rows), while an office behind
 * one address (hundreds of people at 9:00) still gets through. Real gateway and PostgreSQL ({@link SsoTestBed}),
 * clients from distinct 127.x.y.z addresses.
 */
@ExtendWith(PostgresExtension.class)
class SsoStartLimitTest {
  @TempDir static Path dir;
  static TestDatabase db;
  static final ManualClock clock = ManualClock.startingNow();

  @BeforeAll
  static void start(TestDatabase database) throws Exception {
    db = database;
    // Time stands still for the counting: the allowance refills by 5 a second, more than 300 requests take here.
    SsoTestBed.start(database, dir, clock);
  }

  @AfterAll
  static void stop() {
    SsoTestBed.stop();
  }

  @Test
  void oneAddressStartsAtMostTheLimitOfSignInsAMinuteAndTheRestWriteNothing() throws Exception {
    int limit = SsoSettings.DEFAULT_MAX_STARTS_PER_ADDRESS_PER_MINUTE;
    try (SourceClient flood = new SourceClient(SsoTestBed.clientVertx, "127.0.77.1", SsoTestBed.gateway.publicPort());
        SourceClient office = new SourceClient(SsoTestBed.clientVertx, "127.0.77.2", SsoTestBed.gateway.publicPort())) {
      long before = rows();
      for (int i = 0; i < limit; i++) {
        Reply r = start(flood);
        assertThat(r.status()).as("start %d of an office's morning: %s", i + 1, r.body()).isEqualTo(303);
      }
      Reply over = start(flood);
      assertThat(over.status()).as("start %d: %s", limit + 1, over.body()).isEqualTo(429);
      assertThat(Long.parseLong(over.header("Retry-After"))).isBetween(1L, 60L);
      assertThat(over.header("Cache-Control")).isEqualTo("no-store");
      assertThat(over.body()).contains("Too many sign-ins");
      // The form's way in is the same start, so it shares the address's allowance.
      Reply identify = identify(flood);
      assertThat(identify.status()).as("identify: %s", identify.body()).isEqualTo(429);
      assertThat(rows() - before).as("rows written for %d starts", limit + 2).isEqualTo(limit);

      assertThat(start(office).status()).as("another address is not limited by the first").isEqualTo(303);

      clock.advance(java.time.Duration.ofSeconds(Long.parseLong(over.header("Retry-After"))));
      assertThat(start(flood).status()).as("after Retry-After").isEqualTo(303);
    }
  }

  @Test
  void aScriptAskingForJsonGetsTheTooManyAnswerAsJson() throws Exception {
    int limit = SsoSettings.DEFAULT_MAX_STARTS_PER_ADDRESS_PER_MINUTE;
    try (SourceClient flood = new SourceClient(SsoTestBed.clientVertx, "127.0.78.1", SsoTestBed.gateway.publicPort())) {
      for (int i = 0; i < limit; i++) {
        assertThat(start(flood).status()).isEqualTo(303);
      }
      Reply over = flood.get("/sso/start?login=olivia%40optco.example&next=%2F", Map.of("Accept", "application/json"));
      assertThat(over.status()).isEqualTo(429);
      assertThat(over.header("Content-Type")).startsWith("application/json");
      assertThat(over.json().getString("error")).isEqualTo("too_many_requests");
      assertThat(over.json().getLong("retry_after")).isEqualTo(Long.parseLong(over.header("Retry-After")));
    }
  }

  /**
   * A start refused on the way (here: a customer set up without tenant or client id) writes an audit row, which is
   * never deleted: beyond the allowance, nothing is written either.
   */
  @Test
  void startsRefusedForACustomerSetUpWronglyAuditAtMostTheLimit() throws Exception {
    int limit = SsoSettings.DEFAULT_MAX_STARTS_PER_ADDRESS_PER_MINUTE;
    try (SourceClient flood = new SourceClient(SsoTestBed.clientVertx, "127.0.79.1", SsoTestBed.gateway.publicPort())) {
      long before = refusalsAudited();
      for (int i = 0; i < limit; i++) {
        assertThat(start(flood, "hanna%40halfco.example").status()).isEqualTo(503);
      }
      assertThat(start(flood, "hanna%40halfco.example").status()).isEqualTo(429);
      assertThat(start(flood, "hanna%40halfco.example").status()).isEqualTo(429);
      assertThat(refusalsAudited() - before).isEqualTo(limit);
    }
  }

  /**
   * A name nobody has is looked up too (a query, asked for without credentials, and no invalid login, so the block
   * check never stops it): one address asks at most the allowance a minute, and the 429 is the same for every name.
   */
  @Test
  void namesNobodyHasAreLookedUpAtMostTheAllowanceAMinute() throws Exception {
    int limit = SsoSettings.DEFAULT_MAX_STARTS_PER_ADDRESS_PER_MINUTE;
    try (SourceClient flood = new SourceClient(SsoTestBed.clientVertx, "127.0.80.1", SsoTestBed.gateway.publicPort())) {
      for (int i = 0; i < limit; i++) {
        Reply r = start(flood, "nobody-" + i + "%40nowhere.example");
        assertThat(r.status()).as("lookup %d: %s", i + 1, r.body()).isEqualTo(200);
        assertThat(r.body()).contains("not available for this login name");
      }
      Reply over = start(flood, "nobody-more%40nowhere.example");
      assertThat(over.status()).as("lookup %d: %s", limit + 1, over.body()).isEqualTo(429);
      assertThat(Long.parseLong(over.header("Retry-After"))).isBetween(1L, 60L);
      assertThat(over.body()).contains("Too many sign-ins");
      assertThat(start(flood, "plain").status()).as("a name without @ is looked up as well").isEqualTo(429);
    }
  }

  private static Reply start(SourceClient c, String encodedLogin) {
    return c.get("/sso/start?login=" + encodedLogin + "&next=%2F", Map.of("Accept", "text/html"));
  }

  private static long refusalsAudited() throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM audit_events WHERE action = 'sso-refused'")) {
      r.next();
      return r.getLong(1);
    }
  }

  private static Reply start(SourceClient c) {
    return start(c, "olivia%40optco.example");
  }

  private static Reply identify(SourceClient c) {
    Reply page = c.get("/login", Map.of("Accept", "text/html"));
    String csrf = SourceClient.cookies(page).get("__Host-gw-csrf");
    return c.send(HttpMethod.POST, "/login/identify", Map.of("Accept", "text/html",
        "Content-Type", "application/x-www-form-urlencoded", "Cookie", "__Host-gw-csrf=" + csrf),
        "username=olivia%40optco.example&next=%2F&csrf=" + java.net.URLEncoder.encode(csrf,
            java.nio.charset.StandardCharsets.UTF_8));
  }

  private static long rows() throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM sso_requests")) {
      r.next();
      return r.getLong(1);
    }
  }
}
