package com.timereg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The LISTEN connection (block feed, revocation feed) on a server that stops answering and closes nothing (a paused
 * VM, a stopped process: its kernel takes the client's bytes and its FIN, nothing answers, nothing is closed). Here
 * the backend of the listening connection is stopped (SIGSTOP); unlike a relay, which closes its side when the client
 * half-closes, it shows what a frozen server does with the client's close. The probe must notice, the connection be
 * really closed, a new one LISTEN (and the owner told, so it reloads what it missed), and notifications be heard again.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class ListenConnectionFrozenServerTest {
  private static final String CHANNEL = "listen_frozen_test";
  private static final String APPLICATION_NAME = "listen-frozen-test";
  private static final Duration PROBE_INTERVAL = Duration.ofMillis(200);
  /** Far above probe interval + probe timeout: a feed that never notices fails instead of passing slowly. */
  private static final long PATIENCE_MILLIS = 30_000;

  private final List<String> heard = new CopyOnWriteArrayList<>();
  private final AtomicInteger listened = new AtomicInteger();
  private final AtomicInteger lost = new AtomicInteger();
  private final AtomicInteger probeFailures = new AtomicInteger();
  private Vertx vertx;
  private Database direct;
  private ListenConnection connection;
  private long stoppedPid = -1;

  @AfterEach
  void resumeAndClose() throws Exception {
    if (stoppedPid > 0) {
      signal("CONT", stoppedPid);
    }
    if (connection != null) {
      connection.close().await(10, TimeUnit.SECONDS);
    }
    if (direct != null) {
      direct.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Timeout(90)
  void aListenConnectionOnAFrozenServerIsClosedAndReplacedAndTheOwnerToldToReload(Vertx vertx, TestDatabase db)
      throws Exception {
    start(vertx, db);
    long backend = listenerPid();

    signal("STOP", backend);
    stoppedPid = backend;

    // Before: the probe failed and its close only shut the connection's output (after a Terminate) and waited for the
    // server to close its side, which the frozen one never does: no loss, no reconnect, deaf for ever.
    assertThat(eventually(() -> listened.get() >= 2))
        .as("a new connection listens (probe failures %d, losses %d)", probeFailures.get(), lost.get()).isTrue();
    assertThat(lost.get()).as("the owner was told of the loss").isEqualTo(1);
    assertThat(listenerPid()).as("a new backend listens").isNotEqualTo(backend);
    assertThat(heardWithin()).as("heard again with the server's old backend still frozen").isTrue();
  }

  @Test
  @Timeout(90)
  void closingAListenConnectionOnAFrozenServerCompletes(Vertx vertx, TestDatabase db) throws Exception {
    start(vertx, db);
    long backend = listenerPid();

    signal("STOP", backend);
    stoppedPid = backend;

    // Before: the client's close sent Terminate, shut the output and waited for the frozen server to close its side:
    // the gateway's stop waited on it until its own bound (60 s a part) ran out.
    Future<Void> closing = connection.close();
    assertThat(eventually(closing::isComplete)).as("the close completed").isTrue();
  }

  private void start(Vertx vertx, TestDatabase db) throws Exception {
    this.vertx = vertx;
    direct = Database.create(vertx, db.databaseSettings());
    PgConnectOptions options = Database.connectOptions(new DatabaseSettings(db.settings(), 1,
        DatabaseSettings.DEFAULT_CONNECT_TIMEOUT, SslMode.DISABLE, DatabaseSettings.DEFAULT_IDLE_TIMEOUT))
        .addProperty("application_name", APPLICATION_NAME);
    connection = new ListenConnection(vertx, options, CHANNEL, DatabaseSettings.DEFAULT_CONNECT_TIMEOUT,
        PROBE_INTERVAL, attempt -> 100, new ListenConnection.Listener() {
          @Override
          public void notified(String payload) {
            heard.add(payload);
          }

          @Override
          public void listening() {
            listened.incrementAndGet();
          }

          @Override
          public void lost() {
            lost.incrementAndGet();
          }

          @Override
          public void probeFailed(Throwable cause) {
            probeFailures.incrementAndGet();
          }
        });
    connection.start().await(10, TimeUnit.SECONDS);
    assertThat(heardWithin()).as("heard before the freeze").isTrue();
  }

  private long listenerPid() throws Exception {
    return direct.pool().preparedQuery("SELECT pid FROM pg_stat_activity WHERE application_name = $1 "
            + "ORDER BY backend_start DESC LIMIT 1")
        .execute(Tuple.of(APPLICATION_NAME)).await(10, TimeUnit.SECONDS).iterator().next().getInteger(0);
  }

  /** Notifies a fresh payload until heard, or gives up after the patience. */
  private boolean heardWithin() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MILLIS);
    while (System.nanoTime() < deadline) {
      String payload = UUID.randomUUID().toString();
      direct.pool().preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(CHANNEL, payload))
          .await(10, TimeUnit.SECONDS);
      if (eventually(() -> heard.contains(payload), 500)) {
        return true;
      }
    }
    return false;
  }

  private boolean eventually(java.util.function.BooleanSupplier condition) throws Exception {
    return eventually(condition, PATIENCE_MILLIS);
  }

  private boolean eventually(java.util.function.BooleanSupplier condition, long millis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      vertx.timer(20).await(10, TimeUnit.SECONDS);
    }
    return true;
  }

  private static void signal(String name, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -%s %d", name, pid).isZero();
  }
}
