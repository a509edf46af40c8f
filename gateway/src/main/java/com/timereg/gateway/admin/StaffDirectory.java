package com.timereg.gateway.admin;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;

/**
 * Who may use the console: active users holding the staff role in {@code users.roles}. Read on
 * every API request (the admin API is used by a handful of people), so removing the role or
 * deactivating the user locks them out at once, not when their token expires.
 */
public final class StaffDirectory {
  private final Pool pool;
  private final String role;

  public StaffDirectory(Pool pool, String role) {
    this.pool = pool;
    this.role = role;
  }

  public String role() {
    return role;
  }

  /** The current login name of an active staff user; empty when the user is missing, inactive or not staff. */
  public Future<Optional<String>> staffLoginName(long userId) {
    return pool.preparedQuery("SELECT login_name FROM users WHERE id = $1 AND active AND $2 = ANY (roles)")
        .execute(Tuple.of(userId, role))
        .map(StaffDirectory::first);
  }

  private static Optional<String> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(it.next().getString("login_name")) : Optional.empty();
  }
}
