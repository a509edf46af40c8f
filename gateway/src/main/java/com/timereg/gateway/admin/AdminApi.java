package com.timereg.gateway.admin;

import com.timereg.gateway.blocks.AddressHistory;
import com.timereg.gateway.blocks.BlockQueries;
import com.timereg.gateway.blocks.BlockSearch;
import com.timereg.gateway.blocks.BlockSync;
import com.timereg.gateway.blocks.UnblockResult;
import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.clientip.ClientAddressResolver;
import com.timereg.gateway.clientip.IpLiterals;
import com.timereg.gateway.throttle.Explanation;
import com.timereg.gateway.throttle.ThrottleService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The block-list routes under {@code /admin/api/}: search, explain, manual block, unblock,
 * allowlist. Reads come from the shared tables ({@link BlockQueries}) and this node's throttle;
 * edits go through {@link BlockSync}, which validates them, writes the row and its audit event
 * with the actor, and propagates them to every node. Events are in {@link EventsApi}.
 */
final class AdminApi {
  static final int HISTORY_LIMIT = 50;
  static final String ADDRESS_HINT = "an IP address or range such as 192.0.2.10 or 192.0.2.0/24";

  private static final Map<String, BlockSearch.Kind> KINDS = Map.of(
      "any", BlockSearch.Kind.ANY, "automatic", BlockSearch.Kind.AUTOMATIC, "manual", BlockSearch.Kind.MANUAL);
  private static final Map<String, BlockSearch.Sort> SORTS = Map.of(
      "newest", BlockSearch.Sort.NEWEST, "expiry", BlockSearch.Sort.EXPIRES_SOONEST,
      "count", BlockSearch.Sort.MOST_INVALID_LOGINS);

  private final ThrottleService throttle;
  private final BlockSync blocks;
  private final List<Cidr> configuredAllowlist;
  private final RecentLoginEvents logins;
  private final Clock clock;

  AdminApi(ThrottleService throttle, BlockSync blocks, List<Cidr> configuredAllowlist, RecentLoginEvents logins,
      Clock clock) {
    this.throttle = throttle;
    this.blocks = blocks;
    this.configuredAllowlist = List.copyOf(configuredAllowlist);
    this.logins = logins;
    this.clock = clock;
  }

  void mount(Router router) {
    router.get("/admin/api/blocks").handler(this::searchBlocks);
    router.post("/admin/api/blocks").handler(this::block);
    router.delete("/admin/api/blocks/:cidr").handler(ctx -> unblock(ctx, ctx.pathParam("cidr"), ApiRequests.body(ctx, true)));
    router.post("/admin/api/unblock").handler(ctx -> {
      JsonObject body = ApiRequests.body(ctx, false);
      unblock(ctx, ApiRequests.required(body, "target", ADDRESS_HINT), body);
    });
    router.get("/admin/api/explain/:address").handler(this::explain);
    router.get("/admin/api/allowlist").handler(this::allowlist);
    router.post("/admin/api/allowlist").handler(this::allow);
    router.delete("/admin/api/allowlist/:cidr").handler(this::disallow);
  }

  private void searchBlocks(RoutingContext ctx) {
    BlockSearch search = new BlockSearch(
        ApiRequests.string(ctx, "q"),
        ApiRequests.choice(ctx, "kind", KINDS, BlockSearch.Kind.ANY),
        ApiRequests.bool(ctx, "active", false),
        ApiRequests.choice(ctx, "sort", SORTS, BlockSearch.Sort.NEWEST),
        ApiRequests.integer(ctx, "offset", 0, 0, Integer.MAX_VALUE),
        ApiRequests.integer(ctx, "limit", BlockSearch.DEFAULT_LIMIT, 1, BlockSearch.MAX_LIMIT));
    reply(ctx, 200, blocks.queries().searchBlocks(search)
        .map(page -> ApiJson.page(page, b -> ApiJson.block(b, clock.instant()))));
  }

  private void block(RoutingContext ctx) {
    JsonObject body = ApiRequests.body(ctx, false);
    String target = ApiRequests.required(body, "target", ADDRESS_HINT);
    String typed = ApiRequests.text(body, "duration");
    java.time.Duration duration = DurationInput.parse(typed);
    if (duration.isNegative() || duration.isZero()) {
      // Checked here too so the message repeats what was typed, not a count of milliseconds.
      throw new ApiResponses.BadRequest("a block's duration must be positive, was '" + typed.strip() + "'");
    }
    reply(ctx, 201, blocks.block(target, duration, ApiRequests.text(body, "reason"), AdminAccess.actor(ctx))
        .map(b -> ApiJson.block(b, clock.instant()).put("allowlistOverlaps", allowlistOverlapping(b.cidr()))));
  }

  /**
   * The allowlist entries sharing addresses with {@code cidr}: the allowlist wins over every block, so a manual
   * block is not enforced where they hold (all of it, or the part they cover). Staff are told with the block's
   * answer instead of finding out from a guesser still let through.
   */
  private JsonArray allowlistOverlapping(Cidr cidr) {
    JsonArray out = new JsonArray();
    for (var entry : throttle.registry().allowlist()) {
      Cidr a = entry.cidr();
      if (a.isIpv4() == cidr.isIpv4() && (a.contains(cidr.network()) || cidr.contains(a.network()))) {
        out.add(ApiJson.allow(entry, configuredAllowlist.contains(a)));
      }
    }
    return out;
  }

