package com.timereg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class MigrationsTest {

  @Test
  void migratesEmptyDatabaseThenDoesNothingOnTheNextStart(TestDatabase db) throws Exception {
    ConnectionSettings empty = db.createEmptyDatabase();

    Migrations.Outcome first = Migrations.migrate(DatabaseSettings.of(empty));
    Migrations.Outcome second = Migrations.migrate(DatabaseSettings.of(empty));

    assertThat(first.migrationsExecuted()).isPositive();
    assertThat(second.migrationsExecuted()).isZero();
    assertThat(second.schemaVersion()).isEqualTo(first.schemaVersion()).isEqualTo("6");
    try (Connection c = DriverManager.getConnection(empty.jdbcUrl("disable"), empty.user(), empty.password())) {
      assertThat(tables(c)).contains("customers", "users", "sessions", "refresh_tokens", "blocks", "allowlist", "audit_events", "sso_requests");
    }
  }

  @Test
  void refusesASchemaThatANewerBuildMigratedNamingBothVersions(TestDatabase db) throws Exception {
    ConnectionSettings rolledBack = db.createEmptyDatabase();
    Migrations.migrate(DatabaseSettings.of(rolledBack));
    // A newer node applied V7, then this (older) build is started again, as in a rollback.
    try (Connection c = DriverManager.getConnection(rolledBack.jdbcUrl("disable"), rolledBack.user(), rolledBack.password());
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, "
          + "installed_by, execution_time, success) SELECT max(installed_rank) + 1, '7', 'from the future', 'SQL', "
          + "'V7__from_the_future.sql', 1, current_user, 1, true FROM flyway_schema_history");
    }

    assertThatThrownBy(() -> Migrations.migrate(DatabaseSettings.of(rolledBack)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("version 7").hasMessageContaining("version 6");
  }

  @Test
  void newCustomerGetsTheDocumentedPasswordPolicyDefaults(TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      ResultSet r = s.executeQuery("INSERT INTO customers (slug, name) VALUES ('defaults', 'Defaults Ltd') "
          + "RETURNING sso_mode, min_password_score, min_password_length, max_password_length, breached_min_prevalence");
      r.next();
      assertThat(r.getString(1)).isEqualTo("disabled");
      assertThat(List.of(r.getInt(2), r.getInt(3), r.getInt(4), r.getInt(5))).containsExactly(3, 8, 128, 1);
    }
  }

  @Test
  void refusesUnknownSsoModeAndMaximumLengthBelow64(TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.execute("INSERT INTO customers (slug, name, sso_mode) VALUES ('sso', 'x', 'sometimes')"))
          .isInstanceOf(SQLException.class).hasMessageContaining("sso_mode");
      assertThatThrownBy(() -> s.execute("INSERT INTO customers (slug, name, max_password_length) VALUES ('short', 'x', 32)"))
          .isInstanceOf(SQLException.class).hasMessageContaining("max_password_length");
    }
  }

  @Test
  void loginNamesAreUniqueIgnoringCaseAndSsoUsersNeedNoPassword(TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO customers (slug, name, sso_mode) VALUES ('acme', 'Acme', 'required')");
      s.execute("INSERT INTO users (customer_id, login_name) SELECT id, 'Ärger@Acme.example' FROM customers WHERE slug = 'acme'");

      assertThatThrownBy(() -> s.execute(
          "INSERT INTO users (customer_id, login_name) SELECT id, 'ärger@acme.example' FROM customers WHERE slug = 'acme'"))
          .isInstanceOf(SQLException.class).hasMessageContaining("users_login_name_lower_key");
      ResultSet r = s.executeQuery("SELECT password_hash IS NULL, active, cardinality(roles) FROM users");
      r.next();
      assertThat(List.of(r.getBoolean(1), r.getBoolean(2), r.getInt(3))).containsExactly(true, true, 0);
    }
  }

  private static List<String> tables(Connection c) throws SQLException {
    List<String> names = new ArrayList<>();
    try (ResultSet r = c.getMetaData().getTables(null, "public", "%", new String[] {"TABLE"})) {
      while (r.next()) {
        names.add(r.getString("TABLE_NAME"));
      }
    }
    return names;
  }
}
