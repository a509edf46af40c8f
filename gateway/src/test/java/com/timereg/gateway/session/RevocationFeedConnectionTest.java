package com.timereg.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.ConnectionSettings;
import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.DatabaseSettings;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.ManualClock;
import com.timereg.gateway.testsupport.TcpRelay;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The LISTEN connection of the revocation feed when the network between it and PostgreSQL misbehaves. The feed
 * reaches the server through a relay the test controls; the pool the feed reloads from goes straight to it. The
 * periodic resync is set to an hour, so only the subscription can bring revocations in. An attempt on a server
 * that accepts the connection but never answers (a frozen server, a half-dead proxy) is bounded by
 * {@code database.connect-timeout}: it fails the start instead of holding it for ever, and after a drop it is given
 * up and retried, so the node hears other nodes' revocations again once the server answers.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class RevocationFeedConnectionTest {
  private static final SessionSettings SETTINGS = new SessionSettings(
      SessionSettings.DEFAULT_ACCESS_TOKEN_LIFETIME, SessionSettings.DEFAULT_IDLE_TIMEOUT,
      SessionSettings.DEFAULT_ABSOLUTE_TIMEOUT, SessionSettings.DEFAULT_CLOCK_SKEW_TOLERANCE,
      SessionSettings.DEFAULT_REFRESH_GRACE, Duration.ofHours(1), SessionSettings.DEFAULT_RETENTION,
      SessionSettings.DEFAULT_PURGE_INTERVAL);
  private static final Duration PROBE_INTERVAL = Duration.ofMillis(200);
  /** For the cases of a server that accepts but never answers: each attempt is given up after this. */
  private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
  /** Far above probe interval + timeout: a feed that never notices fails instead of passing slowly. */
  private static final long BOUND_MILLIS = 20_000;

  private final ManualClock clock = ManualClock.startingNow();
  private final RevocationList list = new RevocationList();
  private final AtomicInteger gauge = new AtomicInteger(-1);
  private final SessionMetrics metrics = new SessionMetrics() {
    @Override
    public void revocationFeed(boolean connected) {
      gauge.set(connected ? 1 : 0);
    }
  };
  private Vertx vertx;
  private TestDatabase db;
  private Database direct;
  private RevocationFeed feed;
  private Database poolViaRelay;

  @BeforeEach
  void setUp(Vertx vertx, TestDatabase db) {
    this.vertx = vertx;
    this.db = db;
    this.direct = Database.create(vertx, db.databaseSettings());
  }

  @AfterEach
  void tearDown(VertxTestContext ctx) {
    Future<Void> stopped = feed != null ? feed.stop() : Future.succeededFuture();
    stopped.transform(ar -> poolViaRelay != null ? poolViaRelay.close() : Future.<Void>succeededFuture())
        .transform(ar -> direct.close())
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void aListenConnectionCutWithoutAWordIsNoticedAndReplaced(VertxTestContext ctx) {
    AtomicReference<TcpRelay> started = new AtomicReference<>();
    TcpRelay.start(vertx, db.settings().host(), db.settings().port()).compose(relay -> {
      started.set(relay);
      feed = new RevocationFeed(vertx, via(relay.port(), db.databaseSettings()), direct.pool(), new SessionStore(), list,
          SETTINGS, metrics, clock, PROBE_INTERVAL);
      return feed.start();
    }).compose(v -> heard()).compose(v -> {
      // A dropped NAT entry or a partition: the old connection goes silent, a new one gets through.
      started.get().cutOpenConnections();
      return until(this::heardNow);
    }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(started.get().opened()).as("a second connection replaced the cut one").isGreaterThanOrEqualTo(2);
      assertThat(gauge.get()).isEqualTo(1);
      ctx.completeNow();
    })));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void theConnectedGaugeIsBackAtOneOnceTheFeedListensAgainEvenIfTheFirstReloadFailed(VertxTestContext ctx) {
    AtomicReference<TcpRelay> started = new AtomicReference<>();
    TcpRelay.start(vertx, db.settings().host(), db.settings().port()).compose(poolRelay -> {
      started.set(poolRelay);
      poolViaRelay = Database.create(vertx, via(poolRelay.port(), db.databaseSettings()));
      feed = new RevocationFeed(vertx, db.databaseSettings(), poolViaRelay.pool(), new SessionStore(), list,
          SETTINGS, metrics, clock);
      return feed.start();
    }).compose(v -> {
      ctx.verify(() -> assertThat(gauge.get()).isEqualTo(1));
      // The pool cannot reach the server while the feed loses its connection and gets it back.
      started.get().refuseNewConnections(true);
      started.get().closeOpenConnections();
      return terminateListener();
    }).compose(v -> until(() -> Future.succeededFuture(gauge.get() == 0)))
        .compose(v -> until(this::heardNow))
        .compose(v -> {
          started.get().refuseNewConnections(false);
          return feed.resync();
        })
        .onComplete(ctx.succeeding(n -> ctx.verify(() -> {
          assertThat(gauge.get()).as("the feed listens (a notification arrived) and its reload works").isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void startFailsWithinTheConnectTimeoutWhenTheServerNeverAnswers(VertxTestContext ctx) {
    AtomicReference<Future<Void>> start = new AtomicReference<>();
    TcpRelay.start(vertx, db.settings().host(), db.settings().port()).compose(relay -> {
      relay.silenceNewConnections(true);
      feed = new RevocationFeed(vertx, via(relay.port(), db.databaseSettings(), CONNECT_TIMEOUT), direct.pool(),
          new SessionStore(), list, SETTINGS, metrics, clock);
      start.set(feed.start());
      return until("start completes", () -> Future.succeededFuture(start.get().isComplete()));
    }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(start.get().failed()).as("start fails: the database cannot be reached").isTrue();
      ctx.completeNow();
    })));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void hearsRevocationsAgainOnceTheServerAnswersAfterAReconnectAttemptItNeverAnswered(VertxTestContext ctx) {
    AtomicReference<TcpRelay> started = new AtomicReference<>();
    TcpRelay.start(vertx, db.settings().host(), db.settings().port()).compose(relay -> {
      started.set(relay);
      feed = new RevocationFeed(vertx, via(relay.port(), db.databaseSettings(), CONNECT_TIMEOUT), direct.pool(),
          new SessionStore(), list, SETTINGS, metrics, clock);
      return feed.start();
    }).compose(v -> until("heard after start", this::heardNow)).compose(v -> {
      started.get().silenceNewConnections(true);
      started.get().closeOpenConnections();
      return until("a reconnect attempt reached the silent server",
          () -> Future.succeededFuture(started.get().silenced() > 0 && gauge.get() == 0));
    }).compose(v -> {
      started.get().silenceNewConnections(false);
      return until("heard again once the server answers", this::heardNow);
    }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(gauge.get()).as("listening again").isEqualTo(1);
      ctx.completeNow();
    })));
  }

  private static DatabaseSettings via(int port, DatabaseSettings real) {
    return via(port, real, real.connectTimeout());
  }

  private static DatabaseSettings via(int port, DatabaseSettings real, Duration connectTimeout) {
    ConnectionSettings c = real.connection();
    return new DatabaseSettings(new ConnectionSettings("127.0.0.1", port, c.database(), c.user(), c.password()),
        real.maxPoolSize(), connectTimeout, SslMode.DISABLE, Duration.ofSeconds(2));
  }

  private Future<Void> heard() {
    return until(this::heardNow);
  }

  /** Sends a revocation of a fresh id straight to the server; true when the feed has it shortly after. */
  private Future<Boolean> heardNow() {
    String id = UUID.randomUUID().toString();
    return direct.pool().preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(SessionStore.CHANNEL, id))
        .compose(rows -> vertx.timer(100))
        .map(t -> list.isRevoked(id, clock.millis()));
  }

  private Future<Void> terminateListener() {
    return direct.pool().preparedQuery("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            + "WHERE datname = current_database() AND application_name = $1")
        .execute(Tuple.of(RevocationFeed.APPLICATION_NAME)).mapEmpty();
  }

  private Future<Void> until(Supplier<Future<Boolean>> condition) {
    return until("condition", condition);
  }

  private Future<Void> until(String what, Supplier<Future<Boolean>> condition) {
    return attempt(what, condition, System.nanoTime() + BOUND_MILLIS * 1_000_000);
  }

  private Future<Void> attempt(String what, Supplier<Future<Boolean>> condition, long deadline) {
    return condition.get().recover(e -> Future.succeededFuture(false)).compose(done -> {
      if (done) {
        return Future.succeededFuture();
      }
      if (System.nanoTime() > deadline) {
        return Future.failedFuture(new AssertionError(what + ": not within " + BOUND_MILLIS + " ms"));
      }
      return vertx.timer(50).compose(t -> attempt(what, condition, deadline));
    });
  }
}
