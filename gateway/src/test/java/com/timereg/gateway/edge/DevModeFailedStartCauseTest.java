package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.timereg.gateway.config.GatewayConfig;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A dev-mode start that fails gives its own cause, even when stopping its local PostgreSQL then fails too: the
 * operator must learn why the start failed, not only that the server could not be stopped afterwards.
 */
class DevModeFailedStartCauseTest {
  private Path dir;

  @BeforeEach
  void createDirectory() throws Exception {
    // Under target/ rather than /tmp: as root the local PostgreSQL runs as another OS user, which must pass
    // through every parent directory.
    dir = Path.of("target", "devmode-cause-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
  }

  @AfterEach
  void stopAndDelete() throws Exception {
    Path pidFile = pgdata().resolve("postmaster.pid");
    if (Files.exists(pidFile)) {
      Files.setPosixFilePermissions(pidFile, PosixFilePermissions.fromString("rw-------"));
    }
    PostgresProcesses.stopLeftover(pgdata());
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void theCauseOfAFailedStartIsKeptWhenTheLocalPostgresThenCannotBeStopped() throws Exception {
    // pg_ctl runs as the postgres OS user only when this JVM is root; only then can this JVM read a lock file
    // that pg_ctl cannot.
    assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")), "runs as root");
    GatewayConfig config = config();
    try (DevMode first = DevMode.start(config, Map.of())) {
      // The next start's seeding fails, after making the server's lock file unreadable to pg_ctl: the stop after
      // the failure then fails as well, as with a server that cannot be stopped.
      try (Connection c = superuser(); Statement st = c.createStatement()) {
        st.execute("CREATE FUNCTION refuse_demo_customer() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN "
            + "EXECUTE 'COPY (SELECT 1) TO PROGRAM ''chmod 000 postmaster.pid'''; "
            + "RAISE EXCEPTION 'no demo customer here'; END $$");
        st.execute("CREATE TRIGGER refuse_demo_customer BEFORE INSERT ON customers FOR EACH ROW "
            + "EXECUTE FUNCTION refuse_demo_customer()");
      }
    }

    assertThatThrownBy(() -> DevMode.start(config, Map.of())).hasMessageContaining("no demo customer here");
  }

  private GatewayConfig config() throws Exception {
    Path file = Files.writeString(dir.resolve("gateway-test.yaml"), "");
    Map<String, String> env = Map.of(
        "GATEWAY_DATA_DIR", dir.resolve("data").toString(),
        "GATEWAY_PUBLIC__PORT", "0",
        "GATEWAY_ADMIN__PORT", "0",
        "GATEWAY_HTTP_REDIRECT__PORT", "0",
        "GATEWAY_PASSWORD__ITERATIONS", "1000");
    return GatewayConfig.load(file, env::get, true);
  }

  private Path pgdata() {
    return dir.resolve("data").resolve("postgres").resolve("pgdata");
  }

  private Connection superuser() throws Exception {
    Properties secrets = new Properties();
    try (Reader r = Files.newBufferedReader(dir.resolve("data").resolve("postgres").resolve("local-postgres.properties"))) {
      secrets.load(r);
    }
    String port = Files.readAllLines(dir.resolve("data").resolve("dev-postgres.env")).stream()
        .filter(l -> l.startsWith("PGPORT=")).findFirst().orElseThrow().substring("PGPORT=".length());
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/gateway?sslmode=disable", "postgres",
        secrets.getProperty("superuserPassword"));
  }
}
