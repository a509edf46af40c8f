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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node cut off from PostgreSQL blocks an address; its row cannot be written, and it cannot hear either. Staff
 * unblock the address on another node meanwhile (the customer called). When the node is back it reloads and writes
 * the blocks that waited: the unblock, which it never heard, must still hold, on it and on every other node.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class UnblockWhileDeafTest {
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
  void anUnblockCommittedWhileTheBlockingNodeWasCutOffIsNotUndoneWhenItComesBack(Vertx vertx, TestDatabase db,
      VertxTestContext ctx) {
    TestNode a = new TestNode(vertx, db, "node-a", Clock.systemUTC());
    nodes.add(a);
    TcpRelay.start(vertx, db.settings().host(), db.settings().port())
        .compose(relay -> {
          ConnectionSettings c = db.settings();
          // One pooled connection: B's retried writes run in the order they are started. A short idle timeout, as
          // the relay cuts the pool's connection too.
          TestNode b = new TestNode(vertx, db, new DatabaseSettings(
              new ConnectionSettings("127.0.0.1", relay.port(), c.database(), c.user(), c.password()),
              1, Duration.ofSeconds(2), SslMode.DISABLE, Duration.ofSeconds(1)), "node-b", Clock.systemUTC(),
              BlockSyncSettings.DEFAULTS);
          nodes.add(b);
          return Future.all(a.start(), b.start())
              .compose(v -> {
                relay.refuseNewConnections(true);
                relay.closeOpenConnections();
                return Eventually.within(vertx, CATCH_UP, "B is cut off", () -> !b.sync.synced());
              })
              .compose(v -> {
                ctx.verify(() -> assertThat(b.fail("192.0.2.60", 10).blockIssued()).isTrue());
                // Written after 192.0.2.60's retry (one connection): once A blocks it, that retry is over.
                ctx.verify(() -> assertThat(b.fail("192.0.2.61", 10).blockIssued()).isTrue());
                return Eventually.within(vertx, CATCH_UP, "both writes failed",
                    () -> b.metrics.count("failed block-issued-automatic store-error") == 2);
              })
              .compose(v -> a.sync.unblock("192.0.2.60", "customer called", "alice"))
              .compose(result -> {
                ctx.verify(() -> assertThat(result.lifted()).as("no row to lift").isEmpty());
                relay.refuseNewConnections(false);
                return Eventually.within(vertx, CATCH_UP, "A blocks 192.0.2.61 once B wrote it",
                    () -> a.blocks("192.0.2.61"));
              })
              .map(b);
        })
        .compose(b -> vertx.executeBlocking(() -> activeRows(db, "192.0.2.60/32")).map(active -> {
          ctx.verify(() -> {
            assertThat(active).as("active rows of the unblocked address").isZero();
            assertThat(a.blocks("192.0.2.60")).as("A keeps the unblock").isFalse();
            assertThat(b.blocks("192.0.2.60")).as("B, back, lifts the block the unblock concerned").isFalse();
            assertThat(b.blocks("192.0.2.61")).as("B keeps the block no unblock concerned").isTrue();
          });
          return active;
        }))
        .onComplete(ctx.succeeding(v -> ctx.completeNow()));
  }

  private static int activeRows(TestDatabase db, String cidr) throws Exception {
    try (Connection c = db.openJdbc(); PreparedStatement p = c.prepareStatement(
        "SELECT count(*) FROM blocks WHERE cidr = ?::cidr AND lifted_at IS NULL AND expires_at > now()")) {
      p.setString(1, cidr);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }
}
