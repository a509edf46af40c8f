package com.timereg.gateway.store;

import io.vertx.pgclient.SslMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

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
 * @param sslRootCert PEM file of the CA(s) that sign the server's certificate, as libpq's {@code sslrootcert}:
 *     required by {@code verify-ca} and {@code verify-full}; with it {@code require} checks the chain as
 *     {@code verify-ca} does (libpq's rule). Refused with {@code disable}, {@code allow} and {@code prefer}: both
 *     clients would go on in plain text when the check fails, so the file would protect nothing. Without it no
 *     mode checks the certificate (encryption only, as in libpq and pgjdbc): see {@link #effectiveSslMode()}
 */
public record DatabaseSettings(
    ConnectionSettings connection, int maxPoolSize, Duration connectTimeout, SslMode sslMode, Duration idleTimeout,
    Optional<Path> sslRootCert) {

  public static final int DEFAULT_MAX_POOL_SIZE = 10;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** Long enough for any query the gateway makes, short enough that a user is not kept waiting long. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
  /**
   * Encrypt when the server offers TLS, as libpq does by default, without checking its certificate: against an
   * active attacker only {@code verify-full} with {@code database.ssl-root-cert} protects.
   */
  public static final SslMode DEFAULT_SSL_MODE = SslMode.PREFER;

  public DatabaseSettings {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(sslMode, "sslMode");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(sslRootCert, "sslRootCert");
    if (maxPoolSize < 1) {
      throw new IllegalArgumentException("database pool size must be at least 1, was " + maxPoolSize);
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero() || connectTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("database connect timeout must be positive, was " + connectTimeout);
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero() || idleTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("database idle timeout must be positive, was " + idleTimeout);
    }
    boolean checksCertificate = sslMode == SslMode.VERIFY_CA || sslMode == SslMode.VERIFY_FULL;
    if (checksCertificate && sslRootCert.isEmpty()) {
      // Fail closed at start: the client would otherwise refuse every connection, or (another client) trust any CA.
      throw new IllegalArgumentException("database.ssl-mode " + sslMode.value + " checks the server's certificate"
          + " and needs database.ssl-root-cert: the PEM file of the CA(s) that sign it");
    }
    if (!checksCertificate && sslMode != SslMode.REQUIRE && sslRootCert.isPresent()) {
      throw new IllegalArgumentException("database.ssl-root-cert needs database.ssl-mode require, verify-ca or"
          + " verify-full: with " + sslMode.value + " a certificate that fails the check would not stop the"
          + " connection, which would go on in plain text");
    }
  }

  /** The settings without a root certificate. */
  public DatabaseSettings(
      ConnectionSettings connection, int maxPoolSize, Duration connectTimeout, SslMode sslMode, Duration idleTimeout) {
    this(connection, maxPoolSize, connectTimeout, sslMode, idleTimeout, Optional.empty());
  }

  /** The settings with the default idle timeout. */
  public DatabaseSettings(ConnectionSettings connection, int maxPoolSize, Duration connectTimeout, SslMode sslMode) {
    this(connection, maxPoolSize, connectTimeout, sslMode, DEFAULT_IDLE_TIMEOUT);
  }

  /** The settings with every default but the connection. */
  public static DatabaseSettings of(ConnectionSettings connection) {
    return new DatabaseSettings(connection, DEFAULT_MAX_POOL_SIZE, DEFAULT_CONNECT_TIMEOUT, DEFAULT_SSL_MODE);
  }

  /** The same settings with another SSL mode (the root certificate kept). */
  public DatabaseSettings withSslMode(SslMode mode) {
    return new DatabaseSettings(connection, maxPoolSize, connectTimeout, mode, idleTimeout, sslRootCert);
  }

  /** At most this much of the idle timeout is left between the statement timeout and it. */
  static final Duration STATEMENT_TIMEOUT_MARGIN = Duration.ofSeconds(2);

  /**
   * PostgreSQL's {@code statement_timeout} on the pool's connections: the idle timeout less a margin (2 s, or half
   * the idle timeout when that is shorter), so a statement the server holds (waiting for a lock, say) is cancelled
   * and rolled back by the server, and its error reaches the caller, before the client closes the silent
   * connection; closing it would not stop the statement, which the server would still commit once it could run.
   * Every query the gateway makes takes milliseconds; none could outlast the idle timeout anyway.
   */
  public Duration statementTimeout() {
    Duration half = idleTimeout.dividedBy(2);
    return idleTimeout.minus(half.compareTo(STATEMENT_TIMEOUT_MARGIN) < 0 ? half : STATEMENT_TIMEOUT_MARGIN);
  }

  /**
   * The mode both clients are given: {@code require} with a root certificate is {@code verify-ca}, as in libpq.
   * Told {@code require}, neither client would check the chain against the file (pgjdbc checks nothing then).
   */
  public SslMode effectiveSslMode() {
    return sslMode == SslMode.REQUIRE && sslRootCert.isPresent() ? SslMode.VERIFY_CA : sslMode;
  }

  /**
   * The JDBC URL (without credentials) for tools that need JDBC, such as Flyway. pgjdbc checks the certificate
   * only under {@code verify-ca} and {@code verify-full}, against {@code sslrootcert}, and by default against
   * {@code ~/.postgresql/root.crt}: the file is always named so that one is never used.
   *
   * <p>The connect timeout bounds both the TCP connect ({@code connectTimeout}) and the whole opening, handshake and
   * authentication included ({@code loginTimeout}): pgjdbc's {@code connectTimeout} covers the TCP connect only and
   * reads without a bound, so a server that accepts but never answers (frozen, a half-dead proxy) held the start's
   * migrations for ever, without a line ({@code MigrationsConnectTimeoutTest}).
   */
  public String jdbcUrl() {
    long seconds = Math.max(1, connectTimeout.toSeconds());
    return connection.jdbcUrl(effectiveSslMode().value)
        + sslRootCert.map(f -> "&sslrootcert=" + URLEncoder.encode(f.toString(), StandardCharsets.UTF_8)).orElse("")
        + "&connectTimeout=" + seconds + "&loginTimeout=" + seconds;
  }
}
