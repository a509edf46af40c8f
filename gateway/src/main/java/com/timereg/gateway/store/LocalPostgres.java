package com.timereg.gateway.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL cluster run from the machine's server binaries, for development and
 * tests. Never for production: durability is switched off for speed.
 *
 * <p>Everything lives under the directory the caller gives: the cluster in {@code pgdata/}
 * (server log {@code pgdata/server.log}), the generated passwords in
 * {@code local-postgres.properties} and the pid of the JVM using it in {@code owner.pid}.
 * Opening the same directory again reuses the cluster and its passwords. The server listens on 127.0.0.1 only, on a port chosen free when this object first
 * starts it and kept across {@link #stop()}/{@link #start()}, so open pools reconnect to the same
 * address.
 *
 * <p>Authentication is scram-sha-256 with random passwords rather than trust: trust on 127.0.0.1
 * would let every local user and process, including other engineers' tests on a shared machine,
 * in as superuser. The application role is not a superuser (but may create databases, for
 * per-test-class databases), so a migration that needs superuser fails here as it would in production.
 */
public final class LocalPostgres implements AutoCloseable {
  public static final String DATABASE = "gateway";
  public static final String USER = "gateway";
  static final String SUPERUSER = "postgres";
  /** initdb refuses to run as root; as root we run the server as Debian's {@code postgres} user. */
  static final String OS_USER = "postgres";
  private static final long COMMAND_TIMEOUT_SECONDS = 90;
  /**
   * How long a fast shutdown may take before the server is stopped immediately. A fast shutdown of a
   * development cluster takes well under a second; one that has not finished after this long waits on a
   * child process that is stuck, and only an immediate stop ends it.
   */
  static final int FAST_STOP_SECONDS = 15;
  private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);

  private final PostgresBinaries binaries;
  private final Path dir;
  private final Path pgdata;
  private final ClusterFiles files;
  private final Properties secrets;
  private int port;
  private boolean running;
  /** Stops the server when the JVM exits; null once {@link #leaveStoppingToOwner} was called. */
  private Thread stopAtExit;
  private boolean ownerStops;

  private LocalPostgres(PostgresBinaries binaries, Path dir, ClusterFiles files, Properties secrets) {
    this.binaries = binaries;
    this.dir = dir;
    this.pgdata = dir.resolve("pgdata");
    this.files = files;
    this.secrets = secrets;
  }

  /** Initialises a cluster in {@code dir} unless one is there, starts it and ensures role and database. */
  public static LocalPostgres open(Path dir) throws IOException {
    return open(dir, PostgresBinaries.find());
  }

  public static LocalPostgres open(Path dir, PostgresBinaries binaries) throws IOException {
    Path absolute = dir.toAbsolutePath().normalize();
    ClusterFiles files = ClusterFiles.forCurrentUser(OS_USER);
    files.prepareDirectory(absolute);
    Path pgdata = absolute.resolve("pgdata");
    Properties secrets = Files.exists(pgdata.resolve("PG_VERSION"))
        ? files.readSecrets(absolute)
        : initCluster(binaries, absolute, files);
    LocalPostgres pg = new LocalPostgres(binaries, absolute, files, secrets);
    pg.start();
    try {
      pg.ensureRoleAndDatabase();
    } catch (SQLException e) {
      pg.stop();
      throw new IOException("Could not create role and database in local PostgreSQL (" + pg.dir + "): " + e.getMessage(), e);
    }
    return pg;
  }

  /** The application role's connection to the {@value #DATABASE} database. */
  public synchronized ConnectionSettings settings() {
    if (port == 0) {
      throw new IllegalStateException("local PostgreSQL has not been started");
    }
    return new ConnectionSettings("127.0.0.1", port, DATABASE, USER, secrets.getProperty("password"));
  }

  public Path directory() {
    return dir;
  }

  public synchronized boolean isRunning() {
    return running;
  }

  /** Writes PGHOST, PGPORT, PGUSER, PGDATABASE and PGPASSWORD for psql (owner-readable only). */
  public void writeEnvFile(Path file) throws IOException {
    settings().writeEnvFile(file);
  }

  /** Starts the server on its port, keeping data; a no-op when it runs. */
  public synchronized void start() throws IOException {
    if (running && serverRunning()) {
      return;
    }
    claimDirectory();
    stopLeftoverServer();
    if (port == 0) {
      port = freePort();
    }
    // The hook goes in before the server starts, not after: a SIGTERM or Ctrl-C during the start then finds it
    // (it waits for this synchronized start and stops the server), and once the JVM is exiting no hook can be
    // added, so the start is refused rather than leaving a server that nothing stops.
    if (stopAtExit == null && !ownerStops) {
      Thread hook = new Thread(this::stopQuietly, "local-postgres-stop");
      try {
        Runtime.getRuntime().addShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        throw new IOException("not starting local PostgreSQL in " + dir + ": the process is stopping");
      }
      stopAtExit = hook;
    }
    // pg_ctl starts the server through /bin/sh, with -D and -l put inside double quotes: a data directory with a
    // quote, a $ or a backquote in its name broke the start or ran what it named. So pg_ctl finds the cluster in
    // PGDATA, the log is named relative to the working directory, and the server's -D goes in single quotes.
    Result r = runIn(pgdata, binaries.pgCtl().toString(), "start", "-w", "-t", "60",
        "-l", "server.log", "-o", "-p " + port + " -D " + shellQuoted(pgdata.toString()));
    if (r.exitCode != 0) {
      throw new IOException("local PostgreSQL did not start on port " + port + ": " + r.output
          + "\n--- " + pgdata.resolve("server.log") + " ---\n" + files.tail(pgdata.resolve("server.log")));
    }
    running = true;
    LOG.info("Local PostgreSQL ({}) on 127.0.0.1:{}, data in {}", binaries.binDir(), port, dir);
  }

  /**
   * From now on the server stops only through {@link #stop} or {@link #close}, not by itself when the JVM
   * exits. For an owner whose own shutdown hook stops it in order: the JVM runs all shutdown hooks at
   * once, so this server's would stop PostgreSQL while the gateway still drains requests that need it.
   */
  public synchronized void leaveStoppingToOwner() {
    ownerStops = true;
    if (stopAtExit != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(stopAtExit);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is already exiting: the hook runs, as it would have.
      }
      stopAtExit = null;
    }
  }

  /** Stops the server (fast shutdown: open sessions are ended), keeping data; a no-op when stopped. */
  public synchronized void stop() throws IOException {
    if (!serverRunning()) {
      running = false;
      return;
    }
    Result r = stopServer();
    if (r.exitCode != 0) {
      throw new IOException("local PostgreSQL did not stop: " + r.output);
    }
    running = false;
    LOG.info("Local PostgreSQL on 127.0.0.1:{} stopped", port);
  }

  @Override
  public void close() throws IOException {
    stop();
  }

  private void stopQuietly() {
    try {
      stop();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not stop local PostgreSQL in {}: {}", dir, e.getMessage());
    }
  }

  private static Properties initCluster(PostgresBinaries binaries, Path dir, ClusterFiles files) throws IOException {
    Path pgdata = dir.resolve("pgdata");
    if (Files.isDirectory(pgdata)) {
      try (var children = Files.list(pgdata)) {
        if (children.findAny().isPresent()) {
          throw new IOException(pgdata + " holds files but no PostgreSQL cluster (no PG_VERSION); remove it to start afresh");
        }
      }
    }
    files.createOwnedDirectory(pgdata);
    Properties secrets = new Properties();
    secrets.setProperty("superuserPassword", randomPassword());
    secrets.setProperty("password", randomPassword());
    files.writeSecrets(dir, secrets);
    Path pwfile = dir.resolve("initdb-password");
    files.writeOwnedSecretFile(pwfile, secrets.getProperty("superuserPassword"));
    try {
      // C.UTF-8 rather than C: lower() must fold non-ASCII letters for case-insensitive login names.
      Result r = runAs(files, binaries.initdb().toString(), "-D", pgdata.toString(), "-U", SUPERUSER,
          "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8");
      if (r.exitCode != 0) {
        throw new IOException("initdb failed for " + pgdata + ": " + r.output);
      }
    } finally {
      Files.deleteIfExists(pwfile);
    }
    Files.writeString(pgdata.resolve("postgresql.conf"), String.join("\n", List.of("",
        "# Added by the gateway's LocalPostgres: a throwaway cluster for development and tests.",
        "# Loopback TCP only; no unix socket, so nothing else on the machine trips over it.",
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = ''",
        "# Speed over durability: a machine crash may lose or corrupt this cluster, acceptable here only.",
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        "")), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    LOG.info("Initialised local PostgreSQL cluster in {}", pgdata);
    return secrets;
  }

  /**
   * Refuses a directory whose server another live JVM started (a second dev-mode instance, say),
   * rather than pulling the database from under it; a dead owner's server is taken over.
   */
  private void claimDirectory() throws IOException {
    Path ownerFile = dir.resolve("owner.pid");
    long me = ProcessHandle.current().pid();
    long owner = readPid(ownerFile);
    if (owner > 0) {
      boolean liveJvm = owner != me && ProcessHandle.of(owner)
          .flatMap(h -> h.info().command())
          .map(c -> c.endsWith("/java"))
          .orElse(false);
      if (liveJvm) {
        throw new IOException("local PostgreSQL in " + dir + " is in use by process " + owner
            + "; stop that process or choose another directory");
      }
    }
    Files.writeString(ownerFile, me + "\n", StandardCharsets.UTF_8);
  }

  /**
   * A JVM killed with SIGKILL leaves its server running, or a postmaster.pid without a process.
   * Stop the first (it may be on a port we no longer know) and remove the second, so the start is clean.
   */
  private void stopLeftoverServer() throws IOException {
    Path pidFile = pgdata.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    if (serverRunning()) {
      LOG.warn("A PostgreSQL server from an earlier run still uses {}; stopping it", pgdata);
      Result r = stopServer();
      if (r.exitCode != 0) {
        throw new IOException("could not stop the earlier PostgreSQL server in " + pgdata + ": " + r.output);
      }
    } else {
      LOG.warn("Removing stale {} (its process is gone)", pidFile);
      Files.deleteIfExists(pidFile);
    }
  }

  /**
   * Fast shutdown (sessions ended, a checkpoint written); a server still up after {@link #FAST_STOP_SECONDS}
   * is stopped immediately, as after a crash: it recovers from its write-ahead log at the next start.
   */
  private Result stopServer() throws IOException {
    String pgCtl = binaries.pgCtl().toString();
    long begun = System.nanoTime();
    Result r = run(pgCtl, "stop", "-w", "-t", String.valueOf(FAST_STOP_SECONDS), "-m", "fast", "-D", pgdata.toString());
    if (r.exitCode != 0 && serverRunning()) {
      // pg_ctl also fails at once (it may not signal the server, a file is unreadable): that is no slow shutdown,
      // and an operator chasing a stuck child process would look in the wrong place.
      boolean waitedOut = System.nanoTime() - begun >= TimeUnit.SECONDS.toNanos(FAST_STOP_SECONDS);
      String what = waitedOut ? "did not finish a fast shutdown within " + FAST_STOP_SECONDS + " s"
          : "was not stopped: pg_ctl stop -m fast failed at once";
      LOG.warn("Local PostgreSQL in {} {} (exit status {}); stopping it immediately: {}\n--- {} ---\n{}",
          pgdata, what, r.exitCode, r.output.strip(), pgdata.resolve("server.log"), files.tail(pgdata.resolve("server.log")));
      r = run(pgCtl, "stop", "-w", "-t", "60", "-m", "immediate", "-D", pgdata.toString());
    }
    return r;
  }

  /** True when postmaster.pid names a live process that is a postgres server of this cluster. */
  private boolean serverRunning() {
    long pid = readPid(pgdata.resolve("postmaster.pid"));
    if (pid <= 0) {
      return false;
    }
    // The pid may since belong to an unrelated process, which pg_ctl would signal regardless.
    // An exited server not yet reaped (a zombie) still has its pid but no command: not running.
    // Erring towards "not running" is safe: postgres itself refuses to start beside a live one.
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .flatMap(h -> h.info().command())
        .map(c -> c.endsWith("/postgres") || c.endsWith("/postmaster"))
        .orElse(false)
        && inThisCluster(pid);
  }

  /**
   * Whether process {@code pid} works in this cluster's directory, as every process of a server does (postgres
   * changes into its data directory). After a crash of the machine or the container, the pid of a stale
   * postmaster.pid may belong to a server of another cluster on the machine (another engineer's, the tests'):
   * pg_ctl stop would signal it all the same, and its escalation to an immediate stop ended that cluster's sessions
   * ({@code LocalPostgresStalePidTest}). When that cannot be read (no /proc), the command alone decides, as before.
   */
  private boolean inThisCluster(long pid) {
    try {
      return Files.isSameFile(Path.of("/proc", Long.toString(pid), "cwd"), pgdata);
    } catch (IOException | SecurityException e) {
      return true;
    }
  }

  /** The pid on the first line of {@code file}, or 0 when there is none. */
  private static long readPid(Path file) {
    try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
      return Long.parseLong(lines.findFirst().orElse("").trim());
    } catch (IOException | NumberFormatException | UncheckedIOException e) {
      return 0;
    }
  }

  private void ensureRoleAndDatabase() throws SQLException {
    Properties login = new Properties();
    login.setProperty("user", SUPERUSER);
    login.setProperty("password", secrets.getProperty("superuserPassword"));
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?sslmode=disable";
    try (Connection c = DriverManager.getConnection(url, login); Statement s = c.createStatement()) {
      if (!exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", USER)) {
        s.execute("CREATE ROLE " + USER + " LOGIN CREATEDB");
      }
      // Hashed on the client, so the password never appears in SQL text or the server log.
      c.unwrap(PGConnection.class).alterUserPassword(USER, secrets.getProperty("password").toCharArray(), "scram-sha-256");
      if (!exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", DATABASE)) {
        s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
      }
    }
  }

  private static boolean exists(Connection c, String sql, String arg) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      return ps.executeQuery().next();
    }
  }

  private Result run(String... command) throws IOException {
    return runAs(files, command);
  }

  private static Result runAs(ClusterFiles files, String... command) throws IOException {
    return run(new ProcessBuilder(files.commandAsServerUser(List.of(command))).directory(Path.of("/").toFile()), command);
  }

  /** Runs a command in the cluster's directory, with {@code PGDATA} naming it. */
  private Result runIn(Path pgdata, String... command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(files.commandAsServerUser(List.of(command))).directory(pgdata.toFile());
    pb.environment().put("PGDATA", pgdata.toString());
    return run(pb, command);
  }

  /** {@code value} as one word for /bin/sh: in single quotes, each single quote of it written as '\''. */
  private static String shellQuoted(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }

  private static Result run(ProcessBuilder pb, String... command) throws IOException {
    pb.redirectErrorStream(true);
    Path out = Files.createTempFile("local-postgres", ".out");
    try {
      pb.redirectOutput(out.toFile());
      Process p = pb.start();
      if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(command[0] + " did not finish within " + COMMAND_TIMEOUT_SECONDS + "s");
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8).strip());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command[0], e);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static String randomPassword() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    // URL-safe without padding: no character needs quoting in a URL, a shell or a .properties file.
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private record Result(int exitCode, String output) {}
}
