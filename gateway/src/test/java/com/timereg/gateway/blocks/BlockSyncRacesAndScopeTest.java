package com.timereg.gateway.blocks;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.ClientKeyPolicy;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two nodes on real PostgreSQL: an unblock that races an automatic block's write on another node,
 * and unblock-by-address of a manual block of one client under non-default client prefixes.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class BlockSyncRacesAndScopeTest {
  static final Duration CATCH_UP = Duration.ofSeconds(10);
  static final int WRITE_GATE = 4242;

  private final List<TestNode> nodes = new ArrayList<>();
  private InsertGate gate;

  @BeforeEach
  void clean(TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE blocks, allowlist, audit_events");
    }
    // Node B's automatic block writes wait at the gate while the test holds it.
    gate = InsertGate.install(db, "test_gate_node_b", "NEW.origin_node = 'node-b'", WRITE_GATE);
  }

  @AfterEach
  void close(VertxTestContext ctx) throws Exception {
    gate.close();
    Future.join(nodes.stream().map(TestNode::close).toList()).onComplete(ar -> ctx.completeNow());
  }

  /**
   * Node B blocks an address; before its row commits, staff unblock the address on node A. The
   * unblock cannot see the row, lifts B's block by notification, and then the row commits and
   * blocks the address on A. The unblock must win everywhere, as for a row whose write failed
   * (UnblockOfUnwrittenBlockTest): no node blocks the address and no active row is left.
   */
  @Test
  void unblockRacingAnInFlightAutomaticWriteWinsOnEveryNode(Vertx vertx, TestDatabase db, VertxTestContext ctx) {
    TestNode a = new TestNode(vertx, db, "node-a", Clock.systemUTC());
    TestNode b = new TestNode(vertx, db, "node-b", Clock.systemUTC());
    nodes.add(a);
    nodes.add(b);
    AtomicInteger appliedOnA = new AtomicInteger();
    Future.all(a.start(), b.start())
        .compose(v -> vertx.executeBlocking(() -> {
          gate.shut();
          return null;
        }))
        .compose(v -> {
          ctx.verify(() -> assertThat(b.fail("192.0.2.70", 10).blockIssued()).isTrue());
          return Eventually.within(vertx, CATCH_UP, "B's write waits at the gate",
              () -> vertx.executeBlocking(() -> waitingAtGate(db) > 0));
        })
        .compose(v -> a.sync.unblock("192.0.2.70", "customer called", "alice"))
        .compose(result -> {
          ctx.verify(() -> assertThat(result.lifted()).as("the row is not committed yet").isEmpty());
          return Eventually.within(vertx, CATCH_UP, "B lifts its block", () -> !b.blocks("192.0.2.70"));
        })
        .compose(v -> {
          appliedOnA.set(a.metrics.count("notification applied"));
          return vertx.executeBlocking(() -> {
            gate.open();
            return null;
          });
        })
        .compose(v -> Eventually.within(vertx, CATCH_UP, "B's row is written",
            () -> b.metrics.count("written block-issued-automatic") == 1))
        // A hears the block, then its lift, in commit order.
        .compose(v -> Eventually.within(vertx, CATCH_UP, "the written row is lifted and A heard it",
            () -> vertx.executeBlocking(() -> activeRows(db, "192.0.2.70/32") == 0
                && a.metrics.count("notification applied") >= appliedOnA.get() + 2)))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(a.blocks("192.0.2.70")).as("A keeps the unblock").isFalse();
          assertThat(b.blocks("192.0.2.70")).as("B keeps the unblock").isFalse();
          ctx.completeNow();
        })));
  }

  /**
   * The same race, read from the audit trail alone, as security staff read it: the unblock lists no lifted block
   * (the row was not committed yet), so the lift of the row written after it must be an event of its own; without
   * it the trail shows an automatic block issued and never lifted, while the tables say it was.
   */
  @Test
  void theLiftOfAnAutomaticBlockWrittenAfterItsUnblockIsInTheAuditTrail(Vertx vertx, TestDatabase db,
      VertxTestContext ctx) {
    TestNode a = new TestNode(vertx, db, "node-a", Clock.systemUTC());
    TestNode b = new TestNode(vertx, db, "node-b", Clock.systemUTC());
    nodes.add(a);
    nodes.add(b);
    Future.all(a.start(), b.start())
        .compose(v -> vertx.executeBlocking(() -> {
          gate.shut();
          return null;
        }))
        .compose(v -> {
          ctx.verify(() -> assertThat(b.fail("192.0.2.72", 10).blockIssued()).isTrue());
          return Eventually.within(vertx, CATCH_UP, "B's write waits at the gate",
              () -> vertx.executeBlocking(() -> waitingAtGate(db) > 0));
        })
        .compose(v -> a.sync.unblock("192.0.2.72", "customer called", "alice"))
        .compose(result -> Eventually.within(vertx, CATCH_UP, "B lifts its block", () -> !b.blocks("192.0.2.72")))
        .compose(v -> vertx.executeBlocking(() -> {
          gate.open();
          return null;
        }))
        .compose(v -> Eventually.within(vertx, CATCH_UP, "the written row is lifted",
            () -> vertx.executeBlocking(() -> activeRows(db, "192.0.2.72/32") == 0)))
        .compose(v -> vertx.executeBlocking(() -> count(db, "SELECT count(*) FROM audit_events e JOIN blocks b "
            + "ON (e.details->>'blockId')::bigint = b.id WHERE b.cidr = ?::cidr AND e.action = 'block-lifted' "
            + "AND e.actor IS NULL AND e.node = 'node-b' AND e.subject = b.cidr AND e.at = b.lifted_at "
            + "AND e.note = b.lift_reason AND e.details->>'expiresAt' IS NOT NULL", "192.0.2.72/32")))
        .onComplete(ctx.succeeding(events -> ctx.verify(() -> {
          assertThat(events).as("audit events of the written row's lift").isEqualTo(1);
          ctx.completeNow();
        })));
  }

  /**
   * With {@code ipv6-client-prefix: 56} one client is a /56. A manual block of that /56 is a client
   * block, so unblocking one of its addresses lifts its row, as every node already lifts the
   * client block locally; otherwise the row stays active and the next reload blocks the client again.
   */
  @Test
  void unblockByAddressLiftsAManualBlockOfItsClientUnderAConfiguredPrefix(Vertx vertx, TestDatabase db,
      VertxTestContext ctx) {
    ClientKeyPolicy keys = new ClientKeyPolicy(32, 56, 24, 48);
    TestNode a = new TestNode(vertx, db.databaseSettings(), "node-a", Clock.systemUTC(), BlockSyncSettings.DEFAULTS,
        keys);
    TestNode b = new TestNode(vertx, db.databaseSettings(), "node-b", Clock.systemUTC(), BlockSyncSettings.DEFAULTS,
        keys);
    nodes.add(a);
    nodes.add(b);
    Future.all(a.start(), b.start())
        .compose(v -> vertx.executeBlocking(() -> {
          // Not node B's automatic write: the gate must not hold this test's writes.
          gate.remove();
          return null;
        }))
        .compose(v -> a.sync.block("2001:db8:7:100::/56", Duration.ofHours(1), "abuse", "alice"))
        .compose(v -> Eventually.within(vertx, CATCH_UP, "B blocks the client", () -> b.blocks("2001:db8:7:100::1")))
        .compose(v -> a.sync.unblock("2001:db8:7:100::1", "customer called", "alice"))
        .compose(result -> {
          ctx.verify(() -> assertThat(result.lifted()).as("the client's manual block").hasSize(1));
          return Eventually.within(vertx, CATCH_UP, "B lifts it", () -> !b.blocks("2001:db8:7:100::1"));
        })
        .compose(v -> vertx.executeBlocking(() -> activeRows(db, "2001:db8:7:100::/56")))
        .onComplete(ctx.succeeding(active -> ctx.verify(() -> {
          assertThat(active).as("active rows of the lifted client").isZero();
          ctx.completeNow();
        })));
  }

  private static int waitingAtGate(TestDatabase db) throws Exception {
    return count(db, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", null);
  }

  private static int activeRows(TestDatabase db, String cidr) throws Exception {
    return count(db, "SELECT count(*) FROM blocks WHERE cidr = ?::cidr AND lifted_at IS NULL AND expires_at > now()",
        cidr);
  }

  private static int count(TestDatabase db, String sql, String param) throws Exception {
    try (Connection c = db.openJdbc(); PreparedStatement p = c.prepareStatement(sql)) {
      if (param != null) {
        p.setString(1, param);
      }
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }
}
