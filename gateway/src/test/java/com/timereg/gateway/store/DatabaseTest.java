package com.timereg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({VertxExtension.class, PostgresExtension.class})
class DatabaseTest {
  private Database database;

  @BeforeEach
  void createPool(Vertx vertx, TestDatabase db) {
    database = Database.create(vertx, db.databaseSettings());
  }

  @AfterEach
  void closePool(VertxTestContext ctx) {
    database.close().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void pingSucceedsAndQueriesSeeTheMigratedSchema(VertxTestContext ctx) {
    database.ping()
        .compose(v -> database.pool().query("SELECT count(*) FROM users").execute())
        .onComplete(ctx.succeeding(rows -> ctx.verify(() -> {
          assertThat(rows.iterator().next().getLong(0)).isZero();
          ctx.completeNow();
        })));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void pingFailsWhileServerIsDownAndRecoversWithTheSamePool(Vertx vertx, TestDatabase db, VertxTestContext ctx) {
    Assumptions.assumeTrue(db.canRestartServer(), "the server comes from " + DevDatabase.URL_ENV);
    database.ping()
        .compose(v -> vertx.executeBlocking(() -> {
          db.stopServer();
          return null;
        }))
        .compose(v -> database.ping().transform(ping -> Future.succeededFuture(ping.succeeded())))
        .compose(pingedWhileDown -> {
          ctx.verify(() -> assertThat(pingedWhileDown).as("ping while stopped").isFalse());
          return vertx.executeBlocking(() -> {
            db.startServer();
            return null;
          });
        })
        .compose(v -> eventually(vertx, database::ping, 50, 100))
        .onComplete(ctx.succeedingThenComplete());
  }

  /** Retries {@code attempt} every {@code delayMillis} until it succeeds, at most {@code attempts} times. */
  private static Future<Void> eventually(Vertx vertx, Supplier<Future<Void>> attempt, int attempts, long delayMillis) {
    return attempt.get().recover(failure -> attempts <= 1
        ? Future.failedFuture(failure)
        : vertx.timer(delayMillis).compose(t -> eventually(vertx, attempt, attempts - 1, delayMillis)));
  }
}
