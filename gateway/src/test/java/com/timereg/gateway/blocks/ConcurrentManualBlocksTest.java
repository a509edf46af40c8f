package com.timereg.gateway.blocks;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two administrators block the same range at the same instant. A manual block replaces (lifts) the
 * active manual block of exactly its range, so at most one of them may stay active: two active rows
 * would leave the nodes enforcing whichever change each heard last, and the list showing both.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ConcurrentManualBlocksTest {
  static final Duration BOUND = Duration.ofSeconds(10);
  static final int WRITE_GATE = 4343;

  private TestNode node;
  private InsertGate gate;

  @BeforeEach
  void clean(TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE blocks, allowlist, audit_events");
    }
    // Manual block rows wait here while the test holds the gate: both edits are then under way at once.
    gate = InsertGate.install(db, "test_gate_manual", "NEW.kind = 'manual'", WRITE_GATE);
  }

  @AfterEach
  void close(VertxTestContext ctx) throws Exception {
    gate.close();
    (node == null ? Future.<Void>succeededFuture() : node.close()).onComplete(ar -> ctx.completeNow());
  }

  @Test
  void twoSimultaneousBlocksOfOneRangeLeaveOneActive(Vertx vertx, TestDatabase db, VertxTestContext ctx) {
    node = new TestNode(vertx, db, "node-a", Clock.systemUTC());
    String range = "198.18.40.0/24";
    node.start()
        .compose(v -> vertx.executeBlocking(() -> {
          gate.shut();
          return null;
        }))
        .compose(v -> {
          Future<BlockRecord> first = node.sync.block(range, Duration.ofMinutes(5), "SEC-1 short", "alice");
          Future<BlockRecord> second = node.sync.block(range, Duration.ofDays(7), "SEC-2 long", "bob");
          return Eventually.within(vertx, BOUND, "both edits are under way",
                  () -> vertx.executeBlocking(() -> count(db,
                      "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", null) == 2))
              .compose(w -> vertx.executeBlocking(() -> {
                gate.open();
                return null;
              }))
              .compose(w -> Future.all(first, second));
        })
        .compose(v -> vertx.executeBlocking(() -> count(db, "SELECT count(*) FROM blocks WHERE cidr = ?::cidr "
            + "AND kind = 'manual' AND lifted_at IS NULL AND expires_at > now()", range)))
        .onComplete(ctx.succeeding(active -> ctx.verify(() -> {
          assertThat(active).as("active manual blocks of " + range).isEqualTo(1);
          ctx.completeNow();
        })));
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
