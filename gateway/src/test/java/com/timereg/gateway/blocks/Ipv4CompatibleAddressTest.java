package com.timereg.gateway.blocks;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An IPv6 address in ::/96 whose last 32 bits are not zero ("IPv4-compatible", e.g. ::102:304) is
 * accepted by every edit, but PostgreSQL prints such a cidr in dotted form ("::1.2.3.4/128"). What
 * the nodes read back from the tables must still parse as the same IPv6 range: otherwise one such
 * allowlist entry stops every node from loading the shared state (a starting node never starts),
 * and one such audit row makes the audit trail unreadable.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class Ipv4CompatibleAddressTest {
  private final List<TestNode> nodes = new ArrayList<>();
  private Vertx vertx;
  private TestDatabase db;
  private TestNode a;

  @BeforeEach
  void start(Vertx vertx, TestDatabase db, VertxTestContext ctx) throws Exception {
    this.vertx = vertx;
    this.db = db;
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE blocks, allowlist, audit_events");
    }
    a = node("node-a");
    a.start().onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    Future.join(nodes.stream().map(TestNode::close).toList()).onComplete(ar -> ctx.completeNow());
  }

  private TestNode node(String name) {
    TestNode n = new TestNode(vertx, db, name, Clock.systemUTC());
    nodes.add(n);
    return n;
  }

  @Test
  void postgresqlsDottedSpellingParsesAsTheSameIpv6Range() {
    assertThat(Cidr.parse("::1.2.3.0/120")).isEqualTo(Cidr.parse("::102:300/120"));
    assertThat(Cidr.parse("::1.2.3.4")).isEqualTo(Cidr.parse("::102:304/128"));
    // IPv4-mapped addresses stay IPv4, as documented.
    assertThat(Cidr.parse("::ffff:192.0.2.7")).isEqualTo(Cidr.parse("192.0.2.7/32"));
  }

  @Test
  void aNodeStartsAndLoadsAnAllowlistedIpv4CompatibleRange(VertxTestContext ctx) {
    a.sync.allow("::102:300/120", "legacy tunnel endpoint", "carol")
        .compose(entry -> node("node-b").start().timeout(15, TimeUnit.SECONDS))
        .onComplete(ctx.succeeding(b -> ctx.verify(() -> {
          assertThat(b.allowlists("::102:3ff")).isTrue();
          ctx.completeNow();
        })));
  }

  @Test
  void theAuditTrailStaysReadableAfterAnEditOfAnIpv4CompatibleAddress(VertxTestContext ctx) {
    a.sync.unblock("::102:304", "nothing was blocked, checking", "carol")
        .compose(r -> a.sync.queries().recentEvents(0, 10))
        .onComplete(ctx.succeeding(page -> ctx.verify(() -> {
          assertThat(page.items()).singleElement()
              .satisfies(e -> assertThat(e.subject()).isEqualTo(Cidr.parse("::102:304/128")));
          ctx.completeNow();
        })));
  }
}
