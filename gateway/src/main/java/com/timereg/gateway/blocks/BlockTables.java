package com.timereg.gateway.blocks;

import static com.timereg.gateway.blocks.BlockRows.time;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.throttle.AllowEntry;
import com.timereg.gateway.throttle.BlockEntry;
import com.timereg.gateway.throttle.BlockKind;
import com.timereg.gateway.throttle.BlockReason;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes to {@code blocks}, {@code allowlist} and {@code audit_events}, and the snapshot a node
 * loads. Each edit is one transaction holding the row, its audit event and the notification:
 * PostgreSQL delivers a NOTIFY only when its transaction commits, so other nodes never hear of a
 * change that was rolled back, and never miss one that was committed while they listened.
 */
final class BlockTables {
  private static final String AUDIT_SQL = "INSERT INTO audit_events (at, actor, action, subject, note, details, node) "
      + "VALUES ($1, $2, $3, $4::text::cidr, $5, $6::text::jsonb, $7)";

  private static final String INSERT_BLOCK_SQL = "INSERT INTO blocks (cidr, kind, scope, reason, note, invalid_logins, "
      + "first_seen, last_seen, created_at, expires_at, level, created_by, origin_node) "
      + "VALUES ($1::text::cidr, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id, cidr";

  private static final String LIFTED_WHILE_WRITTEN = "unblocked while its row was being written";

  /** First key of the transaction locks that serialise manual blocks of one range (second key: the range's hash). */
  static final int MANUAL_BLOCK_LOCKS = 0x67776d62;

  private final Pool pool;
  private final NodeId node;
  /** This node's client prefixes: they decide whether a manual block covers one client (its scope). */
  private final ClientKeys keys;

  BlockTables(Pool pool, NodeId node, ClientKeys keys) {
    this.pool = pool;
    this.node = node;
    this.keys = keys;
  }

  /**
   * Records a block this node's throttle issued: the row, its audit event and the notification in
   * one statement. One statement is one implicit transaction and one round trip, where BEGIN,
   * three statements and COMMIT would be five: this write is what other nodes wait for.
   */
  Future<Long> insertAutomatic(BlockEntry b, Instant now) {
    JsonObject details = new JsonObject().put("scope", BlockRows.scopeCode(b.kind(), b.subject(), keys))
        .put("level", b.level()).put("invalidLogins", b.failures()).put("expiresAt", b.until().toString());
    Tuple t = blockValues(b, null)
        .addValue(time(now))
        .addString(b.reason().description())
        .addString(details.encode())
        .addString(ChangeCodec.CHANNEL)
        .addString(ChangeCodec.encode(node, new Change.Blocked(b)));
    return pool.preparedQuery("WITH b AS (" + INSERT_BLOCK_SQL + "), "
            + "a AS (INSERT INTO audit_events (at, actor, action, subject, note, details, node) "
            + "SELECT $14, NULL, 'block-issued-automatic', b.cidr, $15, "
            + "jsonb_build_object('blockId', b.id) || $16::text::jsonb, $13 FROM b) "
            + "SELECT b.id, pg_notify($17, $18) FROM b")
        .execute(t)
        .map(rows -> rows.iterator().next().getLong("id"));
  }

  /**
   * Lifts the just written automatic block {@code id}, which an unblock committed before it could not see, with an
   * audit event of its own ({@code block-lifted}: that unblock's event lists no such block, so the trail alone would
   * show the block issued and never lifted); audits and notifies only if it was still active.
   */
  Future<Void> liftWritten(long id, BlockEntry block, Instant now) {
    Cidr subject = block.subject();
    return pool.preparedQuery("WITH l AS (UPDATE blocks SET lifted_at = $2, lifted_by = $3, "
            + "lift_reason = '" + LIFTED_WHILE_WRITTEN + "' WHERE id = $1 AND lifted_at IS NULL "
            + "RETURNING id, cidr, expires_at), "
            + "a AS (INSERT INTO audit_events (at, actor, action, subject, note, details, node) "
            + "SELECT $2, NULL, 'block-lifted', l.cidr, '" + LIFTED_WHILE_WRITTEN + "', "
            + "jsonb_build_object('blockId', l.id) || $6::text::jsonb, $3 FROM l) "
            + "SELECT pg_notify($4, $5) FROM l")
        .execute(Tuple.of(id, time(now), node.value(), ChangeCodec.CHANNEL,
            ChangeCodec.encode(node, new Change.Unblocked(subject, List.of(subject))),
            new JsonObject().put("kind", block.kind().metricTag()).put("expiresAt", block.until().toString())
                .encode()))
        .mapEmpty();
  }

