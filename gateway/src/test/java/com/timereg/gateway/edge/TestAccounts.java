package com.timereg.gateway.edge;

import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/** Customers and users written straight into a test database, as the Django side would. */
final class TestAccounts {
  /** The minimum PBKDF2 count: tests verify passwords many times. */
  static final int ITERATIONS = 1_000;

  private TestAccounts() {}

  static void customer(TestDatabase db, String slug, String name, int minScore, int minLength) throws SQLException {
    try (Connection c = db.openJdbc(); PreparedStatement s = c.prepareStatement(
        "INSERT INTO customers (slug, name, min_password_score, min_password_length) VALUES (?, ?, ?, ?) "
            + "ON CONFLICT (slug) DO NOTHING")) {
      s.setString(1, slug);
      s.setString(2, name);
      s.setInt(3, minScore);
      s.setInt(4, minLength);
      s.executeUpdate();
    }
  }

  /** A new active user with a unique login name; {@code password} null for an SSO-only user. */
  static User user(TestDatabase db, String customerSlug, String prefix, String password) throws SQLException {
    String login = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    String hash = password == null ? null : new DjangoPbkdf2Hasher(ITERATIONS).hash(password);
    try (Connection c = db.openJdbc(); PreparedStatement s = c.prepareStatement(
        "INSERT INTO users (customer_id, login_name, email, password_hash) "
            + "SELECT id, ?, ?, ? FROM customers WHERE slug = ? RETURNING id")) {
      s.setString(1, login);
      s.setString(2, login + "@" + customerSlug + ".example");
      s.setString(3, hash);
      s.setString(4, customerSlug);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return new User(r.getLong(1), login, customerSlug);
      }
    }
  }

  static String storedHash(TestDatabase db, long userId) throws SQLException {
    try (Connection c = db.openJdbc(); PreparedStatement s = c.prepareStatement(
        "SELECT password_hash FROM users WHERE id = ?")) {
      s.setLong(1, userId);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getString(1);
      }
    }
  }

  /** Writes a user's hash as the backend does (Django's password change, reset or admin), past the gateway. */
  static void storeHash(TestDatabase db, long userId, String hash) throws SQLException {
    try (Connection c = db.openJdbc(); PreparedStatement s = c.prepareStatement(
        "UPDATE users SET password_hash = ? WHERE id = ?")) {
      s.setString(1, hash);
      s.setLong(2, userId);
      s.executeUpdate();
    }
  }

  record User(long id, String login, String customer) {}
}
