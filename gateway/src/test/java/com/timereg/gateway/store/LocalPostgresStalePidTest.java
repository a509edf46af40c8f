package com.timereg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A postmaster.pid left by a crash (of the machine, the container) names a pid the system may since have given to
 * a process of another cluster on the same machine (another engineer's, the test server): that one is not this
 * cluster's server, and must not be stopped in its place.
 */
@ExtendWith(PostgresExtension.class)
class LocalPostgresStalePidTest {
  private final Path dir =
      Path.of("target", "pg-test-stale-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();

  @AfterEach
  void stopAndDelete() throws Exception {
    PostgresExtension.deleteTree(dir);
  }

  @Test
  void aStalePidNowUsedByAnotherClustersServerIsRemovedAndThatServerLeftAlone(TestDatabase db) throws Exception {
    Assumptions.assumeTrue(db.canRestartServer(), "the other cluster must run on this machine");
    LocalPostgres.open(dir).stop();
    try (Connection other = db.openJdbc(); Statement s = other.createStatement()) {
      long otherServerProcess;
      try (ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
        r.next();
        otherServerProcess = r.getLong(1);
      }
      // The lock file of a server gone with the machine, its pid now a process of the other cluster.
      Files.writeString(dir.resolve("pgdata/postmaster.pid"), otherServerProcess + "\n" + dir.resolve("pgdata") + "\n",
          StandardCharsets.UTF_8);

      try (LocalPostgres again = LocalPostgres.open(dir)) {
        assertThat(again.isRunning()).isTrue();
      }
      try (ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
        r.next();
        assertThat(r.getLong(1)).as("the other cluster's session was not ended").isEqualTo(otherServerProcess);
      }
    }
  }
}
