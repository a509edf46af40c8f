package com.timereg.gateway.session;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The SQL of sessions and refresh tokens (schema in V2__sessions.sql); no decisions. */
final class SessionStore {
  /** The LISTEN/NOTIFY channel; the payload is comma-separated session ids. */
  static final String CHANNEL = "gateway_session_revoked";
  /** 100 ids of 37 characters stay far below PostgreSQL's 8000-byte payload limit. */
  static final int IDS_PER_NOTIFICATION = 100;

  /**
   * The digest of a password hash kept in {@code sessions.password_stamp} (V6); NULL for no hash.
   * {@code login.UserDirectory} restamps with the same expression the sessions it keeps across a change of the hash.
   */
  private static final String PASSWORD_STAMP_OF = "sha256(convert_to(%s, 'UTF8'))";

  // The stamp is read in the statement that stores the session (a scalar subquery: a user who does not exist still
  // fails on the foreign key). A password changed between the login's check and this read is caught by the login,
  // which checks the password again once the session exists (LoginService).
  private static final String INSERT_SESSION = """
      WITH s AS (
        INSERT INTO sessions (id, user_id, method, created_at, last_used_at, absolute_expires_at, password_stamp)
        VALUES ($1, $2, $3, $4, $4, $5, (SELECT %s FROM users WHERE id = $2))
        RETURNING id)
      INSERT INTO refresh_tokens (hash, session_id, issued_at, expires_at)
      SELECT $6, id, $4, $7 FROM s""".formatted(PASSWORD_STAMP_OF.formatted("password_hash"));

  // Locks the token and its session. Locking the token row too matters: a second transaction
  // waiting here re-reads the row once the first commits (PostgreSQL's EvalPlanQual), so it sees
  // used_at set and counts as reuse instead of exchanging the token a second time.
  private static final String LOCK_TOKEN = """
      SELECT t.session_id, t.used_at, t.expires_at, s.user_id, s.method, s.last_used_at,
             s.absolute_expires_at, s.revoked_at, u.active, u.login_name, c.slug,
             c.sso_mode = 'required' AS passwords_refused, c.sso_mode = 'disabled' AS sso_refused,
             s.password_stamp IS DISTINCT FROM %s AS password_changed
        FROM refresh_tokens t
        JOIN sessions s ON s.id = t.session_id
        JOIN users u ON u.id = s.user_id
        JOIN customers c ON c.id = u.customer_id
       WHERE t.hash = $1
         FOR UPDATE OF t, s""".formatted(PASSWORD_STAMP_OF.formatted("u.password_hash"));

  private static final String ROTATE = """
      WITH used AS (UPDATE refresh_tokens SET used_at = $2, replaced_by = $3 WHERE hash = $1),
           touched AS (UPDATE sessions SET last_used_at = $2 WHERE id = $4)
      INSERT INTO refresh_tokens (hash, session_id, issued_at, expires_at) VALUES ($3, $4, $2, $5)""";

  private static final String REVOKE_ONE = """
      UPDATE sessions SET revoked_at = $2, revoked_reason = $3
       WHERE id = $1 AND revoked_at IS NULL
      RETURNING id""";

  private static final String REVOKE_USER = """
      UPDATE sessions SET revoked_at = $2, revoked_reason = $3
       WHERE user_id = $1 AND revoked_at IS NULL AND ($4::uuid IS NULL OR id <> $4::uuid)
      RETURNING id""";

  private static final String NOTIFY = "SELECT pg_notify($1, $2)";
  private static final String REVOKED_SINCE = "SELECT id, revoked_at FROM sessions WHERE revoked_at > $1";
  private static final String PURGE = """
      DELETE FROM sessions WHERE id IN (
        SELECT id FROM sessions WHERE absolute_expires_at < $1 LIMIT $2)""";

  /**
   * A refresh token with its session, user and customer, as locked for a refresh.
   *
   * @param passwordsRefused the customer now requires Microsoft sign-in ({@code sso_mode = required})
   * @param ssoRefused the customer no longer lets its people sign in with Microsoft ({@code sso_mode = disabled})
   * @param passwordChanged the user's password hash is no longer the one the session was opened under
   */
  record LockedToken(
      UUID sessionId, Instant usedAt, Instant expiresAt, long userId, AuthMethod method, Instant lastUsedAt,
      Instant absoluteExpiresAt, Instant revokedAt, boolean userActive, String loginName, String customer,
      boolean passwordsRefused, boolean ssoRefused, boolean passwordChanged) {}

