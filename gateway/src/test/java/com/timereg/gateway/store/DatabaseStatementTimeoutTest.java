package com.timereg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.SslMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A statement the server holds (it waits for a lock another session keeps: a DBA's open transaction, a migration)
 * must fail on the server, rolled back, before the client gives up on its silent connection: closing the
 * connection does not stop the server's backend, which runs the statement once the lock is free and commits it,
 * after the caller was already told it failed (and retried, a refresh token rotated twice, say).
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class DatabaseStatementTimeoutTest {
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);

  private Database database;

  @AfterEach
  void closePool() throws Exception {
    if (database != null) {
      database.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Timeout(60)
  void aStatementWaitingForALockFailsOnTheServerAndIsNotAppliedLaterBehindTheCallersBack(Vertx vertx, TestDatabase db)
      throws Exception {
    try (Connection setup = db.openJdbc(); Statement s = setup.createStatement()) {
      s.execute("CREATE TABLE counter (id int PRIMARY KEY, v int NOT NULL)");
      s.execute("INSERT INTO counter VALUES (1, 0)");
    }
    ConnectionSettings c = db.settings();
    database = Database.create(vertx, new DatabaseSettings(
        c, 1, DatabaseSettings.DEFAULT_CONNECT_TIMEOUT, SslMode.DISABLE, IDLE_TIMEOUT));

    try (Connection locker = db.openJdbc(); Statement s = locker.createStatement()) {
      locker.setAutoCommit(false);
      s.execute("SELECT v FROM counter WHERE id = 1 FOR UPDATE");
      Future<?> update = database.pool().query("UPDATE counter SET v = v + 1 WHERE id = 1").execute();
      // The caller is told the update failed while the lock is still held (before: it waited for the lock).
      assertThat(update.transform(ar -> Future.succeededFuture(ar.succeeded())).await(20, TimeUnit.SECONDS))
          .as("the update waiting for the lock failed").isFalse();
      assertThat(update.cause()).hasMessageContaining("statement timeout");
      locker.commit();
    }
    // Whatever the server still had of that update has finished before the count is read.
    waitUntilNoStatementOn(db, "UPDATE counter");
    try (Connection check = db.openJdbc(); Statement s = check.createStatement();
        ResultSet r = s.executeQuery("SELECT v FROM counter WHERE id = 1")) {
      r.next();
      assertThat(r.getInt(1)).as("the update the caller saw fail was not applied after all").isZero();
    }
    // The pool still serves.
    assertThat(database.pool().query("SELECT 1").execute().await(10, TimeUnit.SECONDS).size()).isEqualTo(1);
  }

  @Test
  void theStatementTimeoutEndsAMarginBeforeTheIdleTimeout() {
    assertThat(withIdleTimeout(Duration.ofSeconds(30)).statementTimeout()).isEqualTo(Duration.ofSeconds(28));
    assertThat(withIdleTimeout(Duration.ofSeconds(2)).statementTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(withIdleTimeout(Duration.ofMillis(500)).statementTimeout()).isEqualTo(Duration.ofMillis(250));
  }

  private static DatabaseSettings withIdleTimeout(Duration idle) {
    return new DatabaseSettings(ConnectionSettings.fromUrl("postgresql://u@h/d"), 1,
        DatabaseSettings.DEFAULT_CONNECT_TIMEOUT, SslMode.DISABLE, idle);
  }

  private static void waitUntilNoStatementOn(TestDatabase db, String prefix) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      for (int attempt = 0; ; attempt++) {
        try (ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            + " AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE '" + prefix + "%'")) {
          r.next();
          if (r.getInt(1) == 0) {
            return;
          }
        }
        assertThat(attempt).as("a backend still runs '%s'", prefix).isLessThan(200);
        // Bounded poll of the server's own state: the backend's end is not observable from here otherwise.
        s.execute("SELECT pg_sleep(0.05)");
      }
    }
  }
}
