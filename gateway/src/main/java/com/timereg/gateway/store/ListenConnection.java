package com.timereg.gateway.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgChannel;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToLongFunction;

/**
 * One dedicated connection (outside the pool, whose connections come and go) LISTENing on one channel, reconnected
 * for as long as its owner runs: the block feed and the session revocation feed each hold one.
 *
 * <p>Each attempt uses a subscriber of its own, given up after the connect timeout. The client (5.0.7) bounds
 * neither the handshake nor its own reconnects: an attempt on a server that accepts but never answers never
 * completes, and the subscriber ignores every later attempt while one is under way, so one such attempt left the
 * node deaf for ever, even once the server answered again ({@code ChangeFeedConnectTimeoutTest},
 * {@code RevocationFeedConnectionTest}). So the subscriber's own reconnect only reports the loss; this class
 * reconnects, with the owner's backoff, and closes a connection an abandoned attempt yields late.
 *
 * <p>A connection cut without a FIN (a dropped NAT entry, a partition, a frozen server) says nothing: it is asked
 * {@code SELECT 1} every probe interval and, when it does not answer within {@link #PROBE_TIMEOUT}, its socket is
 * closed outright (not by the client's close, which waits for a frozen server to close its side for ever), which
 * counts as a loss: the owner is told, a new connection LISTENs and the owner reloads.
 */
public final class ListenConnection {
  /** A healthy server answers SELECT 1 in milliseconds; a probe this late means a dead link. */
  public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  /** What the owner hears; every method runs on the event loop. */
  public interface Listener {
    /** A notification's payload. */
    void notified(String payload);

    /**
     * After every successful LISTEN, the first and each one after a reconnect: whatever was committed while the node
     * was deaf is only in the tables. LISTEN is in place before this runs, so a reload from here misses nothing.
     */
    void listening();

    /** The listening connection dropped (or did not answer the probe); reconnecting follows. */
    void lost();

    /** Attempt {@code attempt} (0 the first at start) failed or was given up; another follows unless closed. */
    default void attemptFailed(int attempt, Throwable cause) {}

    /** The listening connection did not answer the probe; it is closed, and {@link #lost()} follows. */
    default void probeFailed(Throwable cause) {}

    /** The listening connection reported an error (the client would print it to stderr otherwise). */
    default void connectionFailed(Throwable cause) {}
  }

  private final Vertx vertx;
  private final PgConnectOptions options;
  private final String channel;
  private final long connectTimeoutMillis;
  private final long probeIntervalMillis;
  private final IntToLongFunction reconnectDelayMillis;
  private final Listener listener;
  /** The attempt under way or the connection listening; null between attempts. */
  private volatile PgSubscriber subscriber;
  private volatile boolean listening;
  private volatile boolean closed;
  private volatile boolean probing;
  private long probeTimer = -1;

  /**
   * @param reconnectDelayMillis the wait before the attempt after attempt {@code n} failed; after a loss, the wait
   *     is that for 0 and the next attempt is number 1
   */
  public ListenConnection(Vertx vertx, PgConnectOptions options, String channel, Duration connectTimeout,
      Duration probeInterval, IntToLongFunction reconnectDelayMillis, Listener listener) {
    this.vertx = vertx;
    this.options = options;
    this.channel = channel;
    this.connectTimeoutMillis = connectTimeout.toMillis();
    this.probeIntervalMillis = probeInterval.toMillis();
    this.reconnectDelayMillis = reconnectDelayMillis;
    this.listener = listener;
  }

  /** Connects, retrying until it succeeds or {@link #close()}; completes at the first connection. */
  public Future<Void> start() {
    startProbing();
    return connect(0, true);
  }

  /**
   * Connects once: fails when that attempt fails or is not done within the connect timeout (then nothing more is
   * tried). Once connected, a lost connection is reconnected as with {@link #start()}.
   */
  public Future<Void> startOnce() {
    startProbing();
    return connect(0, false);
  }

  public boolean listening() {
    return listening;
  }

