package com.timereg.gateway.blocks;

import com.timereg.gateway.store.ListenConnection;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LISTEN side: a {@link ListenConnection} on {@value ChangeCodec#CHANNEL}, reconnected for as long as the node
 * runs, each attempt bounded by the connect timeout ({@code ChangeFeedConnectTimeoutTest}).
 *
 * <p>{@code onListening} runs after every successful LISTEN, the first and each one after a
 * reconnect: whatever was committed while the node was deaf is only in the tables, so the owner
 * reloads them there. Because LISTEN is issued before that reload reads, no change can fall in
 * between: it is either in the snapshot, or notified, or both.
 */
final class ChangeFeed {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);

  private final ListenConnection connection;

  ChangeFeed(Vertx vertx, PgConnectOptions options, Duration connectTimeout, NodeId node, BlockSyncSettings settings,
      BlockSyncMetrics metrics, Handler<String> onPayload, Runnable onListening, Runnable onLost) {
    // Names the connection in pg_stat_activity, so an operator (or a test) can find this node's listener.
    options.addProperty("application_name", applicationName(node));
    this.connection = new ListenConnection(vertx, options, ChangeCodec.CHANNEL, connectTimeout,
        settings.listenerProbeInterval(), settings::reconnectDelayMillis, new ListenConnection.Listener() {
          @Override
          public void notified(String payload) {
            onPayload.handle(payload);
          }

          @Override
          public void listening() {
            LOG.info("Node {} listening for block changes on channel {}", node, ChangeCodec.CHANNEL);
            onListening.run();
          }

          @Override
          public void lost() {
            metrics.listenerLost();
            LOG.warn("Node {} lost the connection listening for block changes; reconnecting and reloading", node);
            onLost.run();
          }

          @Override
          public void attemptFailed(int attempt, Throwable cause) {
            if (attempt == 0) {
              LOG.warn("Node {} cannot listen for block changes ({}); retrying, until then edits made on other "
                  + "nodes reach this one only after it connects", node, cause.getMessage());
            }
          }

          @Override
          public void probeFailed(Throwable cause) {
            LOG.warn("The connection listening for block changes did not answer ({}); reconnecting",
                cause.getMessage());
          }

          @Override
          public void connectionFailed(Throwable cause) {
            LOG.debug("Listening connection of node {} failed: {}", node, cause.toString());
          }
        });
  }

  static String applicationName(NodeId node) {
    return "gateway-blocks-" + node.value();
  }

  /** Connects, retrying until it succeeds or {@link #close()}; completes at the first connection. */
  Future<Void> start() {
    return connection.start();
  }

  boolean listening() {
    return connection.listening();
  }

  Future<Void> close() {
    return connection.close();
  }
}
