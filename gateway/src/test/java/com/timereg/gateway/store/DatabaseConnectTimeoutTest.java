package com.timereg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.TcpRelay;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.SslMode;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code database.connect-timeout} bounds opening a connection, handshake included: a server that accepts the
 * TCP connection but never answers (frozen, or the network lost the handshake) must not keep a pool slot for ever.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class DatabaseConnectTimeoutTest {
  private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);

  private Database database;

  @AfterEach
  void closePool(VertxTestContext ctx) {
    (database != null ? database.close() : Future.<Void>succeededFuture()).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void aConnectionAttemptTheServerNeverAnswersGivesItsPoolSlotBack(Vertx vertx, TestDatabase db, VertxTestContext ctx) {
    AtomicReference<TcpRelay> started = new AtomicReference<>();
    TcpRelay.start(vertx, db.settings().host(), db.settings().port()).compose(relay -> {
      started.set(relay);
      ConnectionSettings c = db.settings();
      database = Database.create(vertx, new DatabaseSettings(
          new ConnectionSettings("127.0.0.1", relay.port(), c.database(), c.user(), c.password()),
          1, CONNECT_TIMEOUT, SslMode.DISABLE, Duration.ofSeconds(30)));
      relay.silenceNewConnections(true);
      return database.pool().query("SELECT 1").execute().transform(ar -> Future.succeededFuture(ar.succeeded()));
    }).compose(answeredWhileSilent -> {
      ctx.verify(() -> assertThat(answeredWhileSilent).isFalse());
      started.get().silenceNewConnections(false);
      // Only one slot: it is free again once the attempt that got no answer has been given up.
      return eventually(vertx, () -> database.pool().query("SELECT 1").execute().mapEmpty(), 20, 250);
    }).onComplete(ctx.succeedingThenComplete());
  }

  private static Future<Void> eventually(Vertx vertx, Supplier<Future<Void>> attempt, int attempts, long delayMillis) {
    return attempt.get().recover(failure -> attempts <= 1
        ? Future.failedFuture(failure)
        : vertx.timer(delayMillis).compose(t -> eventually(vertx, attempt, attempts - 1, delayMillis)));
  }
}
