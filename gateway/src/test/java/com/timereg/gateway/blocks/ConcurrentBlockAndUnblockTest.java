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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One administrator blocks a range again (replacing its manual block) while another unblocks it. Whatever the
 * outcome, every node must end up enforcing what the tables say: a node that only listens applies the two
 * notifications in commit order, so an unblock that committed after the new block without lifting its row would
 * leave the row active in the tables (and in the console's list) and enforced by no node.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ConcurrentBlockAndUnblockTest {
  static final Duration BOUND = Duration.ofSeconds(10);
  static final int WRITE_GATE = 4344;
  static final String RANGE = "198.18.41.0/24";
  static final String INSIDE = "198.18.41.7";

  private final List<TestNode> nodes = new java.util.ArrayList<>();
  private InsertGate gate;

  @BeforeEach
  void clean(TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE blocks, allowlist, audit_events");
    }
    gate = InsertGate.install(db, "test_gate_reblock", "NEW.kind = 'manual'", WRITE_GATE);
  }

  @AfterEach
  void close(VertxTestContext ctx) throws Exception {
    gate.close();
    Future.join(nodes.stream().map(TestNode::close).toList()).onComplete(ar -> ctx.completeNow());
  }

  @Test
  void anUnblockRacingANewBlockOfTheSameRangeLeavesEveryNodeAsTheTablesSay(Vertx vertx, TestDatabase db,
      VertxTestContext ctx) {
    TestNode a = node(vertx, db, "node-a");
    TestNode b = node(vertx, db, "node-b");
    TestNode observer = node(vertx, db, "node-c");
    Future.all(a.start(), b.start(), observer.start())
        .compose(v -> a.sync.block(RANGE, Duration.ofHours(1), "SEC-1 first look", "alice"))
        .compose(v -> Eventually.within(vertx, BOUND, "the observer heard the first block",
            () -> observer.metrics.count("notification applied") == 1))
        .compose(v -> vertx.executeBlocking(() -> {
          gate.shut();
          return null;
        }))
        .compose(v -> {
          // The new block has replaced (row-locked) the first one and waits before its own row is inserted.
          Future<BlockRecord> reblock = a.sync.block(RANGE, Duration.ofDays(7), "SEC-2 it goes on", "alice");
          return Eventually.within(vertx, BOUND, "the new block is under way", () -> waiting(vertx, db, 1))
              .compose(w -> {
                // The unblock runs while the new block has not committed yet.
                Future<UnblockResult> unblock = b.sync.unblock(RANGE, "SEC-1 false alarm", "bob");
                return Eventually.within(vertx, BOUND, "the unblock is under way too", () -> waiting(vertx, db, 2))
                    .compose(x -> vertx.executeBlocking(() -> {
                      gate.open();
                      return null;
                    }))
                    .compose(x -> Future.all(reblock, unblock));
              });
        })
        .compose(v -> Eventually.within(vertx, BOUND, "the observer heard the new block and the unblock",
            () -> observer.metrics.count("notification applied") == 3))
        .compose(v -> vertx.executeBlocking(() -> count(db, "SELECT count(*) FROM blocks WHERE cidr = ?::cidr "
            + "AND kind = 'manual' AND lifted_at IS NULL AND expires_at > now()", RANGE)))
        .onComplete(ctx.succeeding(active -> ctx.verify(() -> {
          assertThat(observer.blocks(INSIDE))
              .as("the observer enforces " + RANGE + " exactly when the tables hold an active block of it ("
                  + active + " active)")
              .isEqualTo(active > 0);
          ctx.completeNow();
        })));
  }

  private TestNode node(Vertx vertx, TestDatabase db, String name) {
    TestNode n = new TestNode(vertx, db, name, Clock.systemUTC());
    nodes.add(n);
    return n;
  }

  private static Future<Boolean> waiting(Vertx vertx, TestDatabase db, int n) {
    return vertx.executeBlocking(() -> count(db, "SELECT count(*) FROM pg_locks WHERE NOT granted", null) == n);
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
