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
 * Running it again is a no-op, and nodes starting together are safe because Flyway serialises
 * migrations with a PostgreSQL advisory lock.
 */
public final class Migrations {
  public static final String LOCATION = "classpath:db/migration";
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

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
    refuseNewerSchema(flyway, c);
    MigrateResult result = flyway.migrate();
    String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
    LOG.info("Database schema of {} at version {} ({} migrations applied)", c, version, result.migrationsExecuted);
    return new Outcome(result.migrationsExecuted, version);
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
