package com.timereg.gateway.edge;

import com.timereg.gateway.breach.DemoSet;
import com.timereg.gateway.config.GatewayConfig;
import com.timereg.gateway.demo.DemoBackend;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.DatabaseSettings;
import com.timereg.gateway.store.DevDatabase;
import com.timereg.gateway.store.LocalPostgres;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code gateway --dev}: everything needed to try the gateway on one machine. A local PostgreSQL
 * under the data directory, a demo customer with two users, an in-process demo backend, a demo
 * breach set of common passwords (when no {@code hibp.set-path} is configured) and the
 * self-signed certificate (when none is configured). Never for production: the demo passwords are
 * public (they are in the README).
 */
public final class DevMode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DevMode.class);

  public static final String CUSTOMER_SLUG = "demo";
  public static final String CUSTOMER_NAME = "Demo Company";

  /** The demo users; their passwords are documented in the README. */
  public record DemoUser(String loginName, String password, List<String> roles) {
    @Override
    public String toString() {
      return "DemoUser[" + loginName + "]";
    }
  }

  public static final List<DemoUser> USERS = List.of(
      new DemoUser("alice@demo.test", "alice-demo-Tidsreg-2026", List.of("user")),
      new DemoUser("bob@demo.test", "bob-demo-Tidsreg-2026", List.of("user", "security")));

  private final DevDatabase database;
  private final Vertx backendVertx;
  private final DemoBackend backend;
  private final Gateway gateway;
  private final Runnable stopGateway;

  private DevMode(DevDatabase database, Vertx backendVertx, DemoBackend backend, Gateway gateway) {
    this(database, backendVertx, backend, gateway, gateway::stop);
  }

  /** {@code stopGateway}: how {@link #close()} stops the gateway (a test gives one that fails). */
  DevMode(DevDatabase database, Vertx backendVertx, DemoBackend backend, Gateway gateway, Runnable stopGateway) {
    this.database = database;
    this.backendVertx = backendVertx;
    this.backend = backend;
    this.gateway = gateway;
    this.stopGateway = stopGateway;
  }

  public static DevMode start(GatewayConfig base, Map<String, String> env) throws Exception {
    Path dataDir = base.dataDir();
    // With GATEWAY_DATABASE_URL no local cluster creates the directory before the env file is written.
    java.nio.file.Files.createDirectories(dataDir);
    DevDatabase db = DevDatabase.open(env, dataDir.resolve("postgres"));
    Vertx backendVertx = null;
    Gateway gateway = null;
    try {
      // With GATEWAY_DATABASE_URL nothing else has created the data directory yet.
      java.nio.file.Files.createDirectories(dataDir);
      Path envFile = dataDir.resolve("dev-postgres.env");
      db.settings().writeEnvFile(envFile);
      backendVertx = Vertx.vertx();
      DemoBackend backend = new DemoBackend(backendVertx, DemoBackend.Options.DEFAULTS);
      int backendPort = Gateway.await(backend.start("127.0.0.1", 0));
      GatewayConfig config = base.withDatabase(DatabaseSettings.of(db.settings()))
          .withBackend(URI.create("http://127.0.0.1:" + backendPort));
      if (config.hibp().setPath().isEmpty()) {
        Path demoSet = DemoSet.ensure(dataDir.resolve("hibp").resolve("demo.set"), Clock.systemUTC());
        config = config.withBreachSet(config.hibp().withSetPath(demoSet));
      }
      gateway = Gateway.start(config);
      DevMode dev = new DevMode(db, backendVertx, backend, gateway);
      seed(gateway.database().pool(), config.password().iterations());
      LOG.info("dev mode: demo backend on http://127.0.0.1:{}, PostgreSQL settings in {}", backendPort, envFile);
      // From here the caller's shutdown hook runs close(), which stops PostgreSQL after the gateway has
      // drained; the server's own exit hook would stop it during the drain. (A server left running by an
      // exit in between is stopped by the next start.)
      db.local().ifPresent(LocalPostgres::leaveStoppingToOwner);
      return dev;
    } catch (Exception | Error e) {
      // A gateway already up (the seeding failed) holds its ports, its pool and the throttle maps' lock:
      // a start again in this JVM would find the maps "in use by another gateway".
      // The start's failure is the news: one of the clean-up's own goes with it (suppressed), not in its place.
      try {
        if (gateway != null) {
          gateway.stop();
        }
      } catch (Exception | Error stopFailure) {
        e.addSuppressed(stopFailure);
      }
      if (backendVertx != null) {
        backendVertx.close();
      }
      try {
        db.close();
      } catch (Exception | Error closeFailure) {
        LOG.warn("after the failed start, the local PostgreSQL could not be stopped: {}", closeFailure.getMessage());
        e.addSuppressed(closeFailure);
      }
      throw e;
    }
  }

  /**
   * Creates the demo customer and users unless they exist; existing ones keep their passwords. Refuses a
   * database that holds other customers: the demo passwords are published, and one demo user is security
   * staff, so a {@code GATEWAY_DATABASE_URL} that names a real database must not get them.
   */
  static void seed(Pool pool, int iterations) throws Exception {
    var others = Gateway.await(pool.preparedQuery("SELECT slug FROM customers WHERE slug <> $1 ORDER BY slug LIMIT 1")
        .execute(Tuple.of(CUSTOMER_SLUG)));
    if (others.size() > 0) {
      throw new IllegalStateException("dev mode adds demo users with published passwords, and this database holds "
          + "other customers (e.g. '" + others.iterator().next().getString(0) + "'): refusing. Point "
          + DevDatabase.URL_ENV + " at a database of its own, or leave it unset for dev mode's local PostgreSQL.");
    }
    Gateway.await(pool.preparedQuery(
        "INSERT INTO customers (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING")
        .execute(Tuple.of(CUSTOMER_SLUG, CUSTOMER_NAME)));
    DjangoPbkdf2Hasher hasher = new DjangoPbkdf2Hasher(iterations);
    for (DemoUser u : USERS) {
      boolean exists = Gateway.await(pool.preparedQuery("SELECT 1 FROM users WHERE lower(login_name) = lower($1)")
          .execute(Tuple.of(u.loginName()))).size() > 0;
      if (!exists) {
        Gateway.await(pool.preparedQuery(
            "INSERT INTO users (customer_id, login_name, email, password_hash, roles) "
                + "SELECT id, $2, $2, $3, $4 FROM customers WHERE slug = $1 "
                + "ON CONFLICT (lower(login_name)) DO NOTHING")
            .execute(Tuple.of(CUSTOMER_SLUG, u.loginName(), hasher.hash(u.password()), u.roles().toArray(new String[0]))));
      }
    }
  }

  /** The banner on standard output: where to go and how to log in. Deliberately not a log line. */
  public void printBanner(PrintStream out) {
    out.println();
    out.println("  Gateway (dev mode) is running");
    out.println("    https://localhost:" + gateway.publicPort() + "/      (self-signed certificate unless configured)");
    out.println("    http://127.0.0.1:" + gateway.adminPort() + "/health/ready  /metrics");
    out.println("    http://127.0.0.1:" + gateway.adminPort() + "/admin/   security console (local callers only)");
    for (DemoUser u : USERS) {
      out.println("    user " + u.loginName() + "  password " + u.password());
    }
    out.println("    change a password at https://localhost:" + gateway.publicPort() + "/password"
        + "  (demo breach set: common passwords only)");
    out.println("    Ctrl-C stops everything.");
    out.println();
  }

  public Gateway gateway() {
    return gateway;
  }

  /**
   * Stops the gateway, then the demo backend, then the local PostgreSQL. The server is stopped whatever the steps
   * before it throw (an Error too, which then goes on to the caller): left running, it outlives the JVM.
   */
  @Override
  public void close() {
    try {
      stopGateway.run();
    } finally {
      try {
        Gateway.await(backend.stop());
        Gateway.await(backendVertx.close());
      } catch (Exception e) {
        LOG.warn("error while stopping the demo backend: {}", e.toString());
      } finally {
        try {
          database.close();
        } catch (Exception e) {
          LOG.warn("error while stopping the local PostgreSQL: {}", e.toString());
        }
      }
    }
  }
}
