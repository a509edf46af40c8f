package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.timereg.gateway.store.ConnectionSettings;
import com.timereg.gateway.store.DevDatabase;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dev-mode start that fails after its gateway is up (here: the demo users cannot be created) releases that
 * gateway, its ports, its pool and its throttle maps with their lock, so that a second start in the same JVM,
 * once the cause is gone, works.
 */
@ExtendWith(PostgresExtension.class)
class DevModeFailedStartTest {
  @TempDir Path dir;

  @Test
  void aStartThatFailsWhileSeedingReleasesTheGatewaySoThatTheNextStartWorks(TestDatabase db) throws Exception {
    ConnectionSettings s = db.settings();
    String url = "postgresql://" + encode(s.user()) + ":" + encode(s.password()) + "@" + s.host() + ":" + s.port()
        + "/" + s.database();
    Map<String, String> env = Map.of(DevDatabase.URL_ENV, url);
    try (Connection c = db.openJdbc(); Statement st = c.createStatement()) {
      st.execute("CREATE FUNCTION refuse_demo_users() RETURNS trigger LANGUAGE plpgsql AS "
          + "$$ BEGIN RAISE EXCEPTION 'no demo users here'; END $$");
      st.execute("CREATE TRIGGER refuse_demo_users BEFORE INSERT ON users FOR EACH ROW "
          + "EXECUTE FUNCTION refuse_demo_users()");
    }
    assertThatThrownBy(() -> DevMode.start(config(db), env)).hasMessageContaining("no demo users here");

    try (Connection c = db.openJdbc(); Statement st = c.createStatement()) {
      st.execute("DROP TRIGGER refuse_demo_users ON users");
    }
    try (DevMode dev = DevMode.start(config(db), env);
        PublicClient admin = PublicClient.plain(dev.gateway().adminPort())) {
      assertThat(dev.gateway().publicPort()).isPositive();
    }
  }

  private com.timereg.gateway.config.GatewayConfig config(TestDatabase db) throws Exception {
    return TestGateways.config(dir, db, Map.of("GATEWAY_PASSWORD__ITERATIONS", "1000"));
  }

  private static String encode(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }
}
