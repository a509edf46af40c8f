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
 */
final class ChangeFeed {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
  /** A healthy server answers SELECT 1 in milliseconds; a probe this late means a dead link. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final BlockSyncSettings settings;
  private final BlockSyncMetrics metrics;
  private final PgSubscriber subscriber;
  private final Runnable onLost;
  private final NodeId node;
  private volatile boolean listening;
  private volatile boolean closed;
  private long probeTimer = -1;

  ChangeFeed(Vertx vertx, PgConnectOptions options, NodeId node, BlockSyncSettings settings, BlockSyncMetrics metrics,
      Handler<String> onPayload, Runnable onListening, Runnable onLost) {
    this.vertx = vertx;
    this.settings = settings;
    this.metrics = metrics;
    this.onLost = onLost;
    this.node = node;
    // Names the connection in pg_stat_activity, so an operator (or a test) can find this node's listener.
    options.addProperty("application_name", applicationName(node));
    this.subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(this::reconnectDelay);
    PgChannel channel = subscriber.channel(ChangeCodec.CHANNEL);
    channel.subscribeHandler(v -> {
      if (!closed) {
        PgConnection conn = subscriber.actualConnection();
        if (conn != null) {
          // Without a handler the client prints the stack trace of a dropped connection to stderr;
          // the reconnect policy already logs the loss.
          conn.exceptionHandler(e -> LOG.debug("Listening connection of node {} failed: {}", node, e.toString()));
        }
        listening = true;
        LOG.info("Node {} listening for block changes on channel {}", node, ChangeCodec.CHANNEL);
        onListening.run();
      }
    });
    channel.handler(onPayload);
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
    return subscriber.close();
  }

  private Future<Void> connect(int attempt) {
    if (closed) {
      return Future.failedFuture("closed");
    }
    return subscriber.connect().recover(e -> {
      long delay = settings.reconnectDelayMillis(attempt);
      if (attempt == 0) {
        LOG.warn("Node {} cannot listen for block changes ({}); retrying, until then edits made on other "
            + "nodes reach this one only after it connects", node, e.getMessage());
      }
      // A subscriber whose first connect failed never retries by itself; closing resets it.
      return subscriber.close()
          .compose(v -> vertx.timer(delay, TimeUnit.MILLISECONDS))
          .compose(v -> connect(attempt + 1));
    });
  }

  /** Called by the subscriber with 0 when the connection drops, then with each failed attempt's number. */
  private Long reconnectDelay(Integer attempt) {
    if (closed) {
      return -1L;
    }
    if (attempt == 0) {
      listening = false;
      metrics.listenerLost();
      LOG.warn("Node {} lost the connection listening for block changes; reconnecting and reloading", node);
      onLost.run();
    }
    return settings.reconnectDelayMillis(attempt);
  }

  /** A connection cut without a FIN (a dropped NAT entry, a partition) would stay deaf forever. */
  private void probe() {
    PgConnection conn = subscriber.actualConnection();
    if (conn == null || closed) {
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
