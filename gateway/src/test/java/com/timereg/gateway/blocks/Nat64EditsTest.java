package com.timereg.gateway.blocks;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client behind a NAT64 or SIIT-DC translator arrives as 64:ff9b::a.b.c.d and is counted, blocked and explained as
 * the IPv4 address it embeds (docs/throttle.md). Staff who type it as the translator names it must block, allowlist
 * and unblock that IPv4 address: stored as the IPv6 range, the edit was accepted and matched no client ever.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class Nat64EditsTest {
  private TestNode node;

  @BeforeEach
  void start(Vertx vertx, TestDatabase db, VertxTestContext ctx) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE blocks, allowlist, audit_events");
    }
    node = new TestNode(vertx, db, "node-n", Clock.systemUTC());
    node.start().onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    node.close().onComplete(ar -> ctx.completeNow());
  }

  @Test
  void aNat64AddressOrRangeIsEditedAsTheIpv4ItEmbeds(VertxTestContext ctx) {
    BlockSync s = node.sync;
    s.block("64:ff9b::192.0.2.10", Duration.ofHours(1), "SEC-9 guesser behind the NAT64", "alice")
        .compose(record -> {
          ctx.verify(() -> {
            assertThat(record.cidr()).hasToString("192.0.2.10/32");
            assertThat(node.blocks("192.0.2.10")).as("192.0.2.10 blocked").isTrue();
          });
          return s.allow("64:ff9b::c633:6400/120", "partner office via NAT64", "alice");
        })
        .compose(entry -> {
          ctx.verify(() -> {
            assertThat(entry.cidr()).hasToString("198.51.100.0/24");
            assertThat(node.allowlists("198.51.100.7")).as("198.51.100.7 allowlisted").isTrue();
          });
          return s.unblock("64:ff9b::c000:20a", "SEC-9 done", "bob");
        })
        .compose(result -> {
          ctx.verify(() -> {
            assertThat(result.target()).hasToString("192.0.2.10/32");
            assertThat(result.lifted()).hasSize(1);
            assertThat(node.blocks("192.0.2.10")).as("192.0.2.10 still blocked").isFalse();
          });
          return s.disallow("64:ff9b::198.51.100.0/120", "partner left", "bob");
        })
        .onComplete(ctx.succeeding(removed -> ctx.verify(() -> {
          assertThat(removed).hasToString("198.51.100.0/24");
          assertThat(node.allowlists("198.51.100.7")).as("198.51.100.7 still allowlisted").isFalse();
          ctx.completeNow();
        })));
  }
}
