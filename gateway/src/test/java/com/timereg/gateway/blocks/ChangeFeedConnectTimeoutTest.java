package com.timereg.gateway.blocks;

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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The LISTEN connection's attempts are bounded by {@code database.connect-timeout}: one a server accepts but never
 * answers (a frozen server, a half-dead proxy in front of it) is given up and retried, so the node gets back in sync
 * once the server answers again instead of waiting on that one attempt for ever.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class ChangeFeedConnectTimeoutTest {
  private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
  /** Connect timeout plus the capped reconnect backoff, with room for a busy machine. */
  private static final Duration RECOVERY = Duration.ofSeconds(20);

  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void closeNodes(VertxTestContext ctx) {
    Future.join(nodes.stream().map(TestNode::close).toList()).onComplete(ar -> ctx.completeNow());
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void startsOnceTheServerAnswersAfterAFirstAttemptItNeverAnswered(Vertx vertx, TestDatabase db,
      VertxTestContext ctx) {
    TcpRelay.start(vertx, db.settings().host(), db.settings().port()).compose(r -> {
      r.silenceNewConnections(true);
      TestNode a = node(vertx, db, r, "node-a");
      a.start();
      return Eventually.within(vertx, RECOVERY, "the first attempt reached the silent server", () -> r.silenced() > 0)
          .compose(v -> {
            r.silenceNewConnections(false);
            return Eventually.within(vertx, RECOVERY, "node A starts after all", a.sync::synced);
          });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void reconnectsOnceTheServerAnswersAfterAReconnectAttemptItNeverAnswered(Vertx vertx, TestDatabase db,
      VertxTestContext ctx) {
    TcpRelay.start(vertx, db.settings().host(), db.settings().port()).compose(r -> {
      TestNode a = node(vertx, db, r, "node-b");
      return a.start().compose(v -> {
        r.silenceNewConnections(true);
        r.closeOpenConnections();
        return Eventually.within(vertx, RECOVERY, "a reconnect attempt reached the silent server",
            () -> r.silenced() > 0 && !a.sync.synced());
      }).compose(v -> {
        r.silenceNewConnections(false);
        return Eventually.within(vertx, RECOVERY, "node B is back in sync", a.sync::synced);
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void aListenerCutOffSilentlyIsProbedThenReconnectedAndReloaded(Vertx vertx, TestDatabase db, VertxTestContext ctx) {
    BlockSyncSettings probing = new BlockSyncSettings(null, BlockSyncSettings.DEFAULT_MAX_MANUAL_BLOCK,
        BlockSyncSettings.DEFAULT_MIN_IPV4_PREFIX, BlockSyncSettings.DEFAULT_MIN_IPV6_PREFIX,
        BlockSyncSettings.DEFAULT_RECONNECT_INITIAL_DELAY, BlockSyncSettings.DEFAULT_RECONNECT_MAX_DELAY,
        Duration.ofMillis(200), BlockSyncSettings.DEFAULT_MAX_PENDING_WRITES, List.of());
    TcpRelay.start(vertx, db.settings().host(), db.settings().port()).compose(r -> {
      TestNode a = node(vertx, db, r, "node-c", probing);
      return a.start().compose(v -> {
        int reloads = a.metrics.count("reloaded");
        r.cutOpenConnections();
        return Eventually.within(vertx, RECOVERY, "the probe notices, node C reconnects and reloads",
            () -> a.metrics.count("listener lost") == 1 && a.metrics.count("reloaded") > reloads && a.sync.synced());
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  private TestNode node(Vertx vertx, TestDatabase db, TcpRelay relay, String name) {
    return node(vertx, db, relay, name, BlockSyncSettings.DEFAULTS);
  }

  private TestNode node(Vertx vertx, TestDatabase db, TcpRelay relay, String name, BlockSyncSettings sync) {
    ConnectionSettings c = db.settings();
    // A short idle timeout: the pool's connections are cut off too, and the reload must not wait 30 s on one.
    DatabaseSettings settings = new DatabaseSettings(
        new ConnectionSettings("127.0.0.1", relay.port(), c.database(), c.user(), c.password()),
        2, CONNECT_TIMEOUT, SslMode.DISABLE, Duration.ofSeconds(1));
    TestNode node = new TestNode(vertx, db, settings, name, Clock.systemUTC(), sync);
    nodes.add(node);
    return node;
  }
}
