package com.timereg.gateway.store;

import io.netty.channel.Channel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.pgclient.impl.PgConnectionFactory;
import io.vertx.pgclient.spi.PgDriver;
import io.vertx.sqlclient.ClientBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.impl.SocketConnectionBase;
import io.vertx.sqlclient.internal.Connection;
import io.vertx.sqlclient.internal.SqlConnectionInternal;
import io.vertx.sqlclient.spi.ConnectionFactory;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

  /**
   * How long {@link #close()} lets the pool's connections end their sessions (Terminate) before closing their sockets
   * outright: a healthy server closes its side in milliseconds.
   */
  public static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final Pool pool;
  private final DatabaseSettings settings;
  /** The sockets of the pooled connections open now, for {@link #close()}. */
  private final Set<Channel> channels;

  private Database(Vertx vertx, Pool pool, DatabaseSettings settings, Set<Channel> channels) {
    this.vertx = vertx;
    this.pool = pool;
    this.settings = settings;
    this.channels = channels;
  }

  /** Builds the pool; no connection is opened until the first query. */
  public static Database create(Vertx vertx, DatabaseSettings settings) {
    PgConnectOptions connect = connectOptions(settings);
    int timeoutMillis = (int) settings.connectTimeout().toMillis();
    Set<Channel> channels = ConcurrentHashMap.newKeySet();
    PoolOptions poolOptions = new PoolOptions()
        .setName("gateway-db")
        .setMaxSize(settings.maxPoolSize())
        .setConnectionTimeout(timeoutMillis)
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
    Pool pool = ClientBuilder.pool(new BoundedConnectDriver(settings.connectTimeout()))
        .with(poolOptions)
        .with(new NetClientOptions().setConnectTimeout(timeoutMillis))
        .withConnectHandler(conn -> prepare(conn, settings, channels))
        .connectingTo(connect)
        .using(vertx)
        .build();
    return new Database(vertx, pool, settings, channels);
  }

  /**
   * Readies a new pooled connection, then hands it to the pool: closed when silent, and with a statement timeout
   * just under the idle timeout. A statement the server holds (waiting for a lock a DBA's open transaction or a
   * migration keeps, a slow plan) is then cancelled by the server itself, rolled back, and the caller answered: the
   * client's close on silence does not stop the server's backend, which would run the statement once the lock was
   * free and commit it after the caller was told it failed ({@code DatabaseStatementTimeoutTest}). Set per
   * connection rather than as a startup parameter, which a connection pooler such as PgBouncer refuses.
   */
  private static void prepare(SqlConnection conn, DatabaseSettings settings, Set<Channel> channels) {
    closeWhenSilent(conn, settings.idleTimeout());
    io.netty.channel.ChannelPipeline pipeline = pipelineOf(conn);
    if (pipeline != null) {
      Channel channel = pipeline.channel();
      channels.add(channel);
      channel.closeFuture().addListener(f -> channels.remove(channel));
    }
    conn.query("SET statement_timeout = " + Math.max(1, settings.statementTimeout().toMillis())).execute()
        // A connection that failed even this is handed over all the same: its first query fails as it would.
        .onComplete(ar -> conn.close());
  }

  /** Its own name: Vert.x's "idle" handler, should a client version apply the options after all, stays as is. */
  private static final String IDLE_HANDLER = "gateway-database-idle";

  /**
   * Adds to a new pooled connection a close once nothing was sent or received on it for {@code idle}. The PG client
   * has no query timeout, so without this a query sent to a server that stops answering but keeps its connections
   * open (frozen, cut off by the network) waits for ever, and so does the request behind it; closed, the
   * connection fails its query and the request is answered 503. Done on the connection's channel because the client
   * (5.0.7) ignores the transport options given to its builder ({@code PgDriver.createConnectionFactory} drops
   * them), where {@code setIdleTimeout} would have done it.
   * The caller ({@link #prepare}) hands the connection to the pool.
   */
  private static void closeWhenSilent(SqlConnection conn, Duration idle) {
    io.netty.channel.ChannelPipeline pipeline = pipelineOf(conn);
    if (pipeline != null && pipeline.get(IDLE_HANDLER) == null) {
      pipeline.addFirst(IDLE_HANDLER, new HardCloseWhenIdle(idle));
    }
  }

  /**
   * Closes the connection's socket itself, as {@link HardCloseWhenIdle} does: {@code conn.close()} only sends
   * Terminate and shuts the output, then waits for the server to close its side, which a frozen server never does
   * (the LISTEN connection's probe, {@code ListenConnectionFrozenServerTest}). Falls back to that close for a
   * connection whose socket cannot be reached.
   */
  static void hardClose(SqlConnection conn) {
    io.netty.channel.ChannelPipeline pipeline = pipelineOf(conn);
    if (pipeline == null || pipeline.firstContext() == null) {
      conn.close();
      return;
    }
    // From the head of the pipeline, past the PG client's encoder; the client then sees the socket closed.
    pipeline.firstContext().close();
  }

  /** The socket's pipeline under a connection (the pool's or a subscriber's), or null when it cannot be reached. */
  private static io.netty.channel.ChannelPipeline pipelineOf(SqlConnection conn) {
    // The pool hands out its own wrapper around the socket's connection.
    Connection c = conn instanceof SqlConnectionInternal internal ? internal.unwrap() : null;
    while (c != null && !(c instanceof SocketConnectionBase) && c.unwrap() != c) {
      c = c.unwrap();
    }
    return c instanceof SocketConnectionBase socket ? socket.socket().channelHandlerContext().pipeline() : null;
  }

  /**
   * Closes the channel itself once it was silent for the idle time. Vert.x's own answer to the idle event (passed on
   * first, so a live server is still told the session ends) is no close: the PG client's encoder turns the close
   * into a Terminate message and a shutdown of the connection's output only, then waits for the server to close its
   * side. A frozen server (a paused VM, a stopped process: its kernel takes the FIN, nothing answers) never does, so
   * the connection stayed half-open, its caller waited for ever and its pool slot was lost
   * ({@code DatabaseFrozenServerTest}). Closed from the head of the pipeline, past that encoder, the socket really
   * closes: the pending query fails and the pool drops the connection.
   */
  private static final class HardCloseWhenIdle extends IdleStateHandler {
    HardCloseWhenIdle(Duration idle) {
      super(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void channelIdle(io.netty.channel.ChannelHandlerContext ctx, IdleStateEvent evt) {
      ctx.fireUserEventTriggered(evt);
      ctx.close();
    }
  }

  /**
   * The PostgreSQL driver with {@code database.connect-timeout} as a bound on opening a connection, from the TCP
   * connect to the end of authentication. The client (5.0.7) has none of its own: it drops the transport options
   * (so the TCP connect waits Vert.x's default 60 s) and does not bound the handshake at all, so an attempt on a
   * server that accepts but never answers kept its pool slot for ever (the pool only stops waiting for it,
   * {@code DatabaseConnectTimeoutTest}). A connection that completes after the bound is closed.
   */
  private static final class BoundedConnectDriver extends PgDriver {
    private final long timeoutMillis;

    BoundedConnectDriver(Duration timeout) {
      this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public ConnectionFactory<PgConnectOptions> createConnectionFactory(Vertx vertx, NetClientOptions transport) {
      return new PgConnectionFactory((VertxInternal) vertx) {
        @Override
        public Future<SqlConnection> connect(Context context, PgConnectOptions options) {
          return bounded(vertx, super.connect(context, options), timeoutMillis);
        }
      };
    }
  }

  /** {@code attempt}, failed once {@code timeoutMillis} pass; a connection it yields later is closed. */
  static Future<SqlConnection> bounded(Vertx vertx, Future<? extends SqlConnection> attempt, long timeoutMillis) {
    Promise<SqlConnection> result = Promise.promise();
    long timer = vertx.setTimer(timeoutMillis, id -> result.tryFail(new VertxException(
        "no connection to the database within the connect timeout (" + timeoutMillis + " ms)", true)));
    attempt.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        result.tryFail(ar.cause());
      } else if (!result.tryComplete(ar.result())) {
        ar.result().close();
      }
    });
    return result.future();
  }

  /**
   * Options for a connection of its own to the same server, e.g. a {@code PgSubscriber} that holds
   * one connection for LISTEN outside the pool. A new object on each call: callers may change it.
   */
  public static PgConnectOptions connectOptions(DatabaseSettings settings) {
    ConnectionSettings c = settings.connection();
    SslMode mode = settings.effectiveSslMode();
    ClientSSLOptions ssl = new ClientSSLOptions()
        // verify-full checks the name the gateway connects to (host name or IP address) against the certificate.
        .setHostnameVerificationAlgorithm(mode == SslMode.VERIFY_FULL ? "HTTPS" : "");
    settings.sslRootCert().ifPresentOrElse(
        file -> ssl.setTrustOptions(new PemTrustOptions().addCertPath(file.toString())),
        // Without the file no mode checks the certificate, as in libpq and pgjdbc (the migrations). Some TLS options
        // are needed all the same: with none (the default) the client (5.0.7) fails every TLS attempt with a
        // NullPointerException, so require never connected and prefer went on in plain text (DatabaseTlsTest).
        () -> ssl.setTrustAll(true));
    return new PgConnectOptions()
        .setHost(c.host())
        .setPort(c.port())
        .setDatabase(c.database())
        .setUser(c.user())
        .setPassword(c.password())
        .setSslMode(mode)
        .setSslOptions(ssl)
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

  /**
   * Closes the pool: each connection ends its session (Terminate), and one whose socket is still open
   * {@link #CLOSE_GRACE} later is closed outright. The client's close waits for the server to close its side, which a
   * frozen server never does, so the gateway's stop waited until the idle timeout's hard close
   * ({@code DatabaseFrozenServerTest}).
   */
  public Future<Void> close() {
    Future<Void> closing = pool.close();
    if (!closing.isComplete()) {
      long timer = vertx.setTimer(CLOSE_GRACE.toMillis(), id -> channels.forEach(c -> {
        if (c.pipeline().firstContext() != null) {
          c.pipeline().firstContext().close();
        } else {
          c.close();
        }
      }));
      closing.onComplete(ar -> vertx.cancelTimer(timer));
    }
    return closing;
  }
}
