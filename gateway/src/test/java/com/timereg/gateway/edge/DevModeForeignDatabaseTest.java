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
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dev mode puts users with published passwords (one of them security staff) into its database. Pointed by
 * {@code GATEWAY_DATABASE_URL} at a database that holds real customers, it refuses instead.
 */
@ExtendWith(PostgresExtension.class)
class DevModeForeignDatabaseTest {
  @TempDir Path dir;

  @Test
  void aDatabaseWithOtherCustomersGetsNoDemoUsers(TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc(); Statement st = c.createStatement()) {
      st.execute("INSERT INTO customers (slug, name) VALUES ('acme', 'Acme') ON CONFLICT DO NOTHING");
    }
    ConnectionSettings s = db.settings();
    String url = "postgresql://" + encode(s.user()) + ":" + encode(s.password()) + "@" + s.host() + ":" + s.port()
        + "/" + s.database();

    assertThatThrownBy(() -> DevMode.start(
            TestGateways.config(dir, db, Map.of("GATEWAY_PASSWORD__ITERATIONS", "1000")),
            Map.of(DevDatabase.URL_ENV, url)))
        .hasMessageContaining("holds other customers");

    try (Connection c = db.openJdbc(); Statement st = c.createStatement();
        ResultSet r = st.executeQuery("SELECT count(*) FROM users WHERE login_name LIKE '%@demo.test'")) {
      r.next();
      assertThat(r.getInt(1)).isZero();
    }
  }

  private static String encode(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }
}
