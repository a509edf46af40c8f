package com.timereg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pins the pool's wait queue, bounded in time rather than in size (no {@code maxWaitQueueSize}): while every pooled
 * connection is held (a database stall), each query waiting for one fails once {@code database.connect-timeout}
 * passes (the login routes answer 503 + Retry-After), however many wait;
 * once a connection is free the pool serves again. A size bound is left out on purpose: the queue is shared by
 * logins, session refreshes, block-sync writes and staff edits, and a cap filled by a flood of logins would shed the
 * security writes first.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class DatabasePoolWaitTest {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  private static final int WAITERS = 500;
  /** Far above the connect timeout: a waiter that is never answered fails the test instead of passing slowly. */
  private static final long PATIENCE_SECONDS = 30;

  @Test
  @Timeout(90)
  void everyQueryWaitingOnAFullPoolFailsOnceTheConnectTimeoutPassesAndThePoolServesAfter(Vertx vertx,
      TestDatabase db) throws Exception {
    Database database = Database.create(vertx, new DatabaseSettings(db.settings(), 1, CONNECT_TIMEOUT,
        SslMode.DISABLE));
    try {
      SqlConnection held = database.pool().getConnection().await(10, TimeUnit.SECONDS);
      List<Future<?>> waiting = new ArrayList<>();
      for (int i = 0; i < WAITERS; i++) {
        waiting.add(database.pool().query("SELECT 1").execute());
      }
      Future.join(waiting).transform(ar -> Future.succeededFuture()).await(PATIENCE_SECONDS, TimeUnit.SECONDS);
      assertThat(waiting).as("every waiter was answered, with a failure").allMatch(Future::failed);
      assertThat(waiting.get(0).cause()).hasMessageContaining("Timeout waiting for connection");

      held.close().await(10, TimeUnit.SECONDS);
      assertThat(database.pool().query("SELECT 1").execute().await(10, TimeUnit.SECONDS).size()).isEqualTo(1);
    } finally {
      database.close().await(10, TimeUnit.SECONDS);
    }
  }
}
