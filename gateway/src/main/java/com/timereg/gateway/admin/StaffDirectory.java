package com.timereg.gateway.admin;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;

/**
 * Who may use the console: active users holding the staff role in {@code users.roles}, and, when one is
 * configured, those holding the viewer role, who may read but not edit. Read on every API request (the
 * admin API is used by a handful of people), so removing the role or deactivating the user locks them
 * out at once, not when their token expires.
 */
public final class StaffDirectory {
  private final Pool pool;
  private final String role;
  private final Optional<String> viewerRole;

  public StaffDirectory(Pool pool, String role) {
    this(pool, role, Optional.empty());
  }

  /** @param viewerRole the read-only role; must not be {@code role} (the configuration refuses that) */
  public StaffDirectory(Pool pool, String role, Optional<String> viewerRole) {
    this.pool = pool;
    this.role = role;
    this.viewerRole = viewerRole;
    if (viewerRole.isPresent() && viewerRole.get().equals(role)) {
      throw new IllegalArgumentException("the viewer role must differ from the staff role");
    }
  }

  public String role() {
    return role;
  }

  public Optional<String> viewerRole() {
    return viewerRole;
  }

  /** A user the console lets in, and what they may do there. */
  public record Member(String loginName, AdminAccess.Role role) {}

  /** The current login name of an active staff user; empty when the user is missing, inactive or not staff. */
  public Future<Optional<String>> staffLoginName(long userId) {
    return member(userId).map(m -> m.filter(x -> x.role() == AdminAccess.Role.STAFF).map(Member::loginName));
  }

  /**
   * An active user holding the staff role (staff, whatever else they hold) or else the viewer role; empty
   * when the user is missing, inactive or holds neither.
   */
  public Future<Optional<Member>> member(long userId) {
    // An empty viewer role matches nothing: '' is never compared, as $3 is then NULL and NULL = ANY is not true.
    return pool.preparedQuery("SELECT login_name, $2 = ANY (roles) AS staff FROM users WHERE id = $1 AND active "
            + "AND ($2 = ANY (roles) OR $3 = ANY (roles))")
        .execute(Tuple.of(userId, role, viewerRole.orElse(null)))
        .map(StaffDirectory::first);
  }

  private static Optional<Member> first(RowSet<Row> rows) {
    var it = rows.iterator();
    if (!it.hasNext()) {
      return Optional.empty();
    }
    Row r = it.next();
    return Optional.of(new Member(r.getString("login_name"),
        Boolean.TRUE.equals(r.getBoolean("staff")) ? AdminAccess.Role.STAFF : AdminAccess.Role.VIEWER));
  }
}