  /**
   * Ends the session (a live server is sent Terminate); a connection not closed within {@link #PROBE_TIMEOUT} then
   * has its socket closed outright: the client's close waits for the server to close its side, which a frozen server
   * never does, so the gateway's stop waited on each feed until its own bound ran out
   * ({@code ListenConnectionFrozenServerTest}).
   */
  public Future<Void> close() {
    closed = true;
    listening = false;
    vertx.cancelTimer(probeTimer);
    PgSubscriber current = subscriber;
    subscriber = null;
    if (current == null) {
      return Future.succeededFuture();
    }
    PgConnection conn = current.actualConnection();
    Future<Void> closing = current.close();
    if (conn != null && !closing.isComplete()) {
      long timer = vertx.setTimer(PROBE_TIMEOUT.toMillis(), id -> Database.hardClose(conn));
      closing.onComplete(ar -> vertx.cancelTimer(timer));
    }
    return closing;
  }

  private void startProbing() {
    probeTimer = vertx.setPeriodic(probeIntervalMillis, id -> probe());
  }

  private Future<Void> connect(int attempt, boolean retry) {
    if (closed) {
      return Future.failedFuture("closed");
    }
    PgSubscriber attemptSubscriber = newSubscriber();
    subscriber = attemptSubscriber;
    return attemptSubscriber.connect().timeout(connectTimeoutMillis, TimeUnit.MILLISECONDS).recover(e -> {
      listener.attemptFailed(attempt, e);
      // Given up: a connection this attempt still yields is closed by the subscribe handler.
      subscriber = null;
      Future<Void> given = attemptSubscriber.close();
      if (!retry) {
        return given.transform(ar -> Future.failedFuture(e));
      }
      return given
          .compose(v -> vertx.timer(reconnectDelayMillis.applyAsLong(attempt), TimeUnit.MILLISECONDS))
          .compose(v -> connect(attempt + 1, true));
    });
  }

  private PgSubscriber newSubscriber() {
    PgSubscriber sub = PgSubscriber.subscriber(vertx, options);
    // The subscriber's own reconnect is unbounded (see above): it only reports the loss, then gives up.
    sub.reconnectPolicy(attempt -> {
      lost(sub);
      return -1L;
    });
    PgChannel pgChannel = sub.channel(channel);
    pgChannel.subscribeHandler(v -> {
      PgConnection conn = sub.actualConnection();
      if (closed || sub != subscriber) {
        // An attempt given up on (or a connection closed meanwhile) that connected after all.
        if (conn != null) {
          conn.close();
        }
        return;
      }
      if (conn != null) {
        conn.exceptionHandler(listener::connectionFailed);
      }
      listening = true;
      listener.listening();
    });
    pgChannel.handler(listener::notified);
    return sub;
  }

  /** The subscriber's connection dropped: reconnect with a new one, starting over the backoff. */
  private void lost(PgSubscriber sub) {
    if (closed || sub != subscriber || !listening) {
      // Closed, given up on, or a LISTEN that failed: the connect attempt's own failure handles it.
      return;
    }
    subscriber = null;
    listening = false;
    listener.lost();
    vertx.setTimer(reconnectDelayMillis.applyAsLong(0), id -> connect(1, true));
  }

  private void probe() {
    PgSubscriber sub = subscriber;
    PgConnection conn = sub != null ? sub.actualConnection() : null;
    if (conn == null || closed || !listening || probing) {
      return;
    }
    probing = true;
    conn.query("SELECT 1").execute()
        .timeout(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .onComplete(ar -> probing = false)
        .onFailure(e -> {
          if (sub != subscriber || !listening) {
            // Lost meanwhile (its close reported): the reconnect is under way already.
            return;
          }
          listener.probeFailed(e);
          // A hard close: the client's own only shuts the output and waits for the server to close its side, which a
          // frozen server never does, so the subscriber never heard of the loss and the node stayed deaf for ever,
          // its probe failing every interval (ListenConnectionFrozenServerTest).
          Database.hardClose(conn);
        });
  }
}
