package com.timereg.gateway.admin;

import com.timereg.gateway.blocks.AuditEvent;
import com.timereg.gateway.blocks.BlockQueries;
import com.timereg.gateway.blocks.Page;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /admin/api/events}: recent security events, newest first, from two sources merged by
 * time: login outcomes this node saw ({@link RecentLoginEvents}, in memory) and the shared audit
 * trail (blocks issued and lifted, staff edits; PostgreSQL). Paging reaches back
 * {@value #MAX_WINDOW} events; older ones are in an address's history or the audit table.
 */
final class EventsApi {
  /** offset + limit at most this: each page merges the newest offset + limit of both sources. */
  static final int MAX_WINDOW = 500;

  enum Source { ALL, LOGINS, AUDIT }

  private static final Map<String, Source> SOURCES = Map.of("all", Source.ALL, "logins", Source.LOGINS,
      "audit", Source.AUDIT);

  private final BlockQueries queries;
  private final RecentLoginEvents logins;

  EventsApi(BlockQueries queries, RecentLoginEvents logins) {
    this.queries = queries;
    this.logins = logins;
  }

  void mount(Router router) {
    router.get("/admin/api/events").handler(this::events);
  }

  private record Item(Instant at, JsonObject json) {}

  private void events(RoutingContext ctx) {
    int offset = ApiRequests.integer(ctx, "offset", 0, 0, MAX_WINDOW - 1);
    int limit = ApiRequests.integer(ctx, "limit", 50, 1, MAX_WINDOW);
    Source source = ApiRequests.choice(ctx, "type", SOURCES, Source.ALL);
    if (offset + limit > MAX_WINDOW) {
      throw new ApiResponses.BadRequest("offset + limit may be at most " + MAX_WINDOW
          + "; for older events look at an address's history");
    }
    int window = offset + limit;
    Future<Page<AuditEvent>> audit = source == Source.LOGINS
        ? Future.succeededFuture(new Page<>(List.of(), 0, window, 0))
        : queries.recentEvents(0, window);
    List<LoginEvent> recent = source == Source.AUDIT ? List.of() : logins.newest(0, window);
    long loginTotal = source == Source.AUDIT ? 0 : logins.size();
    AdminApi.reply(ctx, 200, audit.map(page -> {
      List<Item> all = new ArrayList<>();
      page.items().forEach(e -> all.add(new Item(e.at(), ApiJson.audit(e).put("type", "audit"))));
      recent.forEach(e -> all.add(new Item(e.at(), ApiJson.login(e).put("type", "login"))));
      all.sort(Comparator.comparing(Item::at).reversed());
      JsonArray items = new JsonArray();
      all.stream().skip(offset).limit(limit).forEach(i -> items.add(i.json()));
      return new JsonObject().put("items", items).put("offset", offset).put("limit", limit)
          .put("total", page.total() + loginTotal);
    }));
  }
}