  /**
   * Records a manual block, replacing (lifting) an active manual block of exactly the same range. Two blocks of
   * one range at the same instant take turns on a lock of that range: otherwise neither would see the other's
   * uncommitted row to replace, and both would stay active (no unique index can say "active", which needs now).
   */
  Future<BlockRecord> insertManual(BlockEntry b, String actor, Instant now, String edit) {
    return pool.withTransaction(c -> c.preparedQuery("SELECT pg_advisory_xact_lock($1, hashtext($2))")
        .execute(Tuple.of(MANUAL_BLOCK_LOCKS, b.subject().toString()))
        .compose(locked -> c.preparedQuery(
                "UPDATE blocks SET lifted_at = $2, lifted_by = $3, lift_reason = 'replaced by a new manual block' "
                    + "WHERE cidr = $1::text::cidr AND kind = 'manual' AND lifted_at IS NULL AND expires_at > $2 "
                    + "RETURNING id, note, created_by, created_at, expires_at")
            .execute(Tuple.of(b.subject().toString(), time(now), actor)))
        .compose(replaced -> insertBlock(c, b, actor).compose(id -> {
          JsonObject details = new JsonObject().put("blockId", id).put("expiresAt", b.until().toString())
              .put("durationSeconds", b.until().getEpochSecond() - b.since().getEpochSecond())
              .put("replacedBlockIds", ids(replaced)).put("replaced", replacedBlocks(replaced));
          return audit(c, now, actor, "block", b.subject(), b.note(), details)
              .compose(v -> notify(c, new Change.Blocked(b), edit))
              .compose(v -> c.preparedQuery("SELECT " + BlockRows.COLUMNS + " FROM blocks WHERE id = $1")
                  .execute(Tuple.of(id)))
              .map(rows -> BlockRows.from(rows.iterator().next()));
        })));
  }

  /**
   * Lifts every active block inside {@code target}, and the client block containing it when the
   * target is a single address (an IPv6 address's block is its /64). Wider blocks covering the
   * target stay: lifting a whole range because one address was named would be a surprise.
   */
  Future<List<BlockRecord>> lift(Cidr target, String reason, String actor, Instant now, String edit) {
    // Every node lifts the target (and an address's client block) whatever the rows say (see Change.Unblocked), so
    // a manual block of exactly that range committed while this statement runs, unseen by it, would stay active in
    // the tables and be enforced by no node: the unblock waits for it on the lock insertManual takes, and sees it.
    Cidr client = clientBlockOf(target);
    return pool.withTransaction(c -> c.preparedQuery("SELECT pg_advisory_xact_lock($1, hashtext($2)), "
            + "pg_advisory_xact_lock($1, hashtext($3))")
        .execute(Tuple.of(MANUAL_BLOCK_LOCKS, target.toString(), client.toString()))
        .compose(locked -> c.preparedQuery(
                "UPDATE blocks SET lifted_at = $2, lifted_by = $3, lift_reason = $4 "
                    + "WHERE lifted_at IS NULL AND expires_at > $2 "
                    + "AND (cidr <<= $1::text::cidr OR (scope = 'client' AND cidr >>= $1::text::cidr)) "
                    + "RETURNING " + BlockRows.COLUMNS)
            .execute(Tuple.of(target.toString(), time(now), actor, reason))
            .compose(rows -> {
              List<BlockRecord> lifted = new ArrayList<>();
              rows.forEach(r -> lifted.add(BlockRows.from(r)));
              JsonArray described = new JsonArray();
              lifted.forEach(b -> described.add(new JsonObject().put("blockId", b.id()).put("cidr", b.cidr().toString())
                  .put("kind", b.kind().metricTag()).put("expiresAt", b.expiresAt().toString())));
              List<Cidr> cidrs = lifted.stream().map(BlockRecord::cidr).distinct().toList();
              return audit(c, now, actor, "unblock", target, reason, new JsonObject().put("lifted", described))
                  .compose(v -> notify(c, new Change.Unblocked(target, cidrs), edit))
                  .map(lifted);
            })));
  }

  /** The client block (this node's prefixes) of a single address, as the nodes lift it; the target itself else. */
  private Cidr clientBlockOf(Cidr target) {
    if (target.prefixLength() != (target.isIpv4() ? 32 : 128)) {
      return target;
    }
    return Cidr.of(target.network(), keys.clientPrefix(target.network()));
  }

