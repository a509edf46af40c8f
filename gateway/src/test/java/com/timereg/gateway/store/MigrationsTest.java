package com.timereg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PostgresExtension.class)
class MigrationsTest {

  @Test
  void migratesEmptyDatabaseThenDoesNothingOnTheNextStart(TestDatabase db) throws Exception {
    ConnectionSettings empty = db.createEmptyDatabase();

    Migrations.Outcome first = Migrations.migrate(DatabaseSettings.of(empty));
    Migrations.Outcome second = Migrations.migrate(DatabaseSettings.of(empty));

    assertThat(first.migrationsExecuted()).isPositive();
    assertThat(second.migrationsExecuted()).isZero();
    assertThat(second.schemaVersion()).isEqualTo(first.schemaVersion()).isEqualTo("7");
    try (Connection c = DriverManager.getConnection(empty.jdbcUrl("disable"), empty.user(), empty.password())) {
      assertThat(tables(c)).contains("customers", "users", "sessions", "refresh_tokens", "blocks", "allowlist", "audit_events", "sso_requests");
    }
  }

  @Test
  void refusesASchemaThatANewerBuildMigratedNamingBothVersions(TestDatabase db) throws Exception {
    ConnectionSettings rolledBack = db.createEmptyDatabase();
    Migrations.migrate(DatabaseSettings.of(rolledBack));
    // A newer node applied V8, then this (older) build is started again, as in a rollback.
    try (Connection c = DriverManager.getConnection(rolledBack.jdbcUrl("disable"), rolledBack.user(), rolledBack.password());
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, "
          + "installed_by, execution_time, success) SELECT max(installed_rank) + 1, '8', 'from the future', 'SQL', "
          + "'V8__from_the_future.sql', 1, current_user, 1, true FROM flyway_schema_history");
    }

    assertThatThrownBy(() -> Migrations.migrate(DatabaseSettings.of(rolledBack)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("version 8").hasMessageContaining("version 7");
  }

  /**
   * A newer build migrating while this (older) build starts, as two nodes of a rolled-back deploy starting together.
   * The newer build's extra script waits on a table the test holds, so it is still migrating when the older one
   * starts; the older one must not pass its check then and go on to run on the schema the newer one leaves.
   */
  @Test
  void anOlderBuildStartingWhileANewerOneMigratesRefusesTheSchemaItLeaves(TestDatabase db, @TempDir Path newerBuild)
      throws Exception {
    ConnectionSettings shared = db.createEmptyDatabase();
    Migrations.migrate(DatabaseSettings.of(shared));
    Path scripts = Files.createDirectories(newerBuild.resolve("db/migration"));
    Files.writeString(scripts.resolve("V8__from_the_newer_build.sql"),
        "LOCK TABLE migration_gate IN ACCESS SHARE MODE;\nALTER TABLE users ADD COLUMN from_the_newer_build boolean;\n");
    ExecutorService nodes = Executors.newFixedThreadPool(2);
    try (Connection test = DriverManager.getConnection(shared.jdbcUrl("disable"), shared.user(), shared.password());
        Statement s = test.createStatement();
        // Outside the test's transaction, which would see the sessions as they were when it began.
        Connection watch = DriverManager.getConnection(shared.jdbcUrl("disable"), shared.user(), shared.password())) {
      s.execute("CREATE TABLE migration_gate ()");
      test.setAutoCommit(false);
      s.execute("LOCK TABLE migration_gate IN ACCESS EXCLUSIVE MODE");
      // The newer build: this code with one more script on its class path (Flyway scans the context class loader).
      Future<Migrations.Outcome> newer = nodes.submit(() -> {
        Thread.currentThread().setContextClassLoader(
            new URLClassLoader(new URL[] {newerBuild.toUri().toURL()}, Migrations.class.getClassLoader()));
        return Migrations.migrate(DatabaseSettings.of(shared));
      });
      until(() -> activity(watch), () -> query(watch, "SELECT count(*) FROM pg_locks WHERE relation = 'migration_gate'::regclass "
          + "AND NOT granted") > 0);
      List<Long> newerSessions = sessions(watch);
      Future<Migrations.Outcome> older = nodes.submit(() -> Migrations.migrate(DatabaseSettings.of(shared)));
      // The older build has gone as far as a lock (Flyway's, or one around its check) the newer one holds.
      until(() -> activity(watch), () -> sessions(watch).stream().anyMatch(pid -> !newerSessions.contains(pid)
          && query(watch, "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid + " AND query ILIKE '%advisory%'") > 0));
      test.commit();

      assertThat(newer.get(60, TimeUnit.SECONDS).schemaVersion()).isEqualTo("8");
      assertThatThrownBy(() -> older.get(60, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause()
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("version 8").hasMessageContaining("version 7");
    } finally {
      nodes.shutdownNow();
    }
  }

  /** The other sessions on the test's database. */
  private static List<Long> sessions(Connection c) {
    List<Long> pids = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
      while (r.next()) {
        pids.add(r.getLong(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return pids;
  }

  /** What the other sessions are doing, for a failure's message. */
  private static String activity(Connection c) {
    StringBuilder all = new StringBuilder();
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pid, state, wait_event_type, "
        + "wait_event, query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
      while (r.next()) {
        all.append("\n  ").append(r.getLong(1)).append(' ').append(r.getString(2)).append(' ').append(r.getString(3))
            .append('/').append(r.getString(4)).append(": ").append(r.getString(5));
      }
    } catch (SQLException e) {
      return e.toString();
    }
    return all.toString();
  }

  private static long query(Connection c, String count) {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(count)) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Polls a condition that other threads make true; bounded. */
  private static void until(java.util.function.Supplier<String> state, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within 30 s; sessions: " + state.get());
      }
      Thread.sleep(5);
    }
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
