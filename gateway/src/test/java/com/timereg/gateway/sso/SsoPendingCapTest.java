package com.timereg.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.ManualClock;
import com.timereg.gateway.testsupport.SourceClient;
import com.timereg.gateway.testsupport.SourceClient.Reply;
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
 * The per-address start limit bounds one address, not many (a botnet, an IPv6 network's many /64s): the pending
 * sign-ins of all addresses together are bounded by {@code sso.max-pending-sign-ins}, without a count per start.
 * Real gateway and PostgreSQL ({@link SsoTestBed}), each start from its own 127.x address.
 */
@ExtendWith(PostgresExtension.class)
class SsoPendingCapTest {
  static final int CAP = 5;
  @TempDir static Path dir;
  static TestDatabase db;

  @BeforeAll
  static void start(TestDatabase database) throws Exception {
    db = database;
    SsoTestBed.start(database, dir, ManualClock.startingNow(),
        Map.of("GATEWAY_SSO__MAX_PENDING_SIGN_INS", Integer.toString(CAP)));
  }

  @AfterAll
  static void stop() {
    SsoTestBed.stop();
  }

  @Test
  void manyAddressesTogetherStartAtMostTheCapOfPendingSignInsAndTheRestWriteNothing() throws Exception {
    for (int i = 1; i <= CAP; i++) {
      Reply r = start("127.0.91." + i, "text/html");
      assertThat(r.status()).as("start %d from its own address: %s", i, r.body()).isEqualTo(303);
    }
    Reply over = start("127.0.92.1", "text/html");
    assertThat(over.status()).as("a start beyond the cap: %s", over.body()).isEqualTo(503);
    assertThat(over.header("Retry-After")).isEqualTo("60");
    assertThat(over.header("Cache-Control")).isEqualTo("no-store");
    assertThat(SourceClient.cookies(over)).doesNotContainKey(SsoRoutes.BINDING_COOKIE);
    assertThat(over.body()).contains("Microsoft sign-in is busy right now");

    Reply script = start("127.0.92.2", "application/json");
    assertThat(script.status()).isEqualTo(503);
    assertThat(script.json().getString("error")).isEqualTo("service_unavailable");
    assertThat(script.json().getLong("retry_after")).isEqualTo(60);
    assertThat(rows()).as("rows written").isEqualTo(CAP);
  }

  private static Reply start(String address, String accept) throws Exception {
    try (SourceClient c = new SourceClient(SsoTestBed.clientVertx, address, SsoTestBed.gateway.publicPort())) {
      return c.get("/sso/start?login=olivia%40optco.example&next=%2F", Map.of("Accept", accept));
    }
  }

  private static long rows() throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM sso_requests")) {
      r.next();
      return r.getLong(1);
    }
  }
}
