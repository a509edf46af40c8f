package com.timereg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A data directory is whatever the operator names ({@code data-dir}, a home directory with a space): pg_ctl
 * hands the data directory and the log file to a shell inside double quotes, so a path with a quote, a dollar
 * sign or a backquote must not reach that command line.
 */
class LocalPostgresPathTest {

  @ParameterizedTest
  @ValueSource(strings = {"with space", "with \"quote\"", "with $HOME and `id`", "with back\\slash", "with it's"})
  void startsInADirectoryWhoseNameAShellWouldInterpret(String name) throws Exception {
    Path parent = Path.of("target", "pg-test-path-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
    Path dir = parent.resolve(name);
    try {
      try (LocalPostgres pg = LocalPostgres.open(dir)) {
        assertThat(pg.isRunning()).isTrue();
        try (Connection c = DriverManager.getConnection(pg.settings().jdbcUrl("disable"), pg.settings().user(),
            pg.settings().password()); Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 1")) {
          assertThat(r.next()).isTrue();
        }
        assertThat(Files.size(dir.resolve("pgdata").resolve("server.log"))).isPositive();
      }
    } finally {
      PostgresExtension.deleteTree(parent);
    }
  }
}
