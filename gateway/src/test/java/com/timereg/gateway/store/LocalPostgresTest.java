package com.timereg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts as development mode does them: a new {@link LocalPostgres} on the directory of the
 * last one. Uses its own cluster, not the shared test server, since it stops and takes over servers.
 */
class LocalPostgresTest {
  private static Path dir;
  private static LocalPostgres first;

  @BeforeAll
  static void createClusterWithARow() throws Exception {
    dir = Path.of("target", "pg-test-local-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
    first = LocalPostgres.open(dir);
    exec(first.settings(), "CREATE TABLE IF NOT EXISTS survivor (name text); INSERT INTO survivor VALUES ('kept')");
  }

  @AfterAll
  static void stopAndDelete() throws Exception {
    first.stop();
    PostgresExtension.deleteTree(dir);
  }

  @Test
  void reopeningReusesClusterDataAndPasswords() throws Exception {
    ConnectionSettings before = first.settings();
    first.stop();

    try (LocalPostgres again = LocalPostgres.open(dir)) {
      assertThat(again.settings().password()).isEqualTo(before.password());
      assertThat(count(again.settings(), "SELECT count(*) FROM survivor")).isEqualTo(1);
    }
    first.start();
  }

  @Test
  void startsDespiteStalePostmasterPid() throws Exception {
    Path pidFile = dir.resolve("pgdata/postmaster.pid");
    byte[] pidOfStoppedServer = Files.readAllBytes(pidFile);
    first.stop();
    // What a crash of the machine leaves behind: the lock file of a process that is gone.
    Files.write(pidFile, pidOfStoppedServer);

    try (LocalPostgres again = LocalPostgres.open(dir)) {
      assertThat(count(again.settings(), "SELECT count(*) FROM survivor")).isEqualTo(1);
    }
    first.start();
  }

  @Test
  void takesOverAServerLeftRunningByAnEarlierProcess() throws Exception {
    // first's server still runs, as after the JVM that started it was killed.
    try (LocalPostgres again = LocalPostgres.open(dir)) {
      assertThat(again.isRunning()).isTrue();
      assertThat(count(again.settings(), "SELECT count(*) FROM survivor")).isEqualTo(1);
    }
    first.start();
    assertThat(count(first.settings(), "SELECT count(*) FROM survivor")).isEqualTo(1);
  }

  @Test
  void refusesDirectoryInUseByAnotherLiveJvm(@TempDir Path tmp) throws Exception {
    Path sleeper = Files.writeString(tmp.resolve("Sleeper.java"),
        "class Sleeper { public static void main(String[] a) throws Exception { Thread.sleep(60_000); } }");
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process otherJvm = new ProcessBuilder(java, sleeper.toString()).start();
    Path ownerFile = dir.resolve("owner.pid");
    String me = Files.readString(ownerFile);
    try {
      first.stop();
      Files.writeString(ownerFile, otherJvm.pid() + "\n");

      assertThatThrownBy(() -> LocalPostgres.open(dir))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("in use by process " + otherJvm.pid());
    } finally {
      otherJvm.destroyForcibly().waitFor();
      Files.writeString(ownerFile, me);
    }
    first.start();
  }

  @Test
  void stopAndStartKeepDataAndAddress() throws Exception {
    ConnectionSettings before = first.settings();
    first.stop();
    assertThat(first.isRunning()).isFalse();
    first.start();

    assertThat(first.settings()).isEqualTo(before);
    assertThat(count(before, "SELECT count(*) FROM survivor")).isEqualTo(1);
  }

  @Test
  void stopsImmediatelyWhenAFastShutdownHangs() throws Exception {
    // A checkpointer that cannot run never writes the shutdown checkpoint a fast shutdown waits for.
    long checkpointer = childOfServer("checkpointer");
    signal("STOP", checkpointer);
    try {
      first.stop();

      assertThat(first.isRunning()).isFalse();
      assertThat(ProcessHandle.of(checkpointer).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    } finally {
      if (ProcessHandle.of(checkpointer).map(ProcessHandle::isAlive).orElse(false)) {
        signal("CONT", checkpointer);
      }
    }
    first.start();
    assertThat(count(first.settings(), "SELECT count(*) FROM survivor")).isEqualTo(1);
  }

  @Test
  void writesEnvFileForPsql() throws Exception {
    Path env = dir.resolve("dev-postgres.env");
    first.writeEnvFile(env);

    assertThat(Files.readAllLines(env)).contains(
        "PGHOST=127.0.0.1", "PGPORT=" + first.settings().port(), "PGUSER=gateway", "PGDATABASE=gateway")
        .anyMatch(l -> l.startsWith("PGPASSWORD="));
  }

  /** The pid of the running server's child whose process title names {@code role}. */
  private static long childOfServer(String role) throws IOException {
    return ServerProcesses.children(dir).entrySet().stream()
        .filter(child -> child.getValue().contains(role))
        .mapToLong(Map.Entry::getKey).findFirst()
        .orElseThrow(() -> new AssertionError("no " + role + " process under the server in " + dir));
  }

  private static void signal(String name, long pid) throws IOException, InterruptedException {
    assertThat(new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).inheritIO().start().waitFor()).isZero();
  }

  private static void exec(ConnectionSettings s, String sql) throws SQLException {
    try (Connection c = open(s); Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static long count(ConnectionSettings s, String sql) throws SQLException {
    try (Connection c = open(s); Statement st = c.createStatement(); ResultSet r = st.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static Connection open(ConnectionSettings s) throws SQLException {
    return DriverManager.getConnection(s.jdbcUrl("disable"), s.user(), s.password());
  }
}
