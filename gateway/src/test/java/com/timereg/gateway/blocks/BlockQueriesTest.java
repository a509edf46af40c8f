package com.timereg.gateway.blocks;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.throttle.BlockKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The admin console's listings, against rows written straight into the tables. */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
class BlockQueriesTest {
  static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

  private Database database;
  private BlockQueries queries;

  @BeforeAll
  static void rows(TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("SET TIME ZONE 'UTC'");
      s.execute("INSERT INTO blocks (cidr, kind, scope, reason, invalid_logins, created_at, expires_at, level, "
          + "created_by, note, lifted_at, lifted_by, lift_reason, origin_node) VALUES "
          + "('192.0.2.10/32', 'automatic', 'client', 'client-failures', 10, "
          + "  '2026-03-02 09:50', '2026-03-02 10:05', 1, NULL, '', NULL, NULL, NULL, 'n1'),"
          + "('192.0.2.0/24', 'automatic', 'range', 'range-failures', 50, "
          + "  '2026-03-02 09:40', '2026-03-02 10:40', 1, NULL, '', NULL, NULL, NULL, 'n1'),"
          + "('192.0.2.11/32', 'automatic', 'client', 'client-failures', 12, "
          + "  '2026-03-02 08:00', '2026-03-02 08:15', 1, NULL, '', NULL, NULL, NULL, 'n2'),"
          + "('203.0.113.0/24', 'manual', 'range', 'manual', 0, "
          + "  '2026-03-02 09:00', '2026-03-03 09:00', 0, 'alice', 'botnet', NULL, NULL, NULL, 'n2'),"
          + "('192.0.2.12/32', 'automatic', 'client', 'client-failures', 30, "
          + "  '2026-03-02 09:55', '2026-03-02 10:10', 1, NULL, '', '2026-03-02 09:58', 'bob', 'customer', 'n1'),"
          + "('2001:db8::/64', 'automatic', 'client', 'client-failures', 11, "
          + "  '2026-03-02 09:59', '2026-03-02 10:14', 2, NULL, '', NULL, NULL, NULL, 'n1')");
      s.execute("INSERT INTO audit_events (at, actor, action, subject, note, node) VALUES "
          + "('2026-03-02 09:00', 'alice', 'block', '203.0.113.0/24', 'botnet', 'n2'),"
          + "('2026-03-02 09:55', NULL, 'block-issued-automatic', '192.0.2.12/32', 'too many', 'n1'),"
          + "('2026-03-02 09:58', 'bob', 'unblock', '192.0.2.12/32', 'customer', 'n1')");
    }
  }

  @BeforeEach
  void createQueries(Vertx vertx, TestDatabase db) {
    database = Database.create(vertx, db.databaseSettings());
    queries = new BlockQueries(database.pool(), Clock.fixed(T0, ZoneOffset.UTC));
  }

  @AfterEach
  void closePool(VertxTestContext ctx) {
    database.close().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void activeBlocksSoonestToExpireFirst(VertxTestContext ctx) {
    queries.searchBlocks(BlockSearch.active()).onComplete(ctx.succeeding(page -> ctx.verify(() -> {
      assertThat(cidrs(page)).containsExactly("192.0.2.10/32", "2001:db8::/64", "192.0.2.0/24", "203.0.113.0/24");
      assertThat(page.total()).isEqualTo(4);
      assertThat(page.items()).allSatisfy(b -> assertThat(b.activeAt(T0)).isTrue());
      ctx.completeNow();
    })));
  }

  @Test
  void searchByAddressFindsTheBlocksContainingItAndByRangeTheBlocksInsideIt(VertxTestContext ctx) {
    BlockSearch all = BlockSearch.active().withActiveOnly(false).withSort(BlockSearch.Sort.NEWEST);
    Future.all(queries.searchBlocks(all.withAddress("192.0.2.10")), queries.searchBlocks(all.withAddress("192.0.2.0/24")))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          assertThat(cidrs(both.resultAt(0))).containsExactly("192.0.2.10/32", "192.0.2.0/24");
          assertThat(cidrs(both.resultAt(1)))
              .containsExactly("192.0.2.12/32", "192.0.2.10/32", "192.0.2.0/24", "192.0.2.11/32");
          ctx.completeNow();
        })));
  }

  @Test
  void filtersByKindAndPagesByInvalidLoginCount(VertxTestContext ctx) {
    BlockSearch automatic = new BlockSearch(null, BlockSearch.Kind.AUTOMATIC, false,
        BlockSearch.Sort.MOST_INVALID_LOGINS, 2, 2);
    Future.all(queries.searchBlocks(automatic),
            queries.searchBlocks(automatic.withKind(BlockSearch.Kind.MANUAL).withPage(0, 10)))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          Page<BlockRecord> second = both.resultAt(0);
          assertThat(second.total()).isEqualTo(5);
          assertThat(second.items()).extracting(BlockRecord::invalidLogins).containsExactly(12L, 11L);
          Page<BlockRecord> manual = both.resultAt(1);
          assertThat(manual.items()).singleElement().satisfies(b -> {
            assertThat(b.kind()).isEqualTo(BlockKind.MANUAL);
            assertThat(b.createdBy()).isEqualTo("alice");
            assertThat(b.note()).isEqualTo("botnet");
          });
          ctx.completeNow();
        })));
  }

  @Test
  void historyOfAnAddressHasItsBlocksAndEventsNewestFirst(VertxTestContext ctx) {
    queries.history("192.0.2.12", 50).onComplete(ctx.succeeding(h -> ctx.verify(() -> {
      assertThat(h.blocks()).extracting(b -> b.cidr().toString()).containsExactly("192.0.2.12/32", "192.0.2.0/24");
      assertThat(h.blocks().get(0).liftedBy()).isEqualTo("bob");
      assertThat(h.events()).extracting(AuditEvent::action).containsExactly("unblock", "block-issued-automatic");
      ctx.completeNow();
    })));
  }

  @Test
  void recentEventsArePagedNewestFirst(VertxTestContext ctx) {
    queries.recentEvents(1, 1).onComplete(ctx.succeeding(page -> ctx.verify(() -> {
      assertThat(page.total()).isEqualTo(3);
      assertThat(page.items()).singleElement().satisfies(e -> {
        assertThat(e.action()).isEqualTo("block-issued-automatic");
        assertThat(e.actor()).isNull();
        assertThat(e.at()).isEqualTo(Instant.parse("2026-03-02T09:55:00Z"));
      });
      ctx.completeNow();
    })));
  }

  @Test
  void badSearchesAreRefusedAsInvalid(VertxTestContext ctx) {
    List<String> messages = new ArrayList<>();
    Future.join(
            queries.searchBlocks(BlockSearch.active().withPage(0, 0)).onFailure(e -> messages.add(e.getMessage())),
            queries.searchBlocks(BlockSearch.active().withPage(-1, 10)).onFailure(e -> messages.add(e.getMessage())),
            queries.searchBlocks(BlockSearch.active().withAddress("192.0.2.x")).onFailure(e -> messages.add(e.getMessage())),
            queries.recentEvents(0, 501).onFailure(e -> messages.add(e.getMessage())),
            queries.history("", 10).onFailure(e -> messages.add(e.getMessage())))
        .onComplete(ar -> ctx.verify(() -> {
          assertThat(messages).hasSize(5).containsExactlyInAnyOrder(
              "page size must be between 1 and 500, was 0",
              "offset must not be negative, was -1",
              "'192.0.2.x' is not an IP address range: '192.0.2.x' is not an IPv4 or IPv6 address literal",
              "page size must be between 1 and 500, was 501",
              "empty address range; expected e.g. 10.0.0.0/8 or 2001:db8::/32");
          ctx.completeNow();
        }));
  }

  @Test
  void addressSearchAndActiveBlocksUseTheirIndexes(TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      // Six rows are cheaper to scan than to index; forbid the scan to see whether an index *can* serve.
      s.execute("SET enable_seqscan = off");
      assertThat(plan(s, "SELECT id FROM blocks WHERE cidr >>= '192.0.2.10'::inet")).contains("blocks_cidr_idx");
      assertThat(plan(s, "SELECT id FROM blocks WHERE cidr && '192.0.2.0/24'::cidr")).contains("blocks_cidr_idx");
      assertThat(plan(s, "SELECT id FROM blocks WHERE lifted_at IS NULL AND expires_at > now()"))
          .contains("blocks_active_idx");
      assertThat(plan(s, "SELECT id FROM audit_events WHERE subject && '192.0.2.12/32'::cidr"))
          .contains("audit_events_subject_idx");
    }
  }

  private static String plan(Statement s, String sql) throws Exception {
    StringBuilder out = new StringBuilder();
    try (ResultSet r = s.executeQuery("EXPLAIN " + sql)) {
      while (r.next()) {
        out.append(r.getString(1)).append('\n');
      }
    }
    return out.toString();
  }

  private static List<String> cidrs(Page<BlockRecord> page) {
    return page.items().stream().map(b -> b.cidr().toString()).toList();
  }
}
