package com.timereg.gateway.sso;

import com.timereg.gateway.login.SsoMode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Customers' sign-in settings and the accounts Microsoft identities are matched to, in PostgreSQL. */
public final class SsoDirectory {
  private static final String CUSTOMER_COLUMNS = "c.id, c.slug, c.sso_mode, c.entra_tenant_id, c.sso_client_id, "
      + "c.sso_client_secret_ref, c.sso_allowed_email_domains, c.sso_auto_create";
  private static final String USER_COLUMNS = "u.id, u.login_name, u.email, u.active, u.sso_subject";

  private final Pool pool;

  public SsoDirectory(Pool pool) {
    this.pool = pool;
  }

  /**
   * The customer a typed login name belongs to: the customer of the user with that name, or, for a
   * name nobody has yet that looks like an address, the one customer using Microsoft sign-in whose
   * allowed domains include its domain (so people can sign in for the first time where accounts
   * are created on first sign-in).
   */
  public Future<Optional<SsoCustomer>> customerForLogin(String loginName) {
    return pool.preparedQuery("SELECT " + CUSTOMER_COLUMNS + " FROM users u JOIN customers c ON c.id = u.customer_id "
            + "WHERE lower(u.login_name) = lower($1)")
        .execute(Tuple.of(loginName))
        .compose(rows -> {
          if (rows.size() > 0 || loginName.lastIndexOf('@') <= 0) {
            return Future.succeededFuture(firstCustomer(rows));
          }
          String domain = loginName.substring(loginName.lastIndexOf('@') + 1);
          return pool.preparedQuery("SELECT " + CUSTOMER_COLUMNS + " FROM customers c WHERE c.sso_mode <> 'disabled' "
                  + "AND EXISTS (SELECT 1 FROM unnest(c.sso_allowed_email_domains) d WHERE lower(d) = lower($1)) LIMIT 2")
              .execute(Tuple.of(domain))
              // Two customers claiming one domain is a configuration mistake; guessing would send
              // people to the wrong tenant.
              .map(more -> more.size() == 1 ? firstCustomer(more) : Optional.<SsoCustomer>empty());
        });
  }

  public Future<Optional<SsoCustomer>> customer(long customerId) {
    return pool.preparedQuery("SELECT " + CUSTOMER_COLUMNS + " FROM customers c WHERE c.id = $1")
        .execute(Tuple.of(customerId))
        .map(SsoDirectory::firstCustomer);
  }

  /** Whether any customer uses Microsoft sign-in: then the gateway needs its public address. */
  public Future<Boolean> anyCustomerUsesSso() {
    return pool.query("SELECT EXISTS (SELECT 1 FROM customers WHERE sso_mode <> 'disabled')").execute()
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  /** The account linked to this identity within the customer. */
  public Future<Optional<SsoUser>> userBySubject(long customerId, String subject) {
    return pool.preparedQuery("SELECT " + USER_COLUMNS + " FROM users u WHERE u.customer_id = $1 AND u.sso_subject = $2")
        .execute(Tuple.of(customerId, subject))
        .map(rows -> users(rows).stream().findFirst());
  }

  /** The customer's accounts whose e-mail or login name is this address (at most two: one is the answer, two a conflict). */
  public Future<List<SsoUser>> usersByEmail(long customerId, String email) {
    return pool.preparedQuery("SELECT " + USER_COLUMNS + " FROM users u WHERE u.customer_id = $1 "
            + "AND (lower(u.email) = lower($2) OR lower(u.login_name) = lower($2)) ORDER BY u.id LIMIT 2")
        .execute(Tuple.of(customerId, email))
        .map(SsoDirectory::users);
  }

  /** Links an identity to an account that has none yet; false if another sign-in linked it first. */
  public Future<Boolean> linkSubject(long userId, String subject) {
    return pool.preparedQuery("UPDATE users SET sso_subject = $2, updated_at = now() WHERE id = $1 AND sso_subject IS NULL")
        .execute(Tuple.of(userId, subject))
        .map(rows -> rows.rowCount() == 1)
        // The unique index: the subject got linked to another account of the customer meanwhile.
        .recover(e -> isUniqueViolation(e) ? Future.succeededFuture(false) : Future.failedFuture(e));
  }

  /**
   * Creates an account signed in with Microsoft only (no password): login name and e-mail are the
   * address. Empty when the name is taken (login names are unique across all customers).
   */
  public Future<Optional<SsoUser>> createUser(long customerId, String email, String subject) {
    return pool.preparedQuery("INSERT INTO users (customer_id, login_name, email, sso_subject) VALUES ($1, $2, $2, $3) "
            + "ON CONFLICT DO NOTHING RETURNING id")
        .execute(Tuple.of(customerId, email, subject))
        .map(rows -> rows.size() == 0
            ? Optional.<SsoUser>empty()
            : Optional.of(new SsoUser(rows.iterator().next().getLong(0), email, email, true, subject)));
  }

  static boolean isUniqueViolation(Throwable e) {
    return e instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState());
  }

  private static Optional<SsoCustomer> firstCustomer(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Optional.empty();
    }
    Row r = rows.iterator().next();
    String[] domains = r.getArrayOfStrings("sso_allowed_email_domains");
    return Optional.of(new SsoCustomer(r.getLong("id"), r.getString("slug"), SsoMode.fromColumn(r.getString("sso_mode")),
        r.getString("entra_tenant_id"), r.getString("sso_client_id"), r.getString("sso_client_secret_ref"),
        domains == null ? List.of() : Arrays.asList(domains), r.getBoolean("sso_auto_create")));
  }

  private static List<SsoUser> users(RowSet<Row> rows) {
    List<SsoUser> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      out.add(new SsoUser(r.getLong("id"), r.getString("login_name"), r.getString("email"), r.getBoolean("active"),
          r.getString("sso_subject")));
    }
    return out;
  }
}
