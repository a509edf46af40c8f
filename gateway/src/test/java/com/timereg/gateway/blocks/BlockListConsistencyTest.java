package com.timereg.gateway.blocks;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A list page and its total are read while other nodes keep writing blocks (an attack is when staff look). Both must
 * describe the same moment: a page of 4 blocks under "3 blocks", or a last page the total says is not there, is
 * what the console would show otherwise. The test commits a block right after the total is counted.
 */
@ExtendWith({VertxExtension.class, PostgresExtension.class})
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class BlockListConsistencyTest {
  private Database database;

  @BeforeEach
  void rows(Vertx vertx, TestDatabase db) throws Exception {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE blocks, allowlist, audit_events");
      for (int i = 1; i <= 3; i++) {
        insertBlock(s, "192.0.2." + i + "/32");
      }
      s.execute("INSERT INTO audit_events (at, actor, action, subject, note, node) VALUES "
          + "(now(), 'alice', 'block', '192.0.2.1/32', 'botnet', 'n1')");
    }
    database = Database.create(vertx, db.databaseSettings());
  }

  @AfterEach
  void closePool(VertxTestContext ctx) {
    database.close().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aBlockCommittedWhileAListIsReadIsInBothItsTotalAndItsPageOrInNeither(Vertx vertx, TestDatabase db,
      VertxTestContext ctx) {
    AtomicInteger committed = new AtomicInteger();
    BlockQueries queries = new BlockQueries(afterCounting(database.pool(), () -> vertx.executeBlocking(() -> {
      try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
        insertBlock(s, "192.0.2.99/32");
      }
      return committed.incrementAndGet();
    }).mapEmpty()), Clock.systemUTC());
    queries.searchBlocks(BlockSearch.active()).onComplete(ctx.succeeding(page -> ctx.verify(() -> {
      assertThat(committed).as("a block was committed between the two reads").hasValue(1);
      assertThat(page.items()).as("the page under a total of " + page.total()).hasSize((int) page.total());
      ctx.completeNow();
    })));
  }

  @Test
  void anEventAuditedWhileTheTrailIsReadIsInBothItsTotalAndItsPageOrInNeither(Vertx vertx, TestDatabase db,
      VertxTestContext ctx) {
    AtomicInteger committed = new AtomicInteger();
    BlockQueries queries = new BlockQueries(afterCounting(database.pool(), () -> vertx.executeBlocking(() -> {
      try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
        s.execute("INSERT INTO audit_events (at, actor, action, subject, note, node) VALUES "
            + "(now(), 'bob', 'unblock', '192.0.2.1/32', 'customer called', 'n2')");
      }
      return committed.incrementAndGet();
    }).mapEmpty()), Clock.systemUTC());
    queries.recentEvents(0, 50).onComplete(ctx.succeeding(page -> ctx.verify(() -> {
      assertThat(committed).as("an event was committed between the two reads").hasValue(1);
      assertThat(page.items()).as("the page under a total of " + page.total()).hasSize((int) page.total());
      ctx.completeNow();
    })));
  }

  private static void insertBlock(Statement s, String cidr) throws Exception {
    s.execute("INSERT INTO blocks (cidr, kind, scope, reason, invalid_logins, created_at, expires_at, level, "
        + "created_by, note, origin_node) VALUES ('" + cidr + "', 'manual', 'client', 'manual', 0, now(), "
        + "now() + interval '1 hour', 0, 'alice', 'botnet', 'n1')");
  }

  /**
   * {@code pool}, where every count query, on the pool or on a connection it lends (a transaction), is followed by
   * {@code between} before its rows are returned: another node's commit between the total and the page.
   */
  private static Pool afterCounting(Pool pool, Supplier<Future<Void>> between) {
    return proxy(Pool.class, pool, (m, args) -> {
      if (m.getName().equals("preparedQuery") && args != null && args.length == 1) {
        return countHook(pool.preparedQuery((String) args[0]), (String) args[0], between);
      }
      if (m.getName().equals("withTransaction") && args != null && args.length == 1) {
        @SuppressWarnings("unchecked")
        Function<SqlConnection, Future<Object>> f = (Function<SqlConnection, Future<Object>>) args[0];
        return pool.withTransaction(c -> f.apply(proxy(SqlConnection.class, c, (cm, cargs) ->
            cm.getName().equals("preparedQuery") && cargs != null && cargs.length == 1
                ? countHook(c.preparedQuery((String) cargs[0]), (String) cargs[0], between) : null)));
      }
      return null;
    });
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static Object countHook(PreparedQuery query, String sql,
      Supplier<Future<Void>> between) {
    if (!sql.startsWith("SELECT count(*)")) {
      return query;
    }
    return proxy(PreparedQuery.class, query, (m, args) -> m.getName().equals("execute") && args != null
        && args.length == 1 && args[0] instanceof Tuple t
        ? ((Future<Object>) query.execute(t)).compose(rows -> between.get().map(v -> rows)) : null);
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, T target, BiFunction<Method, Object[], Object> override) {
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
      Object o = override.apply(m, args);
      if (o != null) {
        return o;
      }
      try {
        return m.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    });
  }
}
