package com.timereg.gateway.store;

import io.vertx.pgclient.SslMode;
import java.time.Duration;
import java.util.Objects;

/**
 * How the gateway's connection pool talks to PostgreSQL.
 *
 * @param connection where the database is and who to log in as
 * @param maxPoolSize connections the pool opens at most; the hot path touches no database, so a
 *     small pool serves logins, refresh and admin work
 * @param connectTimeout bound on opening a TCP connection and on waiting for a free pooled one
 * @param sslMode TLS towards the server, as libpq's {@code sslmode}
 * @param idleTimeout a pooled connection on which nothing was sent or received for this long is closed: a
 *     server that stops answering without closing its connections (frozen, cut off by the network) then
 *     fails the query waiting on it, where it would otherwise wait for ever, and a request with it
 */
public record DatabaseSettings(
    ConnectionSettings connection, int maxPoolSize, Duration connectTimeout, SslMode sslMode, Duration idleTimeout) {

  public static final int DEFAULT_MAX_POOL_SIZE = 10;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** Long enough for any query the gateway makes, short enough that a user is not kept waiting long. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
  /**
   * Encrypt when the server offers TLS, as libpq does by default. Certificate verification
   * ({@code verify-full}) needs a trust store, which these settings do not carry yet.
   */
  public static final SslMode DEFAULT_SSL_MODE = SslMode.PREFER;

  public DatabaseSettings {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(sslMode, "sslMode");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (maxPoolSize < 1) {
      throw new IllegalArgumentException("database pool size must be at least 1, was " + maxPoolSize);
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero() || connectTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("database connect timeout must be positive, was " + connectTimeout);
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero() || idleTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("database idle timeout must be positive, was " + idleTimeout);
    }
  }

  /** The settings with the default idle timeout. */
  public DatabaseSettings(ConnectionSettings connection, int maxPoolSize, Duration connectTimeout, SslMode sslMode) {
    this(connection, maxPoolSize, connectTimeout, sslMode, DEFAULT_IDLE_TIMEOUT);
  }

  /** The settings with every default but the connection. */
  public static DatabaseSettings of(ConnectionSettings connection) {
    return new DatabaseSettings(connection, DEFAULT_MAX_POOL_SIZE, DEFAULT_CONNECT_TIMEOUT, DEFAULT_SSL_MODE);
  }

  /** The JDBC URL (without credentials) for tools that need JDBC, such as Flyway. */
  public String jdbcUrl() {
    return connection.jdbcUrl(sslMode.value) + "&connectTimeout=" + Math.max(1, connectTimeout.toSeconds());
  }
}
