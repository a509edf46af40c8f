package com.timereg.gateway.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's PostgreSQL connection pool.
 *
 * <p>No reconnect logic lives here on purpose: the Vert.x pool drops a connection once its socket
 * closes (a server restart closes them all) and opens a fresh one for the next query, so after an
 * outage queries fail fast with a connection error and succeed again once the server is back.
 */
public final class Database {
  /** Readiness should answer well inside a probe's own timeout, even when the server hangs. */
  public static final Duration PING_TIMEOUT = Duration.ofSeconds(2);

  private final Pool pool;
  private final DatabaseSettings settings;

  private Database(Pool pool, DatabaseSettings settings) {
    this.pool = pool;
    this.settings = settings;
  }

  /** Builds the pool; no connection is opened until the first query. */
  public static Database create(Vertx vertx, DatabaseSettings settings) {
    PgConnectOptions connect = connectOptions(settings);
    int timeoutMillis = (int) settings.connectTimeout().toMillis();
    PoolOptions poolOptions = new PoolOptions()
        .setName("gateway-db")
        .setMaxSize(settings.maxPoolSize())
        .setConnectionTimeout(timeoutMillis)
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
    Pool pool = PgBuilder.pool()
        .with(poolOptions)
        .with(new NetClientOptions().setConnectTimeout(timeoutMillis))
        .connectingTo(connect)
        .using(vertx)
        .build();
    return new Database(pool, settings);
  }

  /**
   * Options for a connection of its own to the same server, e.g. a {@code PgSubscriber} that holds
   * one connection for LISTEN outside the pool. A new object on each call: callers may change it.
   */
  public static PgConnectOptions connectOptions(DatabaseSettings settings) {
    ConnectionSettings c = settings.connection();
    return new PgConnectOptions()
        .setHost(c.host())
        .setPort(c.port())
        .setDatabase(c.database())
        .setUser(c.user())
        .setPassword(c.password())
        .setSslMode(settings.sslMode())
        .setCachePreparedStatements(true);
  }

  public Pool pool() {
    return pool;
  }

  public DatabaseSettings settings() {
    return settings;
  }

  /** Succeeds when a {@code SELECT 1} round trip completes within {@link #PING_TIMEOUT}. */
  public Future<Void> ping() {
    return pool.query("SELECT 1").execute()
        .timeout(PING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .mapEmpty();
  }

  public Future<Void> close() {
    return pool.close();
  }
}
