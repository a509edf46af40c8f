package com.timereg.gateway.session;

import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.DatabaseSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgChannel;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds this node's {@link RevocationList} with the revocations of every node: notifications on
 * {@value SessionStore#CHANNEL} within about a second, and a reload of the sessions revoked
 * within the revocation window whenever the subscription is (re)established and every resync
 * interval, so a node that missed notifications catches up.
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
  /** A healthy server answers SELECT 1 in milliseconds; a probe this late means a dead link. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final Pool pool;
  private final SessionStore store;
  private final RevocationList list;
  private final SessionSettings settings;
  private final SessionMetrics metrics;
  private final Clock clock;
  private final PgSubscriber subscriber;
  private final AtomicBoolean connected = new AtomicBoolean();
  private final Duration probeInterval;
  private long resyncTimer = -1;
  private long probeTimer = -1;
  private volatile boolean probing;

  RevocationFeed(Vertx vertx, DatabaseSettings database, Pool pool, SessionStore store, RevocationList list,
      SessionSettings settings, SessionMetrics metrics, Clock clock) {
    this(vertx, database, pool, store, list, settings, metrics, clock, PROBE_INTERVAL);
  }

  RevocationFeed(Vertx vertx, DatabaseSettings database, Pool pool, SessionStore store, RevocationList list,
      SessionSettings settings, SessionMetrics metrics, Clock clock, Duration probeInterval) {
    this.probeInterval = probeInterval;
    this.vertx = vertx;
    this.pool = pool;
    this.store = store;
    this.list = list;
    this.settings = settings;
    this.metrics = metrics;
    this.clock = clock;
    this.subscriber = PgSubscriber.subscriber(vertx, connectOptions(database)).reconnectPolicy(this::reconnectDelay);
  }

  /** Subscribes and loads the recent revocations; fails when the database cannot be reached. */
  Future<Void> start() {
    PgChannel channel = subscriber.channel(SessionStore.CHANNEL);
    // Called after every successful LISTEN, the first and each after a reconnect: reloading only
    // once LISTEN is in place leaves no gap in which a revocation could slip past both.
    channel.subscribeHandler(v -> {
      PgConnection conn = subscriber.actualConnection();
      if (conn != null) {
        // Without a handler the client prints the dropped connection's exception to stderr, past
        // the log's format; the loss is logged by the reconnect policy already.
        conn.exceptionHandler(e -> LOG.debug("session revocation subscription failed: {}", e.toString()));
      }
      // Listening from now on, whether or not the reload below works (it is retried every resync interval).
      metrics.revocationFeed(true);
      resync().onSuccess(n -> {
        if (connected.compareAndSet(false, true)) {
          LOG.info("listening for session revocations on channel {} ({} recently revoked sessions loaded)", SessionStore.CHANNEL, n);
        }
      });
    });
    channel.handler(this::onNotification);
    resyncTimer = vertx.setPeriodic(settings.revocationResyncInterval().toMillis(), id -> resync());
    probeTimer = vertx.setPeriodic(probeInterval.toMillis(), id -> probe());
    return subscriber.connect().compose(v -> resync()).mapEmpty();
  }

  Future<Void> stop() {
    if (resyncTimer >= 0) {
      vertx.cancelTimer(resyncTimer);
    }
    if (probeTimer >= 0) {
      vertx.cancelTimer(probeTimer);
    }
    return subscriber.close();
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

  /** Closes a LISTEN connection that does not answer, so the subscriber reconnects (and reloads). */
  private void probe() {
    PgConnection conn = subscriber.actualConnection();
    if (conn == null || subscriber.closed() || probing) {
      return;
    }
    probing = true;
    conn.query("SELECT 1").execute()
        .timeout(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .onComplete(ar -> probing = false)
        .onFailure(e -> {
          LOG.warn("the session revocation subscription did not answer ({}); reconnecting", e.toString());
          conn.close();
        });
  }

  /** Retries for as long as the gateway runs: 0.25 s, 0.5 s, 1 s, ... at most 5 s apart. */
  private Long reconnectDelay(Integer attempt) {
    if (attempt == 0) {
      connected.set(false);
      metrics.revocationFeed(false);
      LOG.warn("lost the session revocation subscription; reconnecting (revocations from other nodes "
          + "arrive by resync until then)");
    }
    return Math.min(MAX_RECONNECT_DELAY_MILLIS, 250L << Math.min(attempt, 5));
  }

  static PgConnectOptions connectOptions(DatabaseSettings settings) {
    return Database.connectOptions(settings).addProperty("application_name", APPLICATION_NAME);
  }
}