  /** Adds an allowlist entry, replacing a live entry of exactly the same range. */
  Future<AllowEntry> addAllow(AllowEntry entry, String edit) {
    Instant now = entry.createdAt();
    return pool.withTransaction(c -> c.preparedQuery(
            "UPDATE allowlist SET removed_at = $2, removed_by = $3, removal_note = 'replaced by a new entry' "
                + "WHERE cidr = $1::text::cidr AND removed_at IS NULL RETURNING id, note, created_by, created_at")
        .execute(Tuple.of(entry.cidr().toString(), time(now), entry.createdBy()))
        .compose(replaced -> c.preparedQuery(
                "INSERT INTO allowlist (cidr, note, created_by, created_at) VALUES ($1::text::cidr, $2, $3, $4) "
                    + "RETURNING id")
            .execute(Tuple.of(entry.cidr().toString(), entry.reason(), entry.createdBy(), time(now)))
            .compose(rows -> audit(c, now, entry.createdBy(), "allow-add", entry.cidr(), entry.reason(),
                new JsonObject().put("allowlistId", rows.iterator().next().getLong("id"))
                    .put("replacedIds", ids(replaced)).put("replaced", allowEntries(replaced)))))
        .compose(v -> notify(c, new Change.Allowed(entry), edit))
        .map(entry));
  }

  /** Removes the live allowlist entry of exactly this range; fails with NOT_FOUND if there is none. */
  Future<Void> removeAllow(Cidr cidr, String note, String actor, Instant now, String edit) {
    return pool.withTransaction(c -> c.preparedQuery(
            "UPDATE allowlist SET removed_at = $2, removed_by = $3, removal_note = $4 "
                + "WHERE cidr = $1::text::cidr AND removed_at IS NULL RETURNING id, note, created_by, created_at")
        .execute(Tuple.of(cidr.toString(), time(now), actor, note))
        .compose(rows -> {
          if (rows.rowCount() == 0) {
            // Failing the function rolls the (empty) transaction back; nothing is audited.
            return Future.failedFuture(new BlockRequestException(RequestFailure.NOT_FOUND,
                cidr + " is not on the allowlist"));
          }
          return audit(c, now, actor, "allow-remove", cidr, note, new JsonObject().put("allowlistIds", ids(rows))
              .put("removed", allowEntries(rows)))
              .compose(v -> notify(c, new Change.Disallowed(cidr), edit));
        }));
  }

  /**
   * Everything a node must enforce now, read in one snapshot so the parts agree; with the unblocks committed since
   * {@code unblocksSince}, none when it is null.
   */
  Future<Snapshot> snapshot(Instant now, Instant unblocksSince) {
    return pool.withTransaction(c -> c.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute()
        .compose(v -> c.preparedQuery("SELECT " + BlockRows.COLUMNS + " FROM blocks "
                + "WHERE lifted_at IS NULL AND expires_at > $1 ORDER BY created_at, id")
            .execute(Tuple.of(time(now))))
        .compose(activeRows -> c.preparedQuery("SELECT l.cidr::text AS cidr, max(l.expires_at) AS expires_at "
                + "FROM blocks l WHERE l.lifted_at IS NOT NULL AND l.expires_at > $1 AND l.kind = 'automatic' "
                + "AND NOT EXISTS (SELECT 1 FROM blocks a WHERE a.cidr = l.cidr AND a.kind = 'automatic' "
                + "AND a.lifted_at IS NULL AND a.expires_at > $1) GROUP BY l.cidr")
            .execute(Tuple.of(time(now)))
            .compose(liftedRows -> c.query("SELECT cidr::text AS cidr, note, created_by, created_at FROM allowlist "
                    + "WHERE removed_at IS NULL ORDER BY created_at, id").execute()
                .compose(allowRows -> unblocks(c, unblocksSince).map(unblocks -> {
                  List<BlockRecord> active = new ArrayList<>();
                  activeRows.forEach(r -> active.add(BlockRows.from(r)));
                  List<Snapshot.Lifted> lifted = new ArrayList<>();
                  liftedRows.forEach(r -> lifted.add(new Snapshot.Lifted(Cidr.parse(r.getString("cidr")),
                      BlockRows.instant(r.getOffsetDateTime("expires_at")))));
                  List<AllowEntry> allow = new ArrayList<>();
                  allowRows.forEach(r -> allow.add(allowEntry(r)));
                  return new Snapshot(active, lifted, allow, unblocks);
                })))));
  }

