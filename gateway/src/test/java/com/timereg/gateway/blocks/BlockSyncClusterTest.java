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
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Two or three nodes in one JVM, each with its own throttle, pool and LISTEN connection, on one database. */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class BlockSyncClusterTest {
  /** The promise to operators: a block made on one node holds on every node within a second. */
  static final Duration PROPAGATION = Duration.ofSeconds(1);
  /** Reconnecting waits 100 ms, then a reload: generous, since this is not the propagation promise. */
  static final Duration CATCH_UP = Duration.ofSeconds(10);

  private final Clock clock = Clock.systemUTC();
  private final List<TestNode> nodes = new ArrayList<>();
  private Vertx vertx;
  private TestDatabase db;
  private TestNode a;
  private TestNode b;

  @BeforeEach
  void startTwoNodes(Vertx vertx, TestDatabase db, VertxTestContext ctx) throws Exception {
    this.vertx = vertx;
    this.db = db;
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE blocks, allowlist, audit_events");
    }
    a = node("node-a");
    b = node("node-b");
    Future.all(a.start(), b.start()).onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void closeNodes(VertxTestContext ctx) {
    Future.join(nodes.stream().map(TestNode::close).toList()).onComplete(ar -> ctx.completeNow());
  }

  private TestNode node(String name) {
    TestNode n = new TestNode(vertx, db, name, clock);
    nodes.add(n);
    return n;
  }

  @Test
  void automaticBlockIssuedOnOneNodeIsEnforcedOnTheOtherWithinOneSecond(VertxTestContext ctx) {
    assertThat(a.fail("192.0.2.10", 10).blockIssued()).isTrue();

    Eventually.within(vertx, PROPAGATION, "node B blocks 192.0.2.10", () -> b.blocks("192.0.2.10"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(b.blocks("192.0.2.11")).as("a neighbour").isFalse();
          assertThat(b.events).containsExactly("issued CLIENT 192.0.2.10/32 REMOTE");
          ctx.completeNow();
        })));
  }

  @Test
  void manualUnblockOnOneNodeLiftsTheBlockOnTheOtherWithinOneSecond(VertxTestContext ctx) {
    a.fail("192.0.2.20", 10);

    Eventually.within(vertx, PROPAGATION, "node B blocks 192.0.2.20", () -> b.blocks("192.0.2.20"))
        .compose(v -> b.sync.unblock("192.0.2.20", "customer called, typo in password manager", "alice"))
        .compose(result -> {
          ctx.verify(() -> {
            assertThat(result.lifted()).extracting(r -> r.cidr().toString()).containsExactly("192.0.2.20/32");
            assertThat(b.blocks("192.0.2.20")).as("lifted at once where it was made").isFalse();
          });
          return Eventually.within(vertx, PROPAGATION, "node A lifts 192.0.2.20", () -> !a.blocks("192.0.2.20"));
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(a.events).containsExactly("issued CLIENT 192.0.2.20/32 LOCAL", "lifted CLIENT 192.0.2.20/32 REMOTE");
          ctx.completeNow();
        })));
  }

  @Test
  void manualBlockOnOneNodeIsEnforcedOnTheOtherWithinOneSecond(VertxTestContext ctx) {
    a.sync.block("203.0.113.0/24", Duration.ofHours(2), "credential stuffing from this hoster", "bob")
        .compose(record -> {
          ctx.verify(() -> assertThat(a.blocks("203.0.113.77")).as("at once where it was made").isTrue());
          return Eventually.within(vertx, PROPAGATION, "node B blocks 203.0.113.77", () -> b.blocks("203.0.113.77"));
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          var manual = b.throttle.registry().manualBlocks();
          assertThat(manual).singleElement().satisfies(m -> {
            assertThat(m.reason()).isEqualTo("credential stuffing from this hoster");
            assertThat(m.createdBy()).isEqualTo("bob");
          });
          ctx.completeNow();
        })));
  }

  @Test
  void allowlistEntryAddedOnOneNodeProtectsOnTheOther(VertxTestContext ctx) {
    a.sync.allow("198.51.100.0/24", "customer office, Utrecht", "carol")
        .compose(entry -> Eventually.within(vertx, PROPAGATION, "node B allowlists 198.51.100.9",
            () -> b.allowlists("198.51.100.9")))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(b.fail("198.51.100.9", 30).blockIssued()).isFalse();
          assertThat(b.blocks("198.51.100.9")).isFalse();
          ctx.completeNow();
        })));
  }

  @Test
  void allowlistRemovalOnOneNodeEndsTheProtectionOnTheOther(VertxTestContext ctx) {
    a.sync.allow("198.51.100.0/24", "customer office", "carol")
        .compose(e -> Eventually.within(vertx, PROPAGATION, "B allowlists", () -> b.allowlists("198.51.100.9")))
        .compose(v -> b.sync.disallow("198.51.100.0/24", "office moved", "carol"))
        .compose(v -> Eventually.within(vertx, PROPAGATION, "A no longer allowlists", () -> !a.allowlists("198.51.100.9")))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(b.allowlists("198.51.100.9")).isFalse();
          ctx.completeNow();
        })));
  }

  @Test
  void nodeStartedAfterTheChangesLoadsThemAtStart(VertxTestContext ctx) {
    a.fail("192.0.2.30", 10);
    Eventually.within(vertx, CATCH_UP, "the automatic block is recorded",
            () -> a.metrics.count("written block-issued-automatic") == 1)
        .compose(v -> a.sync.block("2001:db8:1::/48", Duration.ofHours(1), "abuse report #4711", "dave"))
        .compose(v -> a.sync.allow("198.51.100.0/24", "customer office", "carol"))
        .compose(v -> node("node-c").start())
        .onComplete(ctx.succeeding(c -> ctx.verify(() -> {
          assertThat(c.blocks("192.0.2.30")).as("automatic block").isTrue();
          assertThat(c.blocks("2001:db8:1:2::5")).as("manual block").isTrue();
          assertThat(c.allowlists("198.51.100.1")).as("allowlist").isTrue();
          assertThat(c.sync.synced()).isTrue();
          ctx.completeNow();
        })));
  }

  @Test
  void nodeSkipsItsOwnNotificationsSoNothingIsAppliedTwice(VertxTestContext ctx) {
    a.sync.block("203.0.113.0/24", Duration.ofHours(1), "scanner", "bob")
        .compose(r -> a.sync.unblock("203.0.113.0/24", "false alarm", "bob"))
        // Notifications arrive in commit order, so once B's own edit is back at A, A has seen its own two.
        .compose(r -> b.sync.allow("198.51.100.0/24", "office", "carol"))
        .compose(e -> Eventually.within(vertx, PROPAGATION, "A hears of B's edit", () -> a.allowlists("198.51.100.1")))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(a.metrics.count("notification own")).isEqualTo(2);
          assertThat(a.events).containsExactly("issued MANUAL 203.0.113.0/24 LOCAL", "lifted MANUAL 203.0.113.0/24 LOCAL");
          ctx.completeNow();
        })));
  }

  @Test
  void listenerThatLostItsConnectionCatchesUpOnWhatItMissed(VertxTestContext ctx) throws Exception {
    a.fail("192.0.2.40", 10);
    Instant now = Instant.now();
    Eventually.within(vertx, PROPAGATION, "B blocks 192.0.2.40", () -> b.blocks("192.0.2.40"))
        .compose(v -> vertx.executeBlocking(() -> {
          // Changes B never hears of: committed without a notification, as if B had been deaf.
          try (Connection c = db.openJdbc()) {
            insertSilently(c, "192.0.2.50/32", now);
            try (Statement s = c.createStatement()) {
              s.execute("UPDATE blocks SET lifted_at = now(), lifted_by = 'erin', lift_reason = 'test' "
                  + "WHERE cidr = '192.0.2.40/32'");
              s.execute("INSERT INTO allowlist (cidr, note, created_by, created_at) "
                  + "VALUES ('198.51.100.0/24', 'monitoring', 'erin', now())");
            }
          }
          return null;
        }))
        .compose(v -> {
          ctx.verify(() -> assertThat(b.blocks("192.0.2.50")).as("not heard of yet").isFalse());
          return vertx.executeBlocking(() -> terminateListener("node-b"));
        })
        .compose(killed -> {
          ctx.verify(() -> assertThat(killed).as("listener connections terminated").isEqualTo(1));
          return Eventually.within(vertx, CATCH_UP, "B reloads after reconnecting",
              () -> b.metrics.count("reloaded") >= 2 && b.sync.synced());
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(b.metrics.count("listener lost")).isEqualTo(1);
          assertThat(b.blocks("192.0.2.50")).as("block made while deaf").isTrue();
          assertThat(b.blocks("192.0.2.40")).as("block lifted while deaf").isFalse();
          assertThat(b.allowlists("198.51.100.7")).as("allowlist entry added while deaf").isTrue();
          ctx.completeNow();
        })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"v\":1,\"node\":\"node-x\",\"op\":\"block\"}",
      "{\"v\":1,\"node\":\"node-x\",\"op\":\"unblock\",\"target\":\"no-cidr\",\"lifted\":[]}",
      "{\"v\":1,\"node\":\"node-x\",\"op\":\"resync\"", "not json"})
  void aNotificationThatCannotBeReadOrAppliedMakesTheNodeReloadRatherThanMissAChange(String payload,
      VertxTestContext ctx) {
    // Something changed, and this node cannot tell what: the tables can. There is no periodic reload, so a
    // notification dropped here would leave the node wrong until its listener next reconnects.
    Instant now = Instant.now();
    vertx.executeBlocking(() -> {
          try (Connection c = db.openJdbc()) {
            insertSilently(c, "192.0.2.60/32", now);
            try (PreparedStatement p = c.prepareStatement("SELECT pg_notify('gateway_blocks', ?)")) {
              p.setString(1, payload);
              p.execute();
            }
          }
          return null;
        })
        .compose(v -> Eventually.within(vertx, CATCH_UP, "B reloads", () -> b.blocks("192.0.2.60")))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(b.metrics.count("notification invalid")).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  private static void insertSilently(Connection c, String cidr, Instant now) throws Exception {
    try (PreparedStatement p = c.prepareStatement("INSERT INTO blocks (cidr, kind, scope, reason, created_at, "
        + "expires_at, level, origin_node) VALUES (?::cidr, 'automatic', 'client', 'client-failures', "
        + "?::timestamptz, ?::timestamptz, 1, 'node-x')")) {
      p.setString(1, cidr);
      p.setString(2, now.toString());
      p.setString(3, now.plus(Duration.ofMinutes(15)).toString());
      p.executeUpdate();
    }
  }

  private int terminateListener(String node) throws Exception {
    try (Connection c = db.openJdbc(); PreparedStatement p = c.prepareStatement(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?")) {
      p.setString(1, ChangeFeed.applicationName(new NodeId(node)));
      var r = p.executeQuery();
      r.next();
      return r.getInt(1);
    }
  }
}
