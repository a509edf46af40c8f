package com.timereg.gateway.blocks;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.throttle.BlockKind;
import com.timereg.gateway.throttle.BlockReason;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Edits on one node: what is written, audited, refused and replaced. */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class BlockSyncEditsTest {
  private TestNode node;
  private TestDatabase db;
  private Vertx vertx;

  @BeforeEach
  void start(Vertx vertx, TestDatabase db, VertxTestContext ctx) throws Exception {
    this.vertx = vertx;
    this.db = db;
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE blocks, allowlist, audit_events");
    }
    node = new TestNode(vertx, db, "node-e", Clock.systemUTC());
    node.start().onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    node.close().onComplete(ar -> ctx.completeNow());
  }

  /**
   * Security staff read an edit's before and after from the audit trail alone: an event that replaced or removed a
   * row names what it ended (expiry, reason or note, who made it), not only its id, whose own event may be long gone
   * (or pruned) by then.
   */
  @Test
  void anEditThatReplacesOrRemovesARowAuditsWhatThatRowSaid(VertxTestContext ctx) {
    BlockSync s = node.sync;
    List<BlockRecord> blocks = new ArrayList<>();
    s.block("203.0.113.7", Duration.ofHours(2), "credential stuffing", "alice")
        .compose(r -> {
          blocks.add(r);
          return s.block("203.0.113.7", Duration.ofDays(1), "still at it", "bob");
        })
        .compose(r -> s.allow("198.51.100.0/24", "customer office Utrecht", "carol"))
        .compose(e -> s.allow("198.51.100.0/24", "customer office Utrecht, new lease", "dave"))
        .compose(e -> s.disallow("198.51.100.0/24", "office closed", "erin"))
        .compose(v -> s.queries().recentEvents(0, 10))
        .onComplete(ctx.succeeding(page -> ctx.verify(() -> {
          assertThat(page.items()).extracting(AuditEvent::action)
              .containsExactly("allow-remove", "allow-add", "allow-add", "block", "block");
          var replacedBlock = page.items().get(3).details().getJsonArray("replaced");
          assertThat(replacedBlock).as("the re-block's replaced blocks").isNotNull().hasSize(1);
          assertThat(replacedBlock.getJsonObject(0).getLong("blockId")).isEqualTo(blocks.get(0).id());
          assertThat(replacedBlock.getJsonObject(0).getString("expiresAt"))
              .isEqualTo(blocks.get(0).expiresAt().toString());
          assertThat(replacedBlock.getJsonObject(0).getString("reason")).isEqualTo("credential stuffing");
          assertThat(replacedBlock.getJsonObject(0).getString("createdBy")).isEqualTo("alice");
          var replacedEntry = page.items().get(1).details().getJsonArray("replaced");
          assertThat(replacedEntry).as("the re-add's replaced entries").isNotNull().hasSize(1);
          assertThat(replacedEntry.getJsonObject(0).getString("note")).isEqualTo("customer office Utrecht");
          assertThat(replacedEntry.getJsonObject(0).getString("createdBy")).isEqualTo("carol");
          var removed = page.items().get(0).details().getJsonArray("removed");
          assertThat(removed).as("the removal's removed entries").isNotNull().hasSize(1);
          assertThat(removed.getJsonObject(0).getString("note")).isEqualTo("customer office Utrecht, new lease");
          assertThat(removed.getJsonObject(0).getString("createdBy")).isEqualTo("dave");
          assertThat(removed.getJsonObject(0).getString("createdAt")).isNotNull();
          ctx.completeNow();
        })));
  }

  @Test
  void everyEditIsAuditedWithWhoWhenWhatAndWhy(VertxTestContext ctx) {
    Instant before = Instant.now().minusMillis(1);
    BlockSync s = node.sync;
    s.block("203.0.113.0/24", Duration.ofHours(1), "scanner on this hoster", "alice")
        .compose(r -> s.unblock("203.0.113.0/24", "it was our own pen test", "bob"))
        .compose(r -> s.allow("198.51.100.0/24", "customer office Utrecht", "carol"))
        .compose(e -> s.disallow("198.51.100.0/24", "office closed", "dave"))
        .compose(v -> s.queries().recentEvents(0, 10))
        .onComplete(ctx.succeeding(page -> ctx.verify(() -> {
          assertThat(page.total()).isEqualTo(4);
          assertThat(page.items()).extracting(AuditEvent::action, AuditEvent::actor, e -> e.subject().toString(),
              AuditEvent::note).containsExactly(
                  org.assertj.core.groups.Tuple.tuple("allow-remove", "dave", "198.51.100.0/24", "office closed"),
                  org.assertj.core.groups.Tuple.tuple("allow-add", "carol", "198.51.100.0/24", "customer office Utrecht"),
                  org.assertj.core.groups.Tuple.tuple("unblock", "bob", "203.0.113.0/24", "it was our own pen test"),
                  org.assertj.core.groups.Tuple.tuple("block", "alice", "203.0.113.0/24", "scanner on this hoster"));
          assertThat(page.items()).allSatisfy(e -> {
            assertThat(e.node()).isEqualTo("node-e");
            assertThat(e.at()).isBetween(before, Instant.now());
          });
          AuditEvent block = page.items().get(3);
          assertThat(block.details().getLong("durationSeconds")).isEqualTo(3600);
          AuditEvent unblock = page.items().get(2);
          assertThat(unblock.details().getJsonArray("lifted")).hasSize(1);
          ctx.completeNow();
        })));
  }

  @Test
  void automaticBlockIsRecordedWithItsCountsAndAuditedAsTheGatewaysOwnDecision(VertxTestContext ctx) {
    node.fail("192.0.2.10", 10);

    Eventually.within(vertx, Duration.ofSeconds(10), "the block is written",
            () -> node.metrics.count("written block-issued-automatic") == 1)
        .compose(v -> node.sync.queries().history("192.0.2.10", 10))
        .onComplete(ctx.succeeding(h -> ctx.verify(() -> {
          assertThat(h.blocks()).singleElement().satisfies(b -> {
            assertThat(b.kind()).isEqualTo(BlockKind.CLIENT);
            assertThat(b.cidr().toString()).isEqualTo("192.0.2.10/32");
            assertThat(b.reason()).isEqualTo(BlockReason.CLIENT_FAILURES);
            assertThat(b.invalidLogins()).isEqualTo(10);
            assertThat(b.level()).isEqualTo(1);
            assertThat(b.createdBy()).isNull();
            assertThat(b.originNode()).isEqualTo("node-e");
            assertThat(Duration.between(b.createdAt(), b.expiresAt())).isEqualTo(Duration.ofMinutes(15));
            assertThat(b.firstSeen()).isNotNull();
          });
          assertThat(h.events()).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo("block-issued-automatic");
            assertThat(e.actor()).isNull();
            assertThat(e.note()).isEqualTo(BlockReason.CLIENT_FAILURES.description());
          });
          ctx.completeNow();
        })));
  }

  @Test
  void invalidEditsAreRefusedWithAClearMessageAndWriteNothing(VertxTestContext ctx) {
    BlockSync s = node.sync;
    List<Supplier<Future<?>>> edits = List.of(
        () -> s.block("300.1.2.3", Duration.ofHours(1), "r", "alice"),
        () -> s.block("10.0.0.1/24", Duration.ofHours(1), "r", "alice"),
        () -> s.block("0.0.0.0/0", Duration.ofHours(1), "r", "alice"),
        () -> s.block("192.0.2.1", Duration.ZERO, "r", "alice"),
        () -> s.block("192.0.2.1", Duration.ofMinutes(-5), "r", "alice"),
        () -> s.block("192.0.2.1", Duration.ofDays(400), "r", "alice"),
        () -> s.block("192.0.2.1", Duration.ofHours(1), "   ", "alice"),
        () -> s.block("192.0.2.1", Duration.ofHours(1), "r", ""),
        () -> s.unblock("not an address", "r", "alice"),
        () -> s.allow("2000::/12", "most of the IPv6 internet", "alice"),
        () -> s.allow("198.51.100.0/24", null, "alice"),
        () -> s.disallow("198.51.100.0/33", "r", "alice"));
    List<String> messages = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Supplier<Future<?>> edit : edits) {
      chain = chain.compose(v -> edit.get().transform(ar -> {
        ctx.verify(() -> assertThat(ar.cause()).isInstanceOfSatisfying(BlockRequestException.class, e -> {
          assertThat(e.failure()).isEqualTo(RequestFailure.INVALID);
          assertThat(e.httpStatus()).isEqualTo(400);
          messages.add(e.getMessage());
        }));
        return Future.succeededFuture();
      }));
    }
    chain.compose(v -> vertx.executeBlocking(this::rowsInAllTables)).onComplete(ctx.succeeding(rows -> ctx.verify(() -> {
      assertThat(rows).isZero();
      assertThat(messages).containsExactly(
          "'300.1.2.3' is not an IP address range: '300.1.2.3' is not an IPv4 or IPv6 address literal",
          "'10.0.0.1/24' has bits set after the /24 prefix; did you mean 10.0.0.0/24?",
          "'0.0.0.0/0' is too wide: IPv4 ranges must be /8 or narrower",
          "a block's duration must be positive, was 0 ms",
          "a block's duration must be positive, was -300000 ms",
          "a block may last at most 30 days, was 400 days",
          "a reason is required",
          "the editing administrator must be named (1 to 100 printable characters)",
          "'not an address' is not an IP address range: 'not an address' is not an IPv4 or IPv6 address literal",
          "'2000::/12' is too wide: IPv6 ranges must be /16 or narrower",
          "a note is required",
          "'198.51.100.0/33' has prefix length 33, but IPv4 allows at most 32");
      assertThat(node.throttle.registry().manualBlocks()).isEmpty();
      ctx.completeNow();
    })));
  }

  @Test
  void reasonsWithLineBreaksOrBrokenCharactersAreRefusedNotStoredAltered(VertxTestContext ctx) {
    BlockSync s = node.sync;
    // U+2028/U+2029 break the one line a reason must be; a lone surrogate cannot be stored as typed
    // (it would be saved as '?', so the audit trail would not say what the administrator wrote).
    List<Supplier<Future<?>>> edits = List.of(
        () -> s.block("192.0.2.1", Duration.ofHours(1), "SEC-1\u2028forged second line", "alice"),
        () -> s.allow("198.51.100.0/24", "office\u2029moved", "alice"),
        () -> s.unblock("192.0.2.1", "typo \ud800 here", "alice"),
        () -> s.block("192.0.2.1", Duration.ofHours(1), "r", "ali\u2028ce"));
    List<Integer> statuses = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Supplier<Future<?>> edit : edits) {
      chain = chain.compose(v -> edit.get().transform(ar -> {
        statuses.add(ar.cause() instanceof BlockRequestException e ? e.httpStatus() : ar.succeeded() ? 200 : 500);
        return Future.succeededFuture();
      }));
    }
    chain.compose(v -> vertx.executeBlocking(this::rowsInAllTables)).onComplete(ctx.succeeding(rows -> ctx.verify(() -> {
      assertThat(statuses).containsExactly(400, 400, 400, 400);
      assertThat(rows).isZero();
      ctx.completeNow();
    })));
  }

  @Test
  void removingARangeThatIsNotAllowlistedIsNotFound(VertxTestContext ctx) {
    node.sync.disallow("198.51.100.0/24", "cleanup", "alice").onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertThat(e).isInstanceOfSatisfying(BlockRequestException.class, b -> {
        assertThat(b.httpStatus()).isEqualTo(404);
        assertThat(b.getMessage()).isEqualTo("198.51.100.0/24 is not on the allowlist");
      });
      assertThat(rowsInAllTables()).isZero();
      ctx.completeNow();
    })));
  }

  @Test
  void newManualBlockOfTheSameRangeReplacesTheOldOne(VertxTestContext ctx) {
    BlockSync s = node.sync;
    s.block("203.0.113.0/24", Duration.ofHours(1), "first look", "alice")
        .compose(first -> s.block("203.0.113.0/24", Duration.ofDays(2), "confirmed botnet", "bob")
            .compose(second -> s.queries().searchBlocks(new BlockSearch("203.0.113.0/24", BlockSearch.Kind.MANUAL,
                false, BlockSearch.Sort.NEWEST, 0, 10)))
            .map(page -> {
              ctx.verify(() -> {
                assertThat(page.items()).extracting(BlockRecord::note).containsExactly("confirmed botnet", "first look");
                BlockRecord old = page.items().get(1);
                assertThat(old.id()).isEqualTo(first.id());
                assertThat(old.liftedBy()).isEqualTo("bob");
                assertThat(old.liftReason()).isEqualTo("replaced by a new manual block");
                assertThat(page.items().get(0).liftedAt()).isNull();
                assertThat(node.throttle.registry().manualBlocks()).singleElement()
                    .satisfies(m -> assertThat(m.reason()).isEqualTo("confirmed botnet"));
              });
              return page;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void unblockingAnIpv6AddressLiftsItsSlash64ButNotTheRangeAroundIt(VertxTestContext ctx) {
    // Ten failures from one /64 block the client; the /48 is blocked by hand around it.
    node.fail("2001:db8:5:1::17", 10);
    Eventually.within(vertx, Duration.ofSeconds(10), "the block is written",
            () -> node.metrics.count("written block-issued-automatic") == 1)
        .compose(v -> node.sync.block("2001:db8:5::/48", Duration.ofHours(1), "abuse", "alice"))
        .compose(v -> node.sync.unblock("2001:db8:5:1::17", "customer", "bob"))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(result.target().toString()).isEqualTo("2001:db8:5:1::17/128");
          assertThat(result.lifted()).extracting(b -> b.cidr().toString()).containsExactly("2001:db8:5:1::/64");
          assertThat(node.throttle.explain(com.timereg.gateway.clientip.IpLiterals.parse("2001:db8:5:1::17"))
              .client().blockedUntil()).as("client block").isNull();
          assertThat(node.blocks("2001:db8:5:1::17")).as("the manual /48 still holds").isTrue();
          ctx.completeNow();
        })));
  }

  private int rowsInAllTables() throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(
        "SELECT (SELECT count(*) FROM blocks) + (SELECT count(*) FROM allowlist) + (SELECT count(*) FROM audit_events)")) {
      r.next();
      return r.getInt(1);
    }
  }
}