  /** A revoked session and when it was revoked. */
  record Revoked(UUID sessionId, Instant revokedAt) {}

  Future<Void> insertSession(SqlClient c, UUID sessionId, long userId, AuthMethod method, Instant now,
      Instant absoluteExpiresAt, byte[] tokenHash, Instant tokenExpiresAt) {
    return c.preparedQuery(INSERT_SESSION)
        .execute(Tuple.of(sessionId, userId, method.value, ts(now), ts(absoluteExpiresAt))
            .addValue(Buffer.buffer(tokenHash)).addValue(ts(tokenExpiresAt)))
        .mapEmpty();
  }

  /** The token and its family, locked until the transaction ends; null when there is no such token. */
  Future<LockedToken> lockToken(SqlClient c, byte[] hash) {
    return c.preparedQuery(LOCK_TOKEN).execute(Tuple.of(Buffer.buffer(hash))).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row r = rows.iterator().next();
      return new LockedToken(r.getUUID("session_id"), instant(r, "used_at"), instant(r, "expires_at"),
          r.getLong("user_id"), AuthMethod.fromValue(r.getString("method")).orElseThrow(),
          instant(r, "last_used_at"), instant(r, "absolute_expires_at"), instant(r, "revoked_at"),
          r.getBoolean("active"), r.getString("login_name"), r.getString("slug"), r.getBoolean("passwords_refused"),
          r.getBoolean("sso_refused"), r.getBoolean("password_changed"));
    });
  }

  Future<Void> rotate(SqlClient c, byte[] oldHash, byte[] newHash, UUID sessionId, Instant now, Instant newExpiresAt) {
    return c.preparedQuery(ROTATE)
        .execute(Tuple.of(Buffer.buffer(oldHash), ts(now), Buffer.buffer(newHash), sessionId, ts(newExpiresAt)))
        .mapEmpty();
  }

  /** Revokes one live session; the list holds it when it was live. */
  Future<List<UUID>> revoke(SqlClient c, UUID sessionId, Instant now, RevocationReason reason) {
    return c.preparedQuery(REVOKE_ONE).execute(Tuple.of(sessionId, ts(now), reason.value)).map(SessionStore::ids);
  }

  /** Revokes a user's live sessions but {@code except} (may be null). */
  Future<List<UUID>> revokeUser(SqlClient c, long userId, UUID except, Instant now, RevocationReason reason) {
    return c.preparedQuery(REVOKE_USER).execute(Tuple.of(userId, ts(now), reason.value, except)).map(SessionStore::ids);
  }

  /**
   * Tells every node, through {@link #CHANNEL}. Run it in the transaction that revoked: PostgreSQL
   * delivers the notification only once that commits, so no node reloads before the rows are visible.
   */
  Future<Void> notifyRevoked(SqlClient c, List<UUID> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> batch = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += IDS_PER_NOTIFICATION) {
      List<String> part = ids.subList(i, Math.min(ids.size(), i + IDS_PER_NOTIFICATION)).stream().map(UUID::toString).toList();
      batch.add(Tuple.of(CHANNEL, String.join(",", part)));
    }
    return c.preparedQuery(NOTIFY).executeBatch(batch).mapEmpty();
  }

  Future<List<Revoked>> revokedSince(SqlClient c, Instant since) {
    return c.preparedQuery(REVOKED_SINCE).execute(Tuple.of(ts(since))).map(rows -> {
      List<Revoked> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        out.add(new Revoked(r.getUUID("id"), instant(r, "revoked_at")));
      }
      return out;
    });
  }

  /** Deletes up to {@code limit} sessions (with their tokens) whose absolute expiry is before {@code before}. */
  Future<Integer> purge(SqlClient c, Instant before, int limit) {
    return c.preparedQuery(PURGE).execute(Tuple.of(ts(before), limit)).map(rows -> rows.rowCount());
  }

  private static List<UUID> ids(io.vertx.sqlclient.RowSet<Row> rows) {
    List<UUID> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      out.add(r.getUUID("id"));
    }
    return out;
  }

  private static OffsetDateTime ts(Instant i) {
    return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }

  private static Instant instant(Row r, String column) {
    OffsetDateTime t = r.getOffsetDateTime(column);
    return t == null ? null : t.toInstant();
  }
}
