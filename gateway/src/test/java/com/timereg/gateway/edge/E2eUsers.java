package com.timereg.gateway.edge;

import com.timereg.gateway.store.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Customers and users written straight into a test class's database, as a Django site would have them. */
final class E2eUsers {
  static final String CUSTOMER = "e2e";

  private final TestDatabase db;

  E2eUsers(TestDatabase db) throws SQLException {
    this.db = db;
    try (Connection c = db.openJdbc(); PreparedStatement s = c.prepareStatement(
        "INSERT INTO customers (slug, name) VALUES (?, 'End to end') ON CONFLICT (slug) DO NOTHING")) {
      s.setString(1, CUSTOMER);
      s.executeUpdate();
    }
  }

  /** A user of {@link #CUSTOMER} with exactly this stored hash. */
  void create(String loginName, String passwordHash, boolean active) throws SQLException {
    try (Connection c = db.openJdbc(); PreparedStatement s = c.prepareStatement(
        "INSERT INTO users (customer_id, login_name, email, password_hash, active) "
            + "SELECT id, ?, ?, ?, ? FROM customers WHERE slug = ?")) {
      s.setString(1, loginName);
      s.setString(2, loginName);
      s.setString(3, passwordHash);
      s.setBoolean(4, active);
      s.setString(5, CUSTOMER);
      s.executeUpdate();
    }
  }

  void setActive(String loginName, boolean active) throws SQLException {
    try (Connection c = db.openJdbc(); PreparedStatement s = c.prepareStatement(
        "UPDATE users SET active = ? WHERE login_name = ?")) {
      s.setBoolean(1, active);
      s.setString(2, loginName);
      s.executeUpdate();
    }
  }

  String passwordHash(String loginName) throws SQLException {
    try (Connection c = db.openJdbc(); PreparedStatement s = c.prepareStatement(
        "SELECT password_hash FROM users WHERE login_name = ?")) {
      s.setString(1, loginName);
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          throw new IllegalStateException("no user " + loginName);
        }
        return r.getString(1);
      }
    }
  }
}
