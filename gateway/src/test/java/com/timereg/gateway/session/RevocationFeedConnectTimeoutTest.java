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
 * The revocation feed's LISTEN attempts are bounded by {@code database.connect-timeout}: an attempt on a server that
 * accepts the connection but never answers (a frozen server, a half-dead proxy) fails start instead of holding it for
 * ever, and after a drop it is given up and retried, so the node hears other nodes' revocations again once the
 * server answers. The feed goes through a relay the test controls; the pool it reloads from goes straight to the
 * server, and the periodic resync is set to an hour, so only the subscription can bring revocations in.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class RevocationFeedConnectTimeoutTest {
  private static final SessionSettings SETTINGS = new SessionSettings(
      SessionSettings.DEFAULT_ACCESS_TOKEN_LIFETIME, SessionSettings.DEFAULT_IDLE_TIMEOUT,
      SessionSettings.DEFAULT_ABSOLUTE_TIMEOUT, SessionSettings.DEFAULT_CLOCK_SKEW_TOLERANCE,
      SessionSettings.DEFAULT_REFRESH_GRACE, Duration.ofHours(1), SessionSettings.DEFAULT_RETENTION,
      SessionSettings.DEFAULT_PURGE_INTERVAL);
  private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
  /** Connect timeout plus the capped reconnect backoff (5 s), with room for a busy machine. */
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

  @BeforeEach
  void setUp(Vertx vertx, TestDatabase db) {
    this.vertx = vertx;
    this.db = db;
    this.direct = Database.create(vertx, db.databaseSettings());
  }

  @AfterEach
  void tearDown(VertxTestContext ctx) {
    Future<Void> stopped = feed != null ? feed.stop() : Future.succeededFuture();
    stopped.transform(ar -> direct.close()).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void startFailsWithinTheConnectTimeoutWhenTheServerNeverAnswers(VertxTestContext ctx) {
    AtomicReference<Future<Void>> start = new AtomicReference<>();
    TcpRelay.start(vertx, db.settings().host(), db.settings().port()).compose(relay -> {
      relay.silenceNewConnections(true);
      feed = feed(relay);
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
      feed = feed(relay);
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

  private RevocationFeed feed(TcpRelay relay) {
    ConnectionSettings c = db.databaseSettings().connection();
    DatabaseSettings viaRelay = new DatabaseSettings(
        new ConnectionSettings("127.0.0.1", relay.port(), c.database(), c.user(), c.password()),
        2, CONNECT_TIMEOUT, SslMode.DISABLE, Duration.ofSeconds(2));
    return new RevocationFeed(vertx, viaRelay, direct.pool(), new SessionStore(), list, SETTINGS, metrics, clock);
  }

  /** Sends a revocation of a fresh id straight to the server; true when the feed has it shortly after. */
  private Future<Boolean> heardNow() {
    String id = UUID.randomUUID().toString();
    return direct.pool().preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(SessionStore.CHANNEL, id))
        .compose(rows -> vertx.timer(100))
        .map(t -> list.isRevoked(id, clock.millis()));
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
