package com.timereg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Row;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A server that stops answering and closes nothing (a paused VM, a stopped process): its kernel still takes the
 * client's bytes and its FIN, but no reply comes and the connection is never closed from its side. The pooled
 * connection silent for the idle timeout must really be closed, its caller failed, and the pool serve again once
 * the server is back. Here the server's backend of the pool's one connection is stopped (SIGSTOP): unlike a relay,
 * which closes its side when the client half-closes, it shows what a frozen server does with the client's close.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class DatabaseFrozenServerTest {
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);
  /** Far above the idle timeout, so a hang fails the test instead of passing slowly. */
  private static final long PATIENCE_SECONDS = 20;

  private Database database;
  private long stoppedPid = -1;
  /**
   * Every query starts on this one context, so the pooled connection lives on its event loop: a query started after
   * the caller saw the failure then runs after the whole close was handled (the pool is told of the close just after
   * the query's failure, in the same event-loop task; a query from another thread in between can still be handed the
   * closed connection and fail at once, "Connection is not active now").
   */
  private Context context;

  @AfterEach
  void resumeAndClose() throws Exception {
    if (stoppedPid > 0) {
      signal("CONT", stoppedPid);
    }
    if (database != null) {
      database.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Timeout(90)
  void aQueryOnAFrozenServerFailsOnceSilentAndThePoolServesAgainWhenItIsBack(Vertx vertx, TestDatabase db)
      throws Exception {
    context = vertx.getOrCreateContext();
    database = Database.create(vertx, new DatabaseSettings(
        db.settings(), 1, DatabaseSettings.DEFAULT_CONNECT_TIMEOUT, SslMode.DISABLE, IDLE_TIMEOUT));
    long backend = backendPid();

    signal("STOP", backend);
    stoppedPid = backend;
    Future<?> query = onContext(() -> database.pool().query("SELECT 1").execute());
    Throwable failure = query.timeout(PATIENCE_SECONDS, TimeUnit.SECONDS)
        .transform(ar -> Future.succeededFuture(ar.cause()))
        .await(PATIENCE_SECONDS + 5, TimeUnit.SECONDS);
    // Before: the client sent Terminate and shut its output only, then waited for the server to close: for ever.
    assertThat(failure).as("the query on the frozen server failed (instead of waiting for it)")
        .isNotNull().isNotInstanceOf(TimeoutException.class);

    // The pool's one slot was given back: with the server still frozen, the next query opens a new connection
    // (a new backend, the stopped one aside) and is answered.
    Row row = onContext(() -> database.pool().query("SELECT pg_backend_pid()").execute())
        .await(PATIENCE_SECONDS, TimeUnit.SECONDS).iterator().next();
    assertThat(row.getInteger(0).longValue()).isNotEqualTo(backend);

    signal("CONT", backend);
    stoppedPid = -1;
    assertThat(onContext(() -> database.pool().query("SELECT 1").execute())
        .await(PATIENCE_SECONDS, TimeUnit.SECONDS).size()).isEqualTo(1);
  }

  @Test
  @Timeout(90)
  void closingThePoolOnAFrozenServerCompletesWithoutWaitingForTheIdleTimeout(Vertx vertx, TestDatabase db)
      throws Exception {
    context = vertx.getOrCreateContext();
    // An idle timeout far above the patience: the close must not depend on it.
    database = Database.create(vertx, new DatabaseSettings(
        db.settings(), 1, DatabaseSettings.DEFAULT_CONNECT_TIMEOUT, SslMode.DISABLE, Duration.ofSeconds(120)));
    long backend = backendPid();

    signal("STOP", backend);
    stoppedPid = backend;
    // Before: the client's close sent Terminate, shut the output and waited for the frozen server to close its side
    // (until the idle timeout's hard close): the gateway's stop waited that long.
    Database closing = database;
    database = null;
    Throwable failure = closing.close().timeout(PATIENCE_SECONDS, TimeUnit.SECONDS)
        .transform(ar -> Future.succeededFuture(ar.cause()))
        .await(PATIENCE_SECONDS + 5, TimeUnit.SECONDS);
    assertThat(failure).as("the pool's close completed").isNull();
  }

  private long backendPid() throws Exception {
    return onContext(() -> database.pool().query("SELECT pg_backend_pid()").execute()).await(10, TimeUnit.SECONDS)
        .iterator().next().getInteger(0);
  }

  private <T> Future<T> onContext(Supplier<Future<T>> query) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> query.get().onComplete(result));
    return result.future();
  }

  private static void signal(String name, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -%s %d", name, pid).isZero();
  }
}
