package com.timereg.gateway.store;

import java.util.Arrays;
import java.util.Comparator;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the schema up to date with the versioned SQL under {@code db/migration} on the classpath.
 *
 * <p>Blocking (JDBC): call it from a worker, e.g. {@code vertx.executeBlocking(() -> Migrations.migrate(s))}.
 * Running it again is a no-op. Nodes starting together take turns: the check of the schema's version and the
 * migration run under one PostgreSQL advisory lock of the gateway's ({@link #LOCK_KEY}), held by a session of its
 * own; Flyway's own lock, taken only around its migration, would let an older build pass its check while a newer
 * one migrates.
 */
public final class Migrations {
  public static final String LOCATION = "classpath:db/migration";
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  /**
   * The gateway's session-level advisory lock around check and migration ("timereg" in ASCII, then 1). Not
   * Flyway's own key: Flyway takes that one from another session while migrating, which would wait for this one.
   */
  static final long LOCK_KEY = 0x74696d6572656701L;
  /**
   * How long a start waits for another node's check and migration before it gives up (Flyway's own lock gives up
   * after about as long): a node stuck there should fail its start with a line saying so, not wait for ever.
   */
  static final java.time.Duration LOCK_WAIT = java.time.Duration.ofSeconds(60);

  /** What a run did: how many scripts it applied and the schema version afterwards. */
  public record Outcome(int migrationsExecuted, String schemaVersion) {}

  private Migrations() {}

  public static Outcome migrate(DatabaseSettings settings) {
    ConnectionSettings c = settings.connection();
    Flyway flyway = Flyway.configure()
        .dataSource(settings.jdbcUrl(), c.user(), c.password())
        .locations(LOCATION)
        .failOnMissingLocations(true)
        // A dropped or renamed script must stop the start, not leave the schema half-known.
        .validateOnMigrate(true)
        .cleanDisabled(true)
        .load();
    MigrateResult result;
    // Check and migration under one lock: outside it, an older build starting while a newer one migrated would pass
    // its check before the newer scripts were committed, then run on the schema they left.
    try (java.sql.Connection lock = lock(settings)) {
      refuseNewerSchema(flyway, c);
      result = flyway.migrate();
    } catch (java.sql.SQLException e) {
      // Closing the session is what releases the lock; one that fails to close has lost it anyway.
      throw new IllegalStateException("the database " + c + ": " + e.getMessage(), e);
    }
    String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
    LOG.info("Database schema of {} at version {} ({} migrations applied)", c, version, result.migrationsExecuted);
    return new Outcome(result.migrationsExecuted, version);
  }

  /** A session holding {@link #LOCK_KEY}, waited for up to {@link #LOCK_WAIT}. */
  private static java.sql.Connection lock(DatabaseSettings settings) throws java.sql.SQLException {
    ConnectionSettings c = settings.connection();
    java.sql.Connection session = java.sql.DriverManager.getConnection(settings.jdbcUrl(), c.user(), c.password());
    try (java.sql.Statement s = session.createStatement()) {
      s.execute("SET lock_timeout = " + LOCK_WAIT.toMillis());
      s.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
      s.execute("RESET lock_timeout");
      return session;
    } catch (java.sql.SQLException e) {
      session.close();
      if ("55P03".equals(e.getSQLState())) { // lock_not_available: lock_timeout ran out
        throw new java.sql.SQLException("another gateway node has been checking or migrating its schema for over "
            + LOCK_WAIT.toSeconds() + " s (PostgreSQL advisory lock " + LOCK_KEY + "); start again once it is done",
            e.getSQLState(), e);
      }
      throw e;
    }
  }

  /**
   * Refuses a schema that a newer build migrated past this build's last script (a rollback after a newer node
   * started). Flyway only warns about such "future" migrations (its default ignores them), and this build would
   * then run on tables it does not know: a column a newer script added to revoke or block something would be
   * ignored, not enforced. Refusing is the safe side; running the newer build again (or restoring the schema) is
   * the way out.
   */
  private static void refuseNewerSchema(Flyway flyway, ConnectionSettings c) {
    MigrationInfo[] all = flyway.info().all();
    MigrationVersion newestKnown = Arrays.stream(all)
        .filter(i -> i.getState().isResolved() && i.getVersion() != null)
        .map(MigrationInfo::getVersion).max(Comparator.naturalOrder()).orElse(MigrationVersion.EMPTY);
    Arrays.stream(all)
        .filter(i -> i.getState() == MigrationState.FUTURE_SUCCESS || i.getState() == MigrationState.FUTURE_FAILED)
        .map(MigrationInfo::getVersion).max(Comparator.naturalOrder())
        .ifPresent(future -> {
          throw new IllegalStateException("the database schema of " + c + " is at version " + future
              + ", newer than this build knows (up to version " + newestKnown + "): a newer gateway migrated it. "
              + "Refusing to run on a schema this build does not know; start the newer build again");
        });
  }
}