  private void unblock(RoutingContext ctx, String target, JsonObject body) {
    reply(ctx, 200, blocks.unblock(target, ApiRequests.text(body, "reason"), AdminAccess.actor(ctx))
        .map(this::unblocked));
  }

  private JsonObject unblocked(UnblockResult r) {
    JsonArray lifted = new JsonArray();
    r.lifted().forEach(b -> lifted.add(ApiJson.block(b, clock.instant())));
    return new JsonObject().put("target", r.target().toString()).put("lifted", lifted);
  }

  private void explain(RoutingContext ctx) {
    InetAddress address = singleAddress(ctx.pathParam("address"));
    Explanation e = throttle.explain(address);
    // What decides the address is its client key (an IPv6 /64 by default) and what contains it (its range, a manual
    // range block), so its history is that key's: the automatic block of the /64 is lifted by an unblock naming
    // any address in it (2001:db8::7 lifts the block 2001:db8::5 is refused by), and that unblock must be shown.
    // Blocks containing the key (its range's) overlap it and are found as well.
    Cidr counted = e.client().subject();
    Future<AddressHistory> history = blocks.queries().history(counted.toString(), HISTORY_LIMIT);
    reply(ctx, 200, history.map(h -> {
      JsonObject out = new JsonObject()
          .put("address", ApiJson.address(address))
          .put("blocked", !e.decision().allowed())
          .put("decision", ApiJson.decision(e.decision()))
          .put("allowlisted", e.allowlistedBy() != null)
          .put("allowlistEntry", e.allowlistedBy() == null ? null
              : ApiJson.allow(e.allowlistedBy(), configuredAllowlist.contains(e.allowlistedBy().cidr())))
          .put("manualBlock", ApiJson.manual(e.manualBlock()))
          .put("client", ApiJson.keyState(e.client()))
          .put("range", ApiJson.keyState(e.range()))
          .put("surge", ApiJson.surge(e.surge()));
      JsonArray past = new JsonArray();
      h.blocks().forEach(b -> past.add(ApiJson.block(b, clock.instant())));
      JsonArray events = new JsonArray();
      h.events().forEach(ev -> events.add(ApiJson.audit(ev)));
      // The logins counted for the address are those of its client key too: failures from 2001:db8::7 are what
      // block 2001:db8::5.
      JsonArray recent = new JsonArray();
      logins.from(counted, HISTORY_LIMIT).forEach(l -> recent.add(ApiJson.login(l)));
      return out.put("history", new JsonObject().put("subject", h.subject().toString()).put("blocks", past)
          .put("events", events)
          .put("loginsFrom", counted.toString()).put("logins", recent));
    }));
  }

  /**
   * One address; a /32 or /128 is accepted as the address it names, and a NAT64 one (64:ff9b::/96) as the IPv4
   * address it embeds, which is how the throttle counts it.
   */
  static InetAddress singleAddress(String text) {
    InetAddress a = IpLiterals.parse(text == null ? null : text.strip());
    if (a != null) {
      return ClientAddressResolver.embeddedIpv4(a);
    }
    Cidr c;
    try {
      c = Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ApiResponses.BadRequest(e.getMessage());
    }
    if (c.prefixLength() != (c.isIpv4() ? 32 : 128)) {
      throw new ApiResponses.BadRequest("explain takes one address, not the range " + c
          + "; search the block list for ranges");
    }
    return ClientAddressResolver.embeddedIpv4(c.network());
  }

  private void allowlist(RoutingContext ctx) {
    int offset = ApiRequests.integer(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    int limit = ApiRequests.integer(ctx, "limit", BlockSearch.DEFAULT_LIMIT, 1, BlockSearch.MAX_LIMIT);
    var all = throttle.registry().allowlist();
    var page = all.subList(Math.min(offset, all.size()), (int) Math.min((long) offset + limit, all.size()));
    ApiResponses.json(ctx, 200, ApiJson.page(page, a -> ApiJson.allow(a, configuredAllowlist.contains(a.cidr())),
        offset, limit, all.size()));
  }

  private void allow(RoutingContext ctx) {
    JsonObject body = ApiRequests.body(ctx, false);
    String target = ApiRequests.required(body, "target", ADDRESS_HINT);
    reply(ctx, 201, blocks.allow(target, ApiRequests.text(body, "note"), AdminAccess.actor(ctx))
        .map(a -> ApiJson.allow(a, false)));
  }

  private void disallow(RoutingContext ctx) {
    String target = ctx.pathParam("cidr");
    JsonObject body = ApiRequests.body(ctx, true);
    reply(ctx, 200, blocks.disallow(target, ApiRequests.text(body, "note"), AdminAccess.actor(ctx))
        .map(removed -> new JsonObject().put("removed", removed.toString())));
  }

  static <T extends JsonObject> void reply(RoutingContext ctx, int status, Future<T> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        ApiResponses.json(ctx, status, ar.result());
      } else {
        ApiResponses.failure(ctx, ar.cause());
      }
    });
  }
}
