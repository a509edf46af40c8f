package com.timereg.gateway.store;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/** A test class's own database on the test server, plus control over a local server. */
public final class TestDatabase {
  private final DevDatabase server;
  private final boolean mayCreateDatabases;
  private final List<String> created = new ArrayList<>();
  private ConnectionSettings settings;

  private TestDatabase(DevDatabase server, boolean mayCreateDatabases) {
    this.server = server;
    this.mayCreateDatabases = mayCreateDatabases;
  }

  /**
   * A fresh, migrated database for {@code testClass}, or the server's own database (migrated)
   * when the role may not create databases, as on a shared server from the environment.
   */
  static TestDatabase forClass(DevDatabase server, Class<?> testClass) throws SQLException {
    TestDatabase db = new TestDatabase(server, mayCreateDatabases(server.settings()));
    db.settings = db.mayCreateDatabases ? db.createDatabase(testClass.getSimpleName()) : server.settings();
    Migrations.migrate(DatabaseSettings.of(db.settings));
    return db;
  }

  /** This class's database, migrated to the latest schema. */
  public ConnectionSettings settings() {
    return settings;
  }

  public DatabaseSettings databaseSettings() {
    return DatabaseSettings.of(settings);
  }

  /** A new database without any schema, dropped with this class's; skips the test if the role may not. */
  public ConnectionSettings createEmptyDatabase() throws SQLException {
    Assumptions.assumeTrue(mayCreateDatabases, "the database role may not create databases");
    return createDatabase("empty");
  }

  public Connection openJdbc() throws SQLException {
    return open(settings);
  }

  public boolean canRestartServer() {
    return server.local().isPresent();
  }

  /** Stops the local server, keeping its data; skips the test on a server from the environment. */
  public void stopServer() throws IOException {
    Assumptions.assumeTrue(canRestartServer(), "the server comes from " + DevDatabase.URL_ENV);
    server.local().orElseThrow().stop();
  }

  public void startServer() throws IOException {
    Assumptions.assumeTrue(canRestartServer(), "the server comes from " + DevDatabase.URL_ENV);
    server.local().orElseThrow().start();
  }

  void dropDatabases() throws IOException, SQLException {
    if (created.isEmpty()) {
      return;
    }
    if (server.local().isPresent()) {
      server.local().get().start(); // a test may have left it stopped
    }
    try (Connection c = open(server.settings()); Statement s = c.createStatement()) {
      for (String name : created) {
        drop(s, name);
      }
    }
    created.clear();
  }

  /**
   * FORCE: a test that forgot to close its pool (or a gateway whose LISTEN feed reconnects) must not make the
   * next class fail. FORCE refuses, as not ours to end, an autovacuum worker that happens to be in the database
   * (SQLState 42501); then our own sessions are ended and a plain DROP, which ends the worker itself, follows.
   */
  private static void drop(Statement s, String name) throws SQLException {
    try {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      if (!"42501".equals(e.getSQLState())) {
        throw e;
      }
      s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name
          + "' AND usename = current_user AND pid <> pg_backend_pid()");
      s.execute("DROP DATABASE IF EXISTS " + name);
    }
  }

  private ConnectionSettings createDatabase(String purpose) throws SQLException {
    String name = ("t_" + purpose.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_"));
    name = name.substring(0, Math.min(name.length(), 40)) + "_" + UUID.randomUUID().toString().substring(0, 8);
    try (Connection c = open(server.settings()); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    created.add(name);
    return server.settings().withDatabase(name);
  }

  private static boolean mayCreateDatabases(ConnectionSettings base) throws SQLException {
    try (Connection c = open(base); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user")) {
      return r.next() && r.getBoolean(1);
    }
  }

  private static Connection open(ConnectionSettings s) throws SQLException {
    return DriverManager.getConnection(s.jdbcUrl(DatabaseSettings.DEFAULT_SSL_MODE.value), s.user(), s.password());
  }
}
