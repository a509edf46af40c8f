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
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Node A edits an entry, then node B edits it again: B's edit saw A's row and commits after it. The notification of
 * A's edit can still reach B after B applied its own edit (B's listener is a separate connection, slower than the
 * answer to B's commit). Applied then, the stale change must not undo B's edit on B: there is no periodic reload,
 * so B would enforce it against the tables until its listener next reconnects.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class LateNotificationTest {
  static final Duration CATCH_UP = Duration.ofSeconds(15);

  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeEach
  void clean(TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE blocks, allowlist, audit_events");
    }
  }

  @AfterEach
  void close(VertxTestContext ctx) {
    Future.join(nodes.stream().map(TestNode::close).toList()).onComplete(ar -> ctx.completeNow());
  }

  @Test
  void anAllowlistEntryRemovedOnANodeIsNotPutBackThereByTheLateNotificationOfItsAddition(Vertx vertx,
      TestDatabase db, VertxTestContext ctx) {
    withLateListener(vertx, db, ctx,
        a -> a.sync.allow("192.0.2.70", "partner office", "alice").mapEmpty(),
        b -> b.sync.disallow("192.0.2.70", "contract ended", "bob").mapEmpty(),
        b -> assertThat(b.allowlists("192.0.2.70")).as("B after the late notification of A's addition").isFalse());
  }

  @Test
  void aBlockLiftedOnANodeIsNotPutBackThereByTheLateNotificationOfItsCreation(Vertx vertx, TestDatabase db,
      VertxTestContext ctx) {
    withLateListener(vertx, db, ctx,
        a -> a.sync.block("192.0.2.71", Duration.ofHours(1), "password spraying", "alice").mapEmpty(),
        b -> b.sync.unblock("192.0.2.71", "customer called", "bob").mapEmpty(),
        b -> assertThat(b.blocks("192.0.2.71")).as("B after the late notification of A's block").isFalse());
  }

  /**
   * A edits ({@code first}) while what the server sends B's listener is held back; B edits ({@code second}) over a
   * fresh pooled connection, then B's listener hears A's change, late, and its own.
   */
  private void withLateListener(Vertx vertx, TestDatabase db, VertxTestContext ctx,
      Function<TestNode, Future<Void>> first, Function<TestNode, Future<Void>> second, Consumer<TestNode> check) {
    TestNode a = new TestNode(vertx, db, "node-a", Clock.systemUTC());
    nodes.add(a);
    TcpRelay.start(vertx, db.settings().host(), db.settings().port()).compose(relay -> {
      ConnectionSettings c = db.settings();
      // A short idle timeout: B's pooled connection closes, leaving only its listener open to hold back.
      TestNode b = new TestNode(vertx, db, new DatabaseSettings(
          new ConnectionSettings("127.0.0.1", relay.port(), c.database(), c.user(), c.password()),
          1, Duration.ofSeconds(2), SslMode.DISABLE, Duration.ofSeconds(1)), "node-b", Clock.systemUTC(),
          BlockSyncSettings.DEFAULTS);
      nodes.add(b);
      return Future.all(a.start(), b.start())
          .compose(v -> Eventually.within(vertx, CATCH_UP, "only B's listener is open", () -> relay.openNow() == 1))
          .compose(v -> {
            relay.holdOpenConnections();
            return first.apply(a);
          })
          .compose(v -> second.apply(b))
          .compose(v -> {
            int own = b.metrics.count("notification own");
            relay.releaseHeld();
            return Eventually.within(vertx, CATCH_UP, "B heard its own edit", () ->
                b.metrics.count("notification own") > own);
          })
          .map(v -> {
            ctx.verify(() -> check.accept(b));
            return v;
          });
    }).onComplete(ctx.succeeding(v -> ctx.completeNow()));
  }
}
