package com.timereg.gateway.testsupport;

import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Customers and users with real Django PBKDF2 hashes, written over JDBC for end-to-end tests. */
public final class TestAccounts {
  /** The lowest iteration count the gateway accepts: tests verify many passwords on two shared cores. */
  public static final int ITERATIONS = 1_000;

  private TestAccounts() {}

  /** Creates the customer if needed and an active user with this password, unless the name exists. */
  public static void createUser(Connection c, String customer, String loginName, String password) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "INSERT INTO customers (slug, name) VALUES (?, ?) ON CONFLICT (slug) DO NOTHING")) {
      s.setString(1, customer);
      s.setString(2, customer);
      s.executeUpdate();
    }
    try (PreparedStatement s = c.prepareStatement(
        "INSERT INTO users (customer_id, login_name, email, password_hash) "
            + "SELECT id, ?, ?, ? FROM customers WHERE slug = ? ON CONFLICT (lower(login_name)) DO NOTHING")) {
      s.setString(1, loginName);
      s.setString(2, loginName);
      s.setString(3, new DjangoPbkdf2Hasher(ITERATIONS).hash(password));
      s.setString(4, customer);
      s.executeUpdate();
    }
  }
}