  /** The unblocks committed since {@code since}, oldest first; none when it is null (nothing asked). */
  private static Future<List<Snapshot.Unblock>> unblocks(SqlConnection c, Instant since) {
    if (since == null) {
      return Future.succeededFuture(List.of());
    }
    return c.preparedQuery("SELECT subject::text AS subject, at FROM audit_events "
            + "WHERE action = 'unblock' AND at >= $1 ORDER BY at, id")
        .execute(Tuple.of(time(since)))
        .map(rows -> {
          List<Snapshot.Unblock> out = new ArrayList<>();
          rows.forEach(r -> out.add(new Snapshot.Unblock(Cidr.parse(r.getString("subject")),
              BlockRows.instant(r.getOffsetDateTime("at")))));
          return out;
        });
  }

  private Future<Long> insertBlock(SqlConnection c, BlockEntry b, String createdBy) {
    return c.preparedQuery(INSERT_BLOCK_SQL).execute(blockValues(b, createdBy))
        .map(rows -> rows.iterator().next().getLong("id"));
  }

  /** Parameters $1 to $13 of {@link #INSERT_BLOCK_SQL}. */
  private Tuple blockValues(BlockEntry b, String createdBy) {
    return Tuple.tuple()
        .addString(b.subject().toString())
        .addString(BlockRows.kindCode(b.kind()))
        .addString(BlockRows.scopeCode(b.kind(), b.subject(), keys))
        .addString(BlockRows.reasonCode(b.kind() == BlockKind.MANUAL ? BlockReason.MANUAL : b.reason()))
        .addString(b.kind() == BlockKind.MANUAL ? b.note() : "")
        .addLong(b.failures())
        .addValue(time(b.firstFailure()))
        .addValue(time(b.lastFailure()))
        .addValue(time(b.since()))
        .addValue(time(b.until()))
        .addInteger(b.level())
        .addString(createdBy)
        .addString(node.value());
  }

  private Future<Void> audit(SqlConnection c, Instant at, String actor, String action, Cidr subject, String note,
      JsonObject details) {
    return c.preparedQuery(AUDIT_SQL)
        .execute(Tuple.of(time(at), actor, action, subject == null ? null : subject.toString(), note,
            details.encode(), node.value()))
        .mapEmpty();
  }

  /**
   * What the manual blocks a new one replaced said, for its audit event: their own events may be pruned, or far back,
   * and security staff read an edit's before and after from the audit trail alone.
   */
  private static JsonArray replacedBlocks(Iterable<Row> rows) {
    JsonArray out = new JsonArray();
    rows.forEach(r -> out.add(new JsonObject().put("blockId", r.getLong("id")).put("reason", r.getString("note"))
        .put("createdBy", r.getString("created_by"))
        .put("createdAt", BlockRows.instant(r.getOffsetDateTime("created_at")).toString())
        .put("expiresAt", BlockRows.instant(r.getOffsetDateTime("expires_at")).toString())));
    return out;
  }

  /** What the allowlist entries an edit replaced or removed said, for its audit event (see {@link #replacedBlocks}). */
  private static JsonArray allowEntries(Iterable<Row> rows) {
    JsonArray out = new JsonArray();
    rows.forEach(r -> out.add(new JsonObject().put("allowlistId", r.getLong("id")).put("note", r.getString("note"))
        .put("createdBy", r.getString("created_by"))
        .put("createdAt", BlockRows.instant(r.getOffsetDateTime("created_at")).toString())));
    return out;
  }

  /**
   * Notifies a staff edit, with its id. pg_notify rather than NOTIFY: NOTIFY takes no parameters, and the payload
   * must not be spliced into SQL.
   */
  private Future<Void> notify(SqlConnection c, Change change, String edit) {
    return c.preparedQuery("SELECT pg_notify($1, $2)")
        .execute(Tuple.of(ChangeCodec.CHANNEL, ChangeCodec.encode(node, change, edit)))
        .mapEmpty();
  }

  static AllowEntry allowEntry(Row r) {
    return new AllowEntry(Cidr.parse(r.getString("cidr")), r.getString("note"), r.getString("created_by"),
        BlockRows.instant(r.getOffsetDateTime("created_at")));
  }

  private static JsonArray ids(Iterable<Row> rows) {
    JsonArray out = new JsonArray();
    rows.forEach(r -> out.add(r.getLong("id")));
    return out;
  }
}
