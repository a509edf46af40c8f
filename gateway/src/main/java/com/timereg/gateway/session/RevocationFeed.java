package com.timereg.gateway.session;

import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.DatabaseSettings;
import com.timereg.gateway.store.ListenConnection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds this node's {@link RevocationList} with the revocations of every node: notifications on
 * {@value SessionStore#CHANNEL} within about a second, and a reload of the sessions revoked
 * within the revocation window whenever the subscription is (re)established and every resync
 * interval, so a node that missed notifications catches up. The subscription is a
 * {@link ListenConnection}: each attempt bounded by the connect timeout, probed every
 * {@link #PROBE_INTERVAL} ({@code RevocationFeedConnectionTest}).
 */
final class RevocationFeed {
  /** Shown in pg_stat_activity, so a DBA can tell the listening connections apart. */
  static final String APPLICATION_NAME = "gateway-session-revocations";
  private static final Logger LOG = LoggerFactory.getLogger(RevocationFeed.class);
  private static final Pattern SESSION_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final long MAX_RECONNECT_DELAY_MILLIS = 5_000;
  /**
   * How often the LISTEN connection is asked a {@code SELECT 1}: a connection cut without a FIN (a dropped NAT
   * entry, a partition, a frozen server) says nothing, and would otherwise leave this node deaf for ever.
   */
  static final Duration PROBE_INTERVAL = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final Pool pool;
  private final SessionStore store;
  private final RevocationList list;
  private final SessionSettings settings;
  private final SessionMetrics metrics;
  private final Clock clock;
  private final ListenConnection connection;
  private final AtomicBoolean connected = new AtomicBoolean();
  private long resyncTimer = -1;

  RevocationFeed(Vertx vertx, DatabaseSettings database, Pool pool, SessionStore store, RevocationList list,
      SessionSettings settings, SessionMetrics metrics, Clock clock) {
    this(vertx, database, pool, store, list, settings, metrics, clock, PROBE_INTERVAL);
  }

  RevocationFeed(Vertx vertx, DatabaseSettings database, Pool pool, SessionStore store, RevocationList list,
      SessionSettings settings, SessionMetrics metrics, Clock clock, Duration probeInterval) {
    this.vertx = vertx;
    this.pool = pool;
    this.store = store;
    this.list = list;
    this.settings = settings;
    this.metrics = metrics;
    this.clock = clock;
    this.connection = new ListenConnection(vertx, connectOptions(database), SessionStore.CHANNEL,
        database.connectTimeout(), probeInterval, RevocationFeed::reconnectDelay, new ListenConnection.Listener() {
          @Override
          public void notified(String payload) {
            onNotification(payload);
          }

          @Override
          public void listening() {
            onListening();
          }

          @Override
          public void lost() {
            connected.set(false);
            metrics.revocationFeed(false);
            LOG.warn("lost the session revocation subscription; reconnecting (revocations from other nodes "
                + "arrive by resync until then)");
          }

          @Override
          public void probeFailed(Throwable cause) {
            LOG.warn("the session revocation subscription did not answer ({}); reconnecting", cause.toString());
          }

          @Override
          public void connectionFailed(Throwable cause) {
            LOG.debug("session revocation subscription failed: {}", cause.toString());
          }
        });
  }

  /**
   * Subscribes and loads the recent revocations; fails when the database cannot be reached, or does not answer
   * within the connect timeout. Once subscribed, a lost subscription is reconnected for as long as the feed runs.
   */
  Future<Void> start() {
    resyncTimer = vertx.setPeriodic(settings.revocationResyncInterval().toMillis(), id -> resync());
    return connection.startOnce().compose(v -> resync()).mapEmpty();
  }

  Future<Void> stop() {
    if (resyncTimer >= 0) {
      vertx.cancelTimer(resyncTimer);
    }
    return connection.close();
  }

  /** Reloads the sessions revoked within the window; the count loaded. */
  Future<Integer> resync() {
    long now = clock.millis();
    long memory = settings.revocationMemory().toMillis();
    list.sweep(now);
    return store.revokedSince(pool, clock.instant().minus(settings.revocationMemory())).map(revoked -> {
      for (SessionStore.Revoked r : revoked) {
        list.add(r.sessionId().toString(), r.revokedAt().toEpochMilli() + memory);
      }
      return revoked.size();
    }).onFailure(e -> LOG.warn("could not reload revoked sessions: {}", e.toString()));
  }

  /**
   * After every successful LISTEN, the first and each after a reconnect: reloading only once LISTEN is in place
   * leaves no gap in which a revocation could slip past both.
   */
  private void onListening() {
    // Listening from now on, whether or not the reload below works (it is retried every resync interval).
    metrics.revocationFeed(true);
    resync().onSuccess(n -> {
      if (connected.compareAndSet(false, true)) {
        LOG.info("listening for session revocations on channel {} ({} recently revoked sessions loaded)", SessionStore.CHANNEL, n);
      }
    });
  }

  private void onNotification(String payload) {
    long until = clock.millis() + settings.revocationMemory().toMillis();
    for (String id : payload.split(",")) {
      if (SESSION_ID.matcher(id).matches()) {
        list.add(id, until);
      } else {
        LOG.warn("ignoring a malformed entry in a {} notification", SessionStore.CHANNEL);
      }
    }
  }

  /** Retries for as long as the gateway runs: 0.25 s, 0.5 s, 1 s, ... at most 5 s apart. */
  private static long reconnectDelay(int attempt) {
    return Math.min(MAX_RECONNECT_DELAY_MILLIS, 250L << Math.min(attempt, 5));
  }

  static PgConnectOptions connectOptions(DatabaseSettings settings) {
    return Database.connectOptions(settings).addProperty("application_name", APPLICATION_NAME);
  }
}
