package com.timereg.gateway.blocks;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgChannel;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LISTEN side: one dedicated connection (outside the pool, whose connections come and go)
 * subscribed to {@value ChangeCodec#CHANNEL}, reconnected for as long as the node runs.
 *
 * <p>{@code onListening} runs after every successful LISTEN, the first and each one after a
 * reconnect: whatever was committed while the node was deaf is only in the tables, so the owner
 * reloads them there. Because LISTEN is issued before that reload reads, no change can fall in
 * between: it is either in the snapshot, or notified, or both.
 *
 * <p>Each attempt uses a subscriber of its own, given up after the connect timeout. The client
 * (5.0.7) bounds neither the handshake nor its own reconnects: an attempt on a server that accepts
 * but never answers never completes, and the subscriber ignores every later attempt while one is
 * under way, so one such attempt left the node deaf (and not ready) for ever, even once the server
 * answered again ({@code ChangeFeedConnectTimeoutTest}).
 */
final class ChangeFeed {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
  /** A healthy server answers SELECT 1 in milliseconds; a probe this late means a dead link. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final PgConnectOptions options;
  private final long connectTimeoutMillis;
  private final BlockSyncSettings settings;
  private final BlockSyncMetrics metrics;
  private final Handler<String> onPayload;
  private final Runnable onListening;
  private final Runnable onLost;
  private final NodeId node;
  /** The attempt under way or the connection listening; null between attempts. */
  private volatile PgSubscriber subscriber;
  private volatile boolean listening;
  private volatile boolean closed;
  private long probeTimer = -1;

  ChangeFeed(Vertx vertx, PgConnectOptions options, Duration connectTimeout, NodeId node, BlockSyncSettings settings,
      BlockSyncMetrics metrics, Handler<String> onPayload, Runnable onListening, Runnable onLost) {
    this.vertx = vertx;
    this.options = options;
    this.connectTimeoutMillis = connectTimeout.toMillis();
    this.settings = settings;
    this.metrics = metrics;
    this.onPayload = onPayload;
    this.onListening = onListening;
    this.onLost = onLost;
    this.node = node;
    // Names the connection in pg_stat_activity, so an operator (or a test) can find this node's listener.
    options.addProperty("application_name", applicationName(node));
  }

  static String applicationName(NodeId node) {
    return "gateway-blocks-" + node.value();
  }

  /** Connects, retrying until it succeeds or {@link #close()}; completes at the first connection. */
  Future<Void> start() {
    probeTimer = vertx.setPeriodic(settings.listenerProbeInterval().toMillis(), id -> probe());
    return connect(0);
  }

  boolean listening() {
    return listening;
  }

  Future<Void> close() {
    closed = true;
    listening = false;
    vertx.cancelTimer(probeTimer);
    PgSubscriber current = subscriber;
    subscriber = null;
    return current != null ? current.close() : Future.succeededFuture();
  }

  private Future<Void> connect(int attempt) {
    if (closed) {
      return Future.failedFuture("closed");
    }
    PgSubscriber attemptSubscriber = newSubscriber();
    subscriber = attemptSubscriber;
    return attemptSubscriber.connect().timeout(connectTimeoutMillis, TimeUnit.MILLISECONDS).recover(e -> {
      long delay = settings.reconnectDelayMillis(attempt);
      if (attempt == 0) {
        LOG.warn("Node {} cannot listen for block changes ({}); retrying, until then edits made on other "
            + "nodes reach this one only after it connects", node, e.getMessage());
      }
      // Given up: a connection this attempt still yields is closed by the subscribe handler.
      subscriber = null;
      return attemptSubscriber.close()
          .compose(v -> vertx.timer(delay, TimeUnit.MILLISECONDS))
          .compose(v -> connect(attempt + 1));
    });
  }

  private PgSubscriber newSubscriber() {
    PgSubscriber sub = PgSubscriber.subscriber(vertx, options);
    // The subscriber's own reconnect is unbounded (see above): it only reports the loss, then gives up.
    sub.reconnectPolicy(attempt -> {
      lost(sub);
      return -1L;
    });
    PgChannel channel = sub.channel(ChangeCodec.CHANNEL);
    channel.subscribeHandler(v -> {
      PgConnection conn = sub.actualConnection();
      if (closed || sub != subscriber) {
        // An attempt given up on (or a feed closed meanwhile) that connected after all.
        if (conn != null) {
          conn.close();
        }
        return;
      }
      if (conn != null) {
        // Without a handler the client prints the stack trace of a dropped connection to stderr;
        // the loss is logged below.
        conn.exceptionHandler(e -> LOG.debug("Listening connection of node {} failed: {}", node, e.toString()));
      }
      listening = true;
      LOG.info("Node {} listening for block changes on channel {}", node, ChangeCodec.CHANNEL);
      onListening.run();
    });
    channel.handler(onPayload);
    return sub;
  }

  /** The subscriber's connection dropped: reconnect with a new one, starting over the backoff. */
  private void lost(PgSubscriber sub) {
    if (closed || sub != subscriber || !listening) {
      // Closed, given up on, or a LISTEN that failed: the connect attempt's own failure retries.
      return;
    }
    subscriber = null;
    listening = false;
    metrics.listenerLost();
    LOG.warn("Node {} lost the connection listening for block changes; reconnecting and reloading", node);
    onLost.run();
    vertx.setTimer(settings.reconnectDelayMillis(0), id -> connect(1));
  }

  /** A connection cut without a FIN (a dropped NAT entry, a partition) would stay deaf forever. */
  private void probe() {
    PgSubscriber sub = subscriber;
    PgConnection conn = sub != null ? sub.actualConnection() : null;
    if (conn == null || closed || !listening) {
      return;
    }
    conn.query("SELECT 1").execute()
        .timeout(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .onFailure(e -> {
          LOG.warn("The connection listening for block changes did not answer ({}); reconnecting", e.getMessage());
          conn.close();
        });
  }
}
