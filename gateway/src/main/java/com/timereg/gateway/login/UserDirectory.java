package com.timereg.gateway.login;

import com.timereg.gateway.password.PasswordPolicy;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Users and their customers in PostgreSQL, as the login and password flows need them. */
public final class UserDirectory {
  private static final String SELECT = "SELECT u.id, u.login_name, u.email, u.password_hash, u.active, u.roles, "
      + "c.id AS customer_id, c.slug, c.name, c.sso_mode, c.min_password_score, c.min_password_length, "
      + "c.max_password_length, c.breached_min_prevalence "
      + "FROM users u JOIN customers c ON c.id = u.customer_id ";

  private final Pool pool;

  public UserDirectory(Pool pool) {
    this.pool = pool;
  }

  /** The user with this login name, compared without regard to case (as the unique index does). */
  public Future<Optional<UserRecord>> findByLoginName(String loginName) {
    return pool.preparedQuery(SELECT + "WHERE lower(u.login_name) = lower($1)")
        .execute(Tuple.of(loginName))
        .map(UserDirectory::first);
  }

  public Future<Optional<UserRecord>> findById(long id) {
    return pool.preparedQuery(SELECT + "WHERE u.id = $1").execute(Tuple.of(id)).map(UserDirectory::first);
  }

  /**
   * Replaces a user's hash, but only if it is still {@code expected}: a rehash after login must
   * not overwrite a password the user changed in the meantime.
   *
   * <p>A refresh ends a session whose stamp ({@code sessions.password_stamp}, the digest of the hash it was opened
   * under) is no longer the hash's: that is how a password changed past the gateway ends the sessions opened before.
   * So the sessions that should outlive this change are restamped in the same statement (a refresh running between
   * two statements would end them): with {@code keptSessionId} null (a rehash: the same password, more iterations)
   * every session stamped with the old hash; otherwise (a new password) only the session that changed it.
   */
  public Future<Boolean> replacePasswordHash(long userId, String expected, String newHash, String keptSessionId) {
    return pool.preparedQuery("""
            WITH changed AS (
              UPDATE users SET password_hash = $3, updated_at = now()
               WHERE id = $1 AND password_hash IS NOT DISTINCT FROM $2
              RETURNING id),
            restamped AS (
              UPDATE sessions SET password_stamp = sha256(convert_to($3::text, 'UTF8'))
               WHERE user_id IN (SELECT id FROM changed) AND CASE WHEN $4::uuid IS NULL
                 THEN password_stamp IS NOT DISTINCT FROM sha256(convert_to($2::text, 'UTF8'))
                 ELSE id = $4::uuid END)
            SELECT id FROM changed""")
        .execute(Tuple.of(userId, expected, newHash, keptSessionId == null ? null : UUID.fromString(keptSessionId)))
        .map(rows -> rows.rowCount() == 1);
  }

  private static Optional<UserRecord> first(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Optional.empty();
    }
    Row r = rows.iterator().next();
    String[] roles = r.getArrayOfStrings("roles");
    PasswordPolicy policy = PasswordPolicy.DEFAULTS
        .withMinScore(r.getInteger("min_password_score"))
        // The schema allows shorter minimums than NIST's 8 (for imported data); we never enforce less. Nor more than
        // a login accepts: above ABSOLUTE_MAX_LENGTH the person would be told of limits that do not apply, or (a
        // minimum above it) could choose no password at all.
        .withLength(clamp(r.getInteger("min_password_length"), PasswordPolicy.ABSOLUTE_MIN_LENGTH),
            clamp(r.getInteger("max_password_length"), PasswordPolicy.ABSOLUTE_MIN_MAX_LENGTH))
        .withBreachedThreshold(r.getInteger("breached_min_prevalence"));
    return Optional.of(new UserRecord(
        r.getLong("id"), r.getString("login_name"), r.getString("email"), r.getString("password_hash"),
        r.getBoolean("active"), roles == null ? List.of() : Arrays.asList(roles),
        r.getLong("customer_id"), r.getString("slug"), r.getString("name"),
        SsoMode.fromColumn(r.getString("sso_mode")), policy));
  }

  private static int clamp(int length, int floor) {
    return Math.min(PasswordPolicy.ABSOLUTE_MAX_LENGTH, Math.max(floor, length));
  }
}
