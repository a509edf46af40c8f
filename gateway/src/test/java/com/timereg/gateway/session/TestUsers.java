package com.timereg.gateway.session;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/** Customers and users rows for session tests. */
final class TestUsers {
  static final String CUSTOMER = "acme";

  private TestUsers() {}

  record User(long id, String loginName) {}

  /** A new active user of {@link #CUSTOMER} with a unique login name. */
  static Future<User> create(Pool pool, String loginPrefix) {
    String login = loginPrefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    return pool.preparedQuery("""
            WITH c AS (INSERT INTO customers (slug, name) VALUES ($1, $1)
                       ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name RETURNING id)
            INSERT INTO users (customer_id, login_name) SELECT id, $2 FROM c RETURNING id""")
        .execute(Tuple.of(CUSTOMER, login))
        .map(rows -> new User(rows.iterator().next().getLong(0), login));
  }

  static Future<String> loginName(Pool pool, long userId) {
    return pool.preparedQuery("SELECT login_name FROM users WHERE id = $1").execute(Tuple.of(userId))
        .map(rows -> rows.iterator().next().getString(0));
  }
}
