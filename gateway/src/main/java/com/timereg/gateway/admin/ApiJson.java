package com.timereg.gateway.admin;

import com.timereg.gateway.blocks.AuditEvent;
import com.timereg.gateway.blocks.BlockRecord;
import com.timereg.gateway.blocks.Page;
import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.throttle.AllowEntry;
import com.timereg.gateway.throttle.BlockKind;
import com.timereg.gateway.throttle.BlockReason;
import com.timereg.gateway.throttle.Decision;
import com.timereg.gateway.throttle.KeyState;
import com.timereg.gateway.throttle.ManualBlock;
import com.timereg.gateway.throttle.SurgeState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The JSON shapes of the admin API (described in {@code admin/openapi.yaml}). Times are ISO-8601 UTC. */
final class ApiJson {
  private ApiJson() {}

  static JsonObject block(BlockRecord b, Instant now) {
    return new JsonObject()
        .put("id", b.id())
        .put("cidr", b.cidr().toString())
        .put("kind", kind(b.kind()))
        .put("automatic", b.kind().isAutomatic())
        .put("reason", reason(b.reason()))
        .put("reasonText", b.reason().description())
        .put("note", b.note())
        .put("invalidLogins", b.invalidLogins())
        .put("firstSeen", time(b.firstSeen()))
        .put("lastSeen", time(b.lastSeen()))
        .put("createdAt", time(b.createdAt()))
        .put("expiresAt", time(b.expiresAt()))
        .put("level", b.level())
        .put("createdBy", b.createdBy())
        .put("liftedAt", time(b.liftedAt()))
        .put("liftedBy", b.liftedBy())
        .put("liftReason", b.liftReason())
        .put("originNode", b.originNode())
        .put("active", b.activeAt(now));
  }

  static JsonObject audit(AuditEvent e) {
    return new JsonObject()
        .put("id", e.id())
        .put("at", time(e.at()))
        .put("actor", e.actor())
        .put("action", e.action())
        .put("subject", e.subject() == null ? null : e.subject().toString())
        .put("note", e.note())
        .put("details", e.details())
        .put("node", e.node());
  }

  static JsonObject login(LoginEvent e) {
    return new JsonObject()
        .put("at", time(e.at()))
        .put("address", address(e.client()))
        .put("outcome", e.succeeded() ? "succeeded" : "failed")
        .put("loginName", e.loginName())
        .put("detail", e.detail())
        .put("node", e.node());
  }

  static JsonObject allow(AllowEntry a, boolean configured) {
    return new JsonObject()
        .put("cidr", a.cidr().toString())
        .put("note", a.reason())
        .put("createdBy", a.createdBy())
        .put("createdAt", time(a.createdAt()))
        .put("source", configured ? "configuration" : "console");
  }

  static JsonObject manual(ManualBlock m) {
    return m == null ? null : new JsonObject()
        .put("cidr", m.cidr().toString())
        .put("until", time(m.until()))
        .put("reason", m.reason())
        .put("createdBy", m.createdBy())
        .put("createdAt", time(m.createdAt()));
  }

  static JsonObject decision(Decision d) {
    return new JsonObject()
        .put("allowed", d.allowed())
        .put("kind", d.kind() == null ? null : kind(d.kind()))
        .put("subject", cidr(d.subject()))
        .put("reason", d.reason() == null ? null : reason(d.reason()))
        .put("reasonText", d.reason() == null ? null : d.reason().description())
        .put("until", d.allowed() ? null : time(Instant.ofEpochMilli(d.untilMillis())))
        .put("retryAfterSeconds", d.retryAfterSeconds());
  }

  static JsonObject keyState(KeyState k) {
    return new JsonObject()
        .put("subject", cidr(k.subject()))
        .put("tracked", k.tracked())
        .put("failuresInWindow", Math.round(k.failuresInWindow() * 10) / 10.0)
        .put("failureLimit", k.failureLimit())
        .put("blockedClientsInWindow", Math.round(k.blockedClientsInWindow() * 10) / 10.0)
        .put("blockedClientLimit", k.blockedClientLimit())
        .put("successHeadroom", k.successHeadroom())
        .put("recentPeople", k.recentPeople())
        .put("lastSuccess", time(k.lastSuccess()))
        .put("blockedUntil", time(k.blockedUntil()))
        .put("blockReason", reason(k.blockReason()))
        .put("rememberedLevel", k.rememberedLevel())
        .put("totalFailures", k.totalFailures())
        .put("firstFailure", time(k.firstFailure()))
        .put("lastFailure", time(k.lastFailure()));
  }

  static JsonObject surge(SurgeState s) {
    return new JsonObject()
        .put("active", s.active())
        .put("since", time(s.since()))
        .put("failuresPerMinute", Math.round(s.failuresPerMinute() * 10) / 10.0)
        .put("enterAt", s.enterAt())
        .put("leaveBelow", s.leaveBelow())
        .put("limitFactor", s.limitFactor());
  }

  static <T> JsonObject page(Page<T> p, Function<T, JsonObject> item) {
    return page(p.items(), item, p.offset(), p.limit(), p.total());
  }

  static <T> JsonObject page(List<T> items, Function<T, JsonObject> item, int offset, int limit, long total) {
    JsonArray out = new JsonArray();
    items.forEach(i -> out.add(item.apply(i)));
    return new JsonObject().put("items", out).put("offset", offset).put("limit", limit).put("total", total);
  }

  static String kind(BlockKind k) {
    return k.metricTag();
  }

  /** CLIENT_FAILURES becomes client-failures: stable codes for scripts, next to the prose. */
  static String reason(BlockReason r) {
    return r.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static String address(InetAddress a) {
    return a == null ? null : NetUtil.toAddressString(a);
  }

  static String cidr(Cidr c) {
    return c == null ? null : c.toString();
  }

  static String time(Instant t) {
    return t == null ? null : t.toString();
  }
}
