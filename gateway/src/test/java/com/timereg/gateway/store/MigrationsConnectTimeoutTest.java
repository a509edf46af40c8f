package com.timereg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.TcpRelay;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.SslMode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The start's migrations on a server that accepts the connection but never answers (a frozen server, a half-dead
 * proxy or load balancer in front of it): {@code database.connect-timeout} bounds their connection's opening, as it
 * does the pool's, so the start fails with a line naming the database instead of hanging for ever without one.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class MigrationsConnectTimeoutTest {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  /** Far above the connect timeout: a start that hangs fails the test instead of passing slowly. */
  private static final long PATIENCE_SECONDS = 30;

  @Test
  @Timeout(90)
  void theMigrationsFailWithinTheConnectTimeoutWhenTheServerNeverAnswers(Vertx vertx, TestDatabase db)
      throws Exception {
    TcpRelay relay = TcpRelay.start(vertx, db.settings().host(), db.settings().port()).await(10, TimeUnit.SECONDS);
    relay.silenceNewConnections(true);
    ConnectionSettings c = db.settings();
    DatabaseSettings settings = new DatabaseSettings(
        new ConnectionSettings("127.0.0.1", relay.port(), c.database(), c.user(), c.password()),
        1, CONNECT_TIMEOUT, SslMode.DISABLE);

    CompletableFuture<Migrations.Outcome> start = new CompletableFuture<>();
    Thread migrating = new Thread(() -> {
      try {
        start.complete(Migrations.migrate(settings));
      } catch (RuntimeException e) {
        start.completeExceptionally(e);
      }
    }, "migrations-on-a-silent-server");
    // Before the fix it waits for ever on a socket nobody answers: it must not keep the test JVM alive.
    migrating.setDaemon(true);
    migrating.start();

    Throwable failure;
    try {
      start.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
      failure = null;
    } catch (ExecutionException e) {
      failure = e.getCause();
    } catch (TimeoutException e) {
      failure = e;
    }
    assertThat(failure).as("the migrations failed (instead of waiting for ever on the silent server)")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(c.database())
        .hasMessageNotContaining(c.password());
    assertThat(relay.silenced()).as("the attempt reached the silent server").isPositive();
  }
}
