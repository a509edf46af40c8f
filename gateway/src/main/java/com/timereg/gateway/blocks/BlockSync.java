package com.timereg.gateway.blocks;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.store.Database;
import com.timereg.gateway.throttle.AllowEntry;
import com.timereg.gateway.throttle.BlockEntry;
import com.timereg.gateway.throttle.BlockKind;
import com.timereg.gateway.throttle.BlockReason;
import com.timereg.gateway.throttle.ThrottleService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares one node's block decisions and the security staff's edits with every other node through
 * PostgreSQL: the tables are the record, {@code NOTIFY gateway_blocks} the nudge. See docs/blocks.md.
 *
 * <ul>
 *   <li>Automatic blocks this node's throttle issues are written asynchronously
 *       ({@link AutomaticBlockWriter}); a failure is logged and counted, never thrown into the
 *       request path, and the write is retried once PostgreSQL answers again.
 *   <li>Edits ({@link #block}, {@link #unblock}, {@link #allow}, {@link #disallow}) commit the row,
 *       its audit event and the notification in one transaction, then apply on this node; they
 *       fail with a {@link BlockRequestException} (400, 404, 409 or 503) and change nothing.
 *   <li>Notifications from other nodes are applied here. Of this node's own, automatic blocks are skipped (applied
 *       before they were written); a staff edit is applied at its answer or its notification, whichever comes
 *       first, and again at its notification if something heard meanwhile may have undone it ({@link LocalState}).
 *   <li>At start and after every reconnect of the LISTEN connection the whole state is reloaded.
 * </ul>
 *
 * <p>Lift blocks through {@link #unblock}, not {@code ThrottleService.liftBlock}: a lift made
 * directly on the throttle stays on this node and is undone by nothing but expiry elsewhere.
 */
public final class BlockSync {
  private static final Logger LOG = LoggerFactory.getLogger(BlockSync.class);

  private final Vertx vertx;
  private final ThrottleService throttle;
  private final BlockSyncSettings settings;
  private final Clock clock;
  private final BlockSyncMetrics metrics;
  private final NodeId node;
  private final EditRules rules;
  private final BlockTables tables;
  private final BlockQueries queries;
  private final LocalState state;
  private final ChangeFeed feed;
  private final Promise<Void> firstLoad = Promise.promise();
  private final AutomaticBlockWriter writer;
  private final AtomicBoolean started = new AtomicBoolean();
  /** Staff edits' ids: this start's random prefix, then a count, so no other start's notification matches one. */
  private final String editPrefix = Long.toHexString(new SecureRandom().nextLong());
  private final AtomicLong edits = new AtomicLong();
  private volatile boolean loaded;
  private volatile boolean closed;

  public BlockSync(Vertx vertx, Database database, ThrottleService throttle, BlockSyncSettings settings, Clock clock,
      BlockSyncMetrics metrics) {
    this.vertx = vertx;
    this.throttle = throttle;
    this.settings = settings.requireValid();
    this.clock = clock;
    this.metrics = metrics;
    this.node = settings.nodeId() != null ? settings.nodeId() : NodeId.random();
    this.rules = new EditRules(settings);
    this.tables = new BlockTables(database.pool(), node, throttle.clientKeys());
    this.queries = new BlockQueries(database.pool(), clock);
    this.writer = new AutomaticBlockWriter(tables, metrics, this::now, settings.maxPendingWrites());
    this.state = new LocalState(throttle, settings.configuredAllowlist(), now());
    this.feed = new ChangeFeed(vertx, Database.connectOptions(database.settings()),
        database.settings().connectTimeout(), node, settings, metrics,
        this::onNotification, () -> reload(0), () -> loaded = false);
    metrics.bind(this::synced);
  }

  /**
   * Starts listening, then loads the tables; completes once this node holds the shared state.
   * While PostgreSQL is unreachable it keeps retrying and the future stays pending: this node's
   * own decisions work meanwhile, edits fail with 503. Calling it again returns the same future.
   */
  public Future<Void> start() {
    if (started.compareAndSet(false, true)) {
      throttle.addListener(writer);
      feed.start();
    }
    return firstLoad.future();
  }

  /** Stops listening (a pending {@link #start()} fails). Writes already under way finish on their own. */
  public Future<Void> close() {
    closed = true;
    loaded = false;
    firstLoad.tryFail("block sync closed before the shared state was loaded");
    writer.close();
    return feed.close();
  }

  /** Whether this node is listening and has loaded the tables since it last (re)connected: for readiness. */
  public boolean synced() {
    return loaded && feed.listening() && !closed;
  }

  public NodeId nodeId() {
    return node;
  }

  /** Listings and history for the admin console. */
  public BlockQueries queries() {
    return queries;
  }

  // ---- edits by security staff

  /** Blocks an address or range on every node for {@code duration}; replaces a manual block of the same range. */
  public Future<BlockRecord> block(String target, Duration duration, String reason, String actor) {
    BlockEntry entry;
    Instant now = now();
    try {
      Cidr cidr = rules.rangeToEdit(target);
      Duration d = rules.duration(duration);
      String note = EditRules.note(reason, "reason");
      String who = EditRules.actor(actor);
      entry = new BlockEntry(cidr, BlockKind.MANUAL, BlockReason.MANUAL, note, who, now, now.plus(d), 0, 0, null, null);
    } catch (BlockRequestException e) {
      return rejected("block", e);
    }
    String id = nextEdit();
    return edit("block", tables.insertManual(entry, entry.createdBy(), now, id))
        .map(record -> {
          state.applyAnswered(id, new Change.Blocked(entry));
          return record;
        });
  }

  /**
   * Lifts on every node the blocks inside {@code target} (an address or range), and for a single
   * address also its client block (an IPv6 address's /64). A range block containing the address
   * stays: name the range to lift it.
   */
  public Future<UnblockResult> unblock(String target, String reason, String actor) {
    Cidr cidr;
    String note;
    String who;
    try {
      cidr = rules.unblockTarget(target);
      note = EditRules.note(reason, "reason");
      who = EditRules.actor(actor);
    } catch (BlockRequestException e) {
      return rejected("unblock", e);
    }
    String id = nextEdit();
    return edit("unblock", tables.lift(cidr, note, who, now(), id))
        .map(lifted -> {
          List<Cidr> cidrs = lifted.stream().map(BlockRecord::cidr).distinct().toList();
          state.applyAnswered(id, new Change.Unblocked(cidr, cidrs));
          return new UnblockResult(cidr, lifted);
        });
  }

  /** Allowlists an address or range on every node: never blocked, failures not counted towards blocks. */
  public Future<AllowEntry> allow(String target, String note, String actor) {
    AllowEntry entry;
    try {
      entry = new AllowEntry(rules.rangeToEdit(target), EditRules.note(note, "note"), EditRules.actor(actor), now());
    } catch (BlockRequestException e) {
      return rejected("allow-add", e);
    }
    String id = nextEdit();
    return edit("allow-add", tables.addAllow(entry, id))
        .map(added -> {
          state.applyAnswered(id, new Change.Allowed(added));
          return added;
        });
  }

  /** Removes exactly this range from the allowlist on every node, answering it as read; 404 if it is not on it. */
  public Future<Cidr> disallow(String target, String note, String actor) {
    Cidr cidr;
    try {
      cidr = rules.unblockTarget(target);
      String why = EditRules.note(note, "note");
      String who = EditRules.actor(actor);
      String id = nextEdit();
      Future<Void> removed = tables.removeAllow(cidr, why, who, now(), id).recover(e -> {
        if (e instanceof BlockRequestException b && b.failure() == RequestFailure.NOT_FOUND
            && settings.configuredAllowlist().contains(cidr)) {
          return Future.failedFuture(new BlockRequestException(RequestFailure.NOT_FOUND, cidr
              + " is allowlisted by the gateway's configuration, not through the console; remove it there"));
        }
        return Future.failedFuture(e);
      });
      return edit("allow-remove", removed)
          .map(v -> {
            state.applyAnswered(id, new Change.Disallowed(cidr));
            return cidr;
          });
    } catch (BlockRequestException e) {
      return rejected("allow-remove", e);
    }
  }

  // ---- propagation

  private void onNotification(String payload) {
    ChangeCodec.Notification n;
    try {
      n = ChangeCodec.decode(payload);
    } catch (RuntimeException e) {
      // Something changed and this node cannot tell what; the tables can. Without a reload it would stay wrong
      // until its listener next reconnects.
      metrics.notification("invalid");
      LOG.warn("Could not read a block notification ({}); reloading the shared block state", e.getMessage());
      reload(0);
      return;
    }
    if (n.node().equals(node.value())) {
      metrics.notification("own");
      // An automatic block (no edit id) was applied before it was written. A staff edit takes its place in commit
      // order here, after every change committed before it, whose notification may have come after its answer.
      if (n.edit() != null) {
        try {
          state.applyHeard(n.edit(), n.change());
        } catch (RuntimeException e) {
          LOG.warn("Could not apply this node's own block notification ({}); reloading the shared block state",
              e.getMessage());
          reload(0);
        }
      }
      return;
    }
    if (n.change() instanceof Change.Resync) {
      metrics.notification("resync");
      reload(0);
      return;
    }
    try {
      state.applyRemote(n.change());
      metrics.notification("applied");
    } catch (RuntimeException e) {
      metrics.notification("invalid");
      LOG.warn("Could not apply a block notification from node {} ({}); reloading the shared block state", n.node(),
          e.getMessage());
      reload(0);
    }
  }

  private void reload(int attempt) {
    if (closed) {
      return;
    }
    long generation = state.beginReload();
    tables.snapshot(now(), writer.oldestUnwritten()).onComplete(ar -> {
      if (ar.succeeded()) {
        if (state.finishReload(generation, ar.result())) {
          // Before the retry below, which would write them.
          writer.dropUnblocked(ar.result().unblocks()).forEach(state::liftUnwritten);
          loaded = true;
          metrics.reload(true);
          LOG.info("Node {} loaded the shared block state: {} active blocks, {} allowlist entries", node,
              ar.result().active().size(), ar.result().allowlist().size());
          firstLoad.tryComplete();
          writer.retryUnwritten();
        }
        return;
      }
      state.abandonReload(generation);
      metrics.reload(false);
      long delay = settings.reconnectDelayMillis(attempt);
      LOG.warn("Could not load the shared block state ({}); retrying in {} ms", ar.cause().toString(), delay);
      if (!closed && feed.listening()) {
        vertx.setTimer(delay, t -> reload(attempt + 1));
      }
    });
  }

  private <T> Future<T> edit(String action, Future<T> write) {
    return write.transform(ar -> {
      if (ar.succeeded()) {
        metrics.written(action);
        return Future.succeededFuture(ar.result());
      }
      Throwable e = ar.cause();
      if (e instanceof BlockRequestException b) {
        return rejected(action, b);
      }
      if (e instanceof PgException pg && "23505".equals(pg.getSqlState())) {
        return rejected(action, new BlockRequestException(RequestFailure.CONFLICT,
            "another administrator changed the same entry at the same moment; look again and retry"));
      }
      LOG.warn("Could not {} on the shared block list: {}", action, e.toString());
      return rejected(action, new BlockRequestException(RequestFailure.UNAVAILABLE,
          "the shared block list is unavailable; the change was probably not saved, look again and retry shortly"));
    });
  }

  private String nextEdit() {
    return editPrefix + "-" + edits.incrementAndGet();
  }

  private <T> Future<T> rejected(String action, BlockRequestException e) {
    metrics.writeFailed(action, e.failure().metricTag());
    return Future.failedFuture(e);
  }

  /** Milliseconds, as the throttle keeps them: a copy reloaded from the table then equals the original. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
