package com.timereg.gateway.blocks;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.throttle.BlockKind;
import com.timereg.gateway.throttle.BlockReason;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/** Mapping between rows of {@code blocks} and {@link BlockRecord}, and the codes stored in it. */
final class BlockRows {
  /** Selected as text: the client would otherwise hand back its own cidr type, which we do not use. */
  static final String COLUMNS = "id, cidr::text AS cidr, kind, scope, reason, note, invalid_logins, first_seen, "
      + "last_seen, created_at, expires_at, level, created_by, lifted_at, lifted_by, lift_reason, origin_node";

  private BlockRows() {}

  static BlockRecord from(Row row) {
    return new BlockRecord(
        row.getLong("id"),
        Cidr.parse(row.getString("cidr")),
        kind(row.getString("kind"), row.getString("scope")),
        reason(row.getString("reason")),
        row.getString("note"),
        row.getLong("invalid_logins"),
        instant(row.getOffsetDateTime("first_seen")),
        instant(row.getOffsetDateTime("last_seen")),
        instant(row.getOffsetDateTime("created_at")),
        instant(row.getOffsetDateTime("expires_at")),
        row.getInteger("level"),
        row.getString("created_by"),
        instant(row.getOffsetDateTime("lifted_at")),
        row.getString("lifted_by"),
        row.getString("lift_reason"),
        row.getString("origin_node"));
  }

  static String kindCode(BlockKind kind) {
    return kind.isAutomatic() ? "automatic" : "manual";
  }

  /**
   * The scope column: what an automatic block keyed, or for a manual block whether it covers one
   * client (the configured client prefix, by default an IPv4 address or an IPv6 /64, or narrower) or more.
   */
  static String scopeCode(BlockKind kind, Cidr cidr, ClientKeys keys) {
    if (kind == BlockKind.CLIENT) {
      return "client";
    }
    if (kind == BlockKind.RANGE) {
      return "range";
    }
    int client = cidr.isIpv4() ? keys.policy().ipv4ClientPrefix() : keys.policy().ipv6ClientPrefix();
    return cidr.prefixLength() >= client ? "client" : "range";
  }

  static BlockKind kind(String kind, String scope) {
    if ("manual".equals(kind)) {
      return BlockKind.MANUAL;
    }
    return "client".equals(scope) ? BlockKind.CLIENT : BlockKind.RANGE;
  }

  static String reasonCode(BlockReason reason) {
    return reason.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static BlockReason reason(String code) {
    return code == null ? BlockReason.NONE : ChangeCodec.reason(code.toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  static OffsetDateTime time(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
