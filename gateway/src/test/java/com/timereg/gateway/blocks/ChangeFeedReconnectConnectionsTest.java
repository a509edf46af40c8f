package com.timereg.gateway.blocks;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.ConnectionSettings;
import com.timereg.gateway.store.DatabaseSettings;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.TcpRelay;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.SslMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A reconnecting change feed leaves no connection of its own behind on the server: after its backend was ended and
 * after attempts that timed out, the server holds exactly one connection of the node's feed.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class ChangeFeedReconnectConnectionsTest {
  private static final Duration RECOVERY = Duration.ofSeconds(20);
  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void closeNodes(VertxTestContext ctx) {
    Future.join(nodes.stream().map(TestNode::close).toList()).onComplete(ar -> ctx.completeNow());
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void reconnectsAfterItsBackendWasEndedLeaveOneListener(Vertx vertx, TestDatabase db, VertxTestContext ctx) {
    TestNode a = new TestNode(vertx, db, "ended", Clock.systemUTC());
    nodes.add(a);
    Future<Void> chain = a.start().mapEmpty();
    for (int i = 1; i <= 3; i++) {
      int round = i;
      chain = chain
          .compose(v -> vertx.executeBlocking(() -> sql(db, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
              + " WHERE application_name = 'gateway-blocks-ended'")))
          .compose(v -> Eventually.within(vertx, RECOVERY, "reconnected " + round,
              () -> a.metrics.count("listener lost") == round && a.sync.synced()));
    }
    chain.compose(v -> Eventually.within(vertx, RECOVERY, "one listener on the server",
            () -> vertx.executeBlocking(() -> listeners(db, "gateway-blocks-ended") == 1)))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void attemptsThatTimedOutLeaveNoConnectionOnTheServer(Vertx vertx, TestDatabase db, VertxTestContext ctx) {
    TcpRelay.start(vertx, db.settings().host(), db.settings().port()).compose(r -> {
      ConnectionSettings c = db.settings();
      DatabaseSettings settings = new DatabaseSettings(
          new ConnectionSettings("127.0.0.1", r.port(), c.database(), c.user(), c.password()),
          2, Duration.ofMillis(300), SslMode.DISABLE, Duration.ofSeconds(1));
      TestNode a = new TestNode(vertx, db, settings, "stalled", Clock.systemUTC(), BlockSyncSettings.DEFAULTS);
      nodes.add(a);
      return a.start().compose(v -> {
        int before = r.opened();
        // Attempts reach the server through the relay, which then passes nothing: each one times out.
        r.freeze(true);
        r.closeOpenConnections();
        return Eventually.within(vertx, RECOVERY, "attempts timed out", () -> r.opened() >= before + 3);
      }).compose(v -> {
        r.freeze(false);
        return Eventually.within(vertx, RECOVERY, "back in sync", a.sync::synced);
      }).compose(v -> Eventually.within(vertx, RECOVERY, "one feed connection on the server",
          () -> vertx.executeBlocking(
              () -> listeners(db, "gateway-blocks-stalled") == 1 && backendsWithoutDatabase(db) == 0)));
    }).onComplete(ctx.succeedingThenComplete());
  }

  private static long sql(TestDatabase db, String query) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(query)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static long listeners(TestDatabase db, String applicationName) {
    try {
      return sql(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + applicationName + "'");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Client backends still waiting for a startup message (abandoned before they said which database). */
  private static long backendsWithoutDatabase(TestDatabase db) {
    try {
      return sql(db, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND datname IS NULL");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
