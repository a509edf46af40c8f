package com.timereg.gateway.blocks;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.DatabaseSettings;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
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
 * An unblock reaches a node whose automatic block has no row yet (its write failed and waits for
 * a retry). docs/blocks.md: "The target itself is also lifted on every node, in case a node holds a
 * block whose row could not be written". The lift must stick: the retry must not write the lifted
 * block after all and so block the address again on every other node.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class UnblockOfUnwrittenBlockTest {
  static final Duration CATCH_UP = Duration.ofSeconds(10);

  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeEach
  void clean(TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE blocks, allowlist, audit_events");
      // Node B's automatic block writes fail, as in an outage that only hits its writes.
      s.execute("CREATE OR REPLACE FUNCTION test_refuse_node_b() RETURNS trigger LANGUAGE plpgsql AS $$ "
          + "BEGIN IF NEW.origin_node = 'node-b' THEN RAISE EXCEPTION 'refused for the test'; END IF; "
          + "RETURN NEW; END $$");
      s.execute("CREATE TRIGGER test_refuse_node_b BEFORE INSERT ON blocks FOR EACH ROW "
          + "EXECUTE FUNCTION test_refuse_node_b()");
    }
  }

  @AfterEach
  void close(TestDatabase db, VertxTestContext ctx) throws Exception {
    dropTrigger(db);
    Future.join(nodes.stream().map(TestNode::close).toList()).onComplete(ar -> ctx.completeNow());
  }

  @Test
  void blockLiftedByAnUnblockBeforeItsRowWasWrittenIsNotWrittenAfterwards(Vertx vertx, TestDatabase db,
      VertxTestContext ctx) {
    TestNode a = new TestNode(vertx, db, "node-a", Clock.systemUTC());
    // One pooled connection: B's retried writes run in the order they are started.
    TestNode b = new TestNode(vertx, db, new DatabaseSettings(db.settings(), 1,
        DatabaseSettings.DEFAULT_CONNECT_TIMEOUT, DatabaseSettings.DEFAULT_SSL_MODE), "node-b", Clock.systemUTC(),
        BlockSyncSettings.DEFAULTS);
    nodes.add(a);
    nodes.add(b);
    Future.all(a.start(), b.start())
        .compose(v -> {
          ctx.verify(() -> assertThat(b.fail("192.0.2.60", 10).blockIssued()).isTrue());
          ctx.verify(() -> assertThat(b.fail("192.0.2.61", 10).blockIssued()).isTrue());
          return Eventually.within(vertx, CATCH_UP, "both writes failed",
              () -> b.metrics.count("failed block-issued-automatic store-error") == 2);
        })
        .compose(v -> vertx.executeBlocking(() -> dropTrigger(db)))
        .compose(v -> a.sync.unblock("192.0.2.60", "customer called", "alice"))
        .compose(result -> {
          ctx.verify(() -> assertThat(result.lifted()).as("no row to lift").isEmpty());
          return Eventually.within(vertx, CATCH_UP, "B lifts its unwritten block", () -> !b.blocks("192.0.2.60"));
        })
        // B reconnects and reloads, which retries the writes that failed.
        .compose(v -> vertx.executeBlocking(() -> terminateListener(db, "node-b")))
        // 192.0.2.61 was written after 192.0.2.60's retry (one connection), and A hears B's writes in commit order.
        .compose(v -> Eventually.within(vertx, CATCH_UP, "A blocks 192.0.2.61 once B wrote it",
            () -> a.blocks("192.0.2.61")))
        .compose(v -> vertx.executeBlocking(() -> activeRows(db, "192.0.2.60/32")))
        .onComplete(ctx.succeeding(active -> ctx.verify(() -> {
          assertThat(b.blocks("192.0.2.60")).as("B keeps the lift").isFalse();
          assertThat(a.blocks("192.0.2.60")).as("A keeps the lift").isFalse();
          assertThat(active).as("active rows of the lifted address").isZero();
          ctx.completeNow();
        })));
  }

  @Test
  void unblockingAnIpv6AddressLiftsItsUnwrittenClientBlockOnEveryNode(Vertx vertx, TestDatabase db,
      VertxTestContext ctx) {
    TestNode a = new TestNode(vertx, db, "node-a", Clock.systemUTC());
    TestNode b = new TestNode(vertx, db, "node-b", Clock.systemUTC());
    nodes.add(a);
    nodes.add(b);
    Future.all(a.start(), b.start())
        .compose(v -> {
          ctx.verify(() -> assertThat(b.fail("2001:db8:5::1", 10).blockIssued()).isTrue());
          ctx.verify(() -> assertThat(b.blocks("2001:db8:5::2")).as("the client block is the /64").isTrue());
          return Eventually.within(vertx, CATCH_UP, "the write failed",
              () -> b.metrics.count("failed block-issued-automatic store-error") == 1);
        })
        // Named by the address, as the console and the CLI do: docs/blocks.md says an address's
        // unblock also lifts its client block, an IPv6 address's /64.
        .compose(v -> a.sync.unblock("2001:db8:5::1", "customer called", "alice"))
        .compose(result -> {
          ctx.verify(() -> assertThat(result.lifted()).as("no row to lift").isEmpty());
          return Eventually.within(vertx, CATCH_UP, "B lifts its unwritten /64 block", () -> !b.blocks("2001:db8:5::1"));
        })
        .onComplete(ctx.succeeding(v -> ctx.completeNow()));
  }

  @Test
  void unblockingAnIpv6AddressOnTheNodeHoldingItsUnwrittenClientBlockLiftsIt(Vertx vertx, TestDatabase db,
      VertxTestContext ctx) {
    TestNode b = new TestNode(vertx, db, "node-b", Clock.systemUTC());
    nodes.add(b);
    b.start()
        .compose(v -> {
          ctx.verify(() -> assertThat(b.fail("2001:db8:6::1", 10).blockIssued()).isTrue());
          return Eventually.within(vertx, CATCH_UP, "the write failed",
              () -> b.metrics.count("failed block-issued-automatic store-error") == 1);
        })
        .compose(v -> vertx.executeBlocking(() -> dropTrigger(db)))
        .compose(v -> b.sync.unblock("2001:db8:6::1", "customer called", "alice"))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(b.blocks("2001:db8:6::1")).as("lifted where the unblock was made").isFalse();
          ctx.completeNow();
        })));
  }

  private static Void dropTrigger(TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("DROP TRIGGER IF EXISTS test_refuse_node_b ON blocks");
    }
    return null;
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

  private static int terminateListener(TestDatabase db, String node) throws Exception {
    try (Connection c = db.openJdbc(); PreparedStatement p = c.prepareStatement(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?")) {
      p.setString(1, ChangeFeed.applicationName(new NodeId(node)));
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }
}
