package com.timereg.gateway.store;

import org.flywaydb.core.Flyway;
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
    MigrateResult result = flyway.migrate();
    String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
    LOG.info("Database schema of {} at version {} ({} migrations applied)", c, version, result.migrationsExecuted);
    return new Outcome(result.migrationsExecuted, version);
  }
}
