package com.timereg.gateway.blocks;

import com.timereg.gateway.clientip.Cidr;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-only queries of the shared tables for the admin console. Every failure is a
 * {@link BlockRequestException}: {@link RequestFailure#INVALID} for a bad search,
 * {@link RequestFailure#UNAVAILABLE} when PostgreSQL fails.
 */
public final class BlockQueries {
  private static final Logger LOG = LoggerFactory.getLogger(BlockQueries.class);
  /** An address's history is read by a person; beyond this many rows the search should be narrower. */
  public static final int MAX_HISTORY = 500;
  private static final String AUDIT_COLUMNS = "id, at, actor, action, subject::text AS subject, note, details, node";

  private final Pool pool;
  private final Clock clock;

  BlockQueries(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** Blocks matching {@code search}, one page, with the total count of matches. */
  public Future<Page<BlockRecord>> searchBlocks(BlockSearch search) {
    Cidr subject;
    try {
      page(search.offset(), search.limit(), BlockSearch.MAX_LIMIT);
      subject = search.address() == null || search.address().isBlank() ? null : parse(search.address());
    } catch (BlockRequestException e) {
      return Future.failedFuture(e);
    }
    // Only the predicates in use, so each shape gets a plan that can use its index (a generic
    // "$1 IS NULL OR cidr && $1" plan could not use the GiST index).
    List<String> where = new ArrayList<>();
    Tuple params = Tuple.tuple();
    if (subject != null) {
      params.addString(subject.toString());
      where.add("cidr && $" + params.size() + "::text::cidr");
    }
    if (search.kind() != BlockSearch.Kind.ANY) {
      where.add(search.kind() == BlockSearch.Kind.MANUAL ? "kind = 'manual'" : "kind = 'automatic'");
    }
    if (search.activeOnly()) {
      params.addValue(BlockRows.time(clock.instant()));
      where.add("lifted_at IS NULL AND expires_at > $" + params.size());
    }
    String filter = where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
    Tuple pageParams = Tuple.tuple();
    for (int i = 0; i < params.size(); i++) {
      pageParams.addValue(params.getValue(i));
    }
    pageParams.addInteger(search.limit()).addInteger(search.offset());
    String pageSql = "SELECT " + BlockRows.COLUMNS + " FROM blocks" + filter + " ORDER BY " + search.sort().orderBy
        + " LIMIT $" + (params.size() + 1) + " OFFSET $" + (params.size() + 2);
    return pageOf("search blocks", "SELECT count(*) FROM blocks" + filter, params, pageSql, pageParams,
        BlockRows::from, search.offset(), search.limit());
  }

  /** Audit events, newest first. */
  public Future<Page<AuditEvent>> recentEvents(int offset, int limit) {
    try {
      page(offset, limit, BlockSearch.MAX_LIMIT);
    } catch (BlockRequestException e) {
      return Future.failedFuture(e);
    }
    return pageOf("list audit events", "SELECT count(*) FROM audit_events", Tuple.tuple(),
        "SELECT " + AUDIT_COLUMNS + " FROM audit_events ORDER BY at DESC, id DESC LIMIT $1 OFFSET $2",
        Tuple.of(limit, offset), BlockQueries::event, offset, limit);
  }

  /** Blocks and audit events overlapping an address or range, newest first, at most {@code limit} of each. */
  public Future<AddressHistory> history(String address, int limit) {
    Cidr subject;
    try {
      page(0, limit, MAX_HISTORY);
      subject = parse(address);
    } catch (BlockRequestException e) {
      return Future.failedFuture(e);
    }
    Tuple params = Tuple.of(subject.toString(), limit);
    return unavailableOnFailure("read the history of " + subject, pool.preparedQuery("SELECT " + BlockRows.COLUMNS
            + " FROM blocks WHERE cidr && $1::text::cidr ORDER BY created_at DESC, id DESC LIMIT $2").execute(params)
        .compose(blockRows -> pool.preparedQuery("SELECT " + AUDIT_COLUMNS + " FROM audit_events "
                + "WHERE subject && $1::text::cidr ORDER BY at DESC, id DESC LIMIT $2").execute(params)
            .map(eventRows -> new AddressHistory(subject, map(blockRows, BlockRows::from), map(eventRows, BlockQueries::event)))));
  }

  /**
   * The total and the page read in one snapshot: blocks keep being written while staff look (an attack is when they
   * do), and two reads apart would show a page of 4 under a total of 3, or a last page the total says is not there.
   */
  private <T> Future<Page<T>> pageOf(String what, String countSql, Tuple countParams, String pageSql, Tuple pageParams,
      Function<Row, T> mapper, int offset, int limit) {
    return unavailableOnFailure(what, pool.withTransaction(c -> c
        .query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute()
        .compose(v -> c.preparedQuery(countSql).execute(countParams))
        .compose(count -> c.preparedQuery(pageSql).execute(pageParams)
            .map(rows -> new Page<>(map(rows, mapper), offset, limit, count.iterator().next().getLong(0))))));
  }

  private static <T> Future<T> unavailableOnFailure(String what, Future<T> f) {
    return f.recover(e -> {
      LOG.warn("Could not {}: {}", what, e.toString());
      return Future.failedFuture(new BlockRequestException(RequestFailure.UNAVAILABLE,
          "the shared block list is unavailable; try again shortly"));
    });
  }

  static AuditEvent event(Row r) {
    String subject = r.getString("subject");
    Object details = r.getValue("details");
    return new AuditEvent(r.getLong("id"), BlockRows.instant(r.getOffsetDateTime("at")), r.getString("actor"),
        r.getString("action"), subject == null ? null : Cidr.parse(subject), r.getString("note"),
        details instanceof JsonObject j ? j : new JsonObject(String.valueOf(details)), r.getString("node"));
  }

  private static <T> List<T> map(Iterable<Row> rows, Function<Row, T> mapper) {
    List<T> out = new ArrayList<>();
    rows.forEach(r -> out.add(mapper.apply(r)));
    return out;
  }

  private static void page(int offset, int limit, int maxLimit) {
    if (offset < 0) {
      throw BlockRequestException.invalid("offset must not be negative, was " + offset);
    }
    if (limit < 1 || limit > maxLimit) {
      throw BlockRequestException.invalid("page size must be between 1 and " + maxLimit + ", was " + limit);
    }
  }

  private static Cidr parse(String text) {
    try {
      return EditRules.asCounted(Cidr.parse(text));
    } catch (IllegalArgumentException e) {
      throw BlockRequestException.invalid(e.getMessage());
    }
  }
}
