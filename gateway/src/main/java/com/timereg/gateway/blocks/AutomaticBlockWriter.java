package com.timereg.gateway.blocks;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.throttle.BlockEntry;
import com.timereg.gateway.throttle.BlockKind;
import com.timereg.gateway.throttle.Origin;
import com.timereg.gateway.throttle.ThrottleListener;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the automatic blocks this node's throttle issues. It hears of them on the request path,
 * so it only starts the write and returns; a failure is logged and counted, never thrown.
 *
 * <p>Blocks whose write failed (PostgreSQL down) are kept, up to {@code maxPendingWrites}, and
 * written again after the next successful reload, if they have not expired by then: other nodes
 * then learn of them once the database is back.
 */
final class AutomaticBlockWriter implements ThrottleListener {
  private static final Logger LOG = LoggerFactory.getLogger(AutomaticBlockWriter.class);
  private static final String ACTION = "block-issued-automatic";
  private static final long ERROR_LOG_INTERVAL_MILLIS = 60_000;

  private final BlockTables tables;
  private final BlockSyncMetrics metrics;
  private final Supplier<Instant> clock;
  private final int maxPending;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Queue<BlockEntry> unwritten = new ConcurrentLinkedQueue<>();
  private final AtomicInteger unwrittenCount = new AtomicInteger();
  /** Writes under way, each with whether its block was lifted here before the write completed. */
  private final Map<BlockEntry, AtomicBoolean> writing = new ConcurrentHashMap<>();
  private final AtomicLong lastErrorLogAt = new AtomicLong(Long.MIN_VALUE / 2);
  private volatile boolean closed;

  AutomaticBlockWriter(BlockTables tables, BlockSyncMetrics metrics, Supplier<Instant> clock, int maxPending) {
    this.tables = tables;
    this.metrics = metrics;
    this.clock = clock;
    this.maxPending = maxPending;
  }

  @Override
  public void blockIssued(BlockEntry block, Origin origin) {
    // Manual blocks are written by the edit that made them; remote ones by the node that decided.
    if (!closed && origin == Origin.LOCAL && block.kind().isAutomatic()) {
      write(block);
    }
  }

  /**
   * A block lifted here, by an unblock on this node or one heard from another, must not be
   * written later by {@link #retryUnwritten}: its row would block the address again on every
   * other node while this one stays lifted. An unblock lifts the target on every node precisely
   * for blocks whose row could not be written (docs/blocks.md).
   *
   * <p>Likewise a block lifted while its write is under way: an unblock committed before the row
   * did not see it, so the row is lifted right after it is written.
   */
  @Override
  public void blockLifted(Cidr subject, BlockKind kind, Origin origin) {
    if (origin != Origin.EXPIRY && kind.isAutomatic()) {
      writing.forEach((b, lifted) -> {
        if (b.subject().equals(subject) && b.kind() == kind) {
          lifted.set(true);
        }
      });
      for (BlockEntry b : unwritten) {
        // remove() tells whether this call took it, not a concurrent retry's poll(): count it once.
        if (b.subject().equals(subject) && b.kind() == kind && unwritten.remove(b)) {
          unwrittenCount.decrementAndGet();
        }
      }
    }
  }

  /** When the oldest block waiting for a retry was issued; null when none waits. */
  Instant oldestUnwritten() {
    Instant oldest = null;
    for (BlockEntry b : unwritten) {
      if (oldest == null || b.since().isBefore(oldest)) {
        oldest = b.since();
      }
    }
    return oldest;
  }

  /**
   * Gives up the waiting blocks an unblock committed after them concerns (one this node did not hear, being deaf:
   * the reason their row could not be written is often the reason it heard nothing), as the unblock would have
   * lifted them here had this node heard it; returns them, for the caller to lift. Written later, such a block
   * would block the address again on every node, after staff had lifted it.
   */
  List<BlockEntry> dropUnblocked(List<Snapshot.Unblock> unblocks) {
    List<BlockEntry> dropped = new ArrayList<>();
    for (BlockEntry b : unwritten) {
      boolean lifted = unblocks.stream().anyMatch(u -> !u.at().isBefore(b.since()) && concerns(u.target(), b));
      if (lifted && unwritten.remove(b)) {
        unwrittenCount.decrementAndGet();
        dropped.add(b);
      }
    }
    return dropped;
  }

  /** As the unblock's UPDATE: blocks inside the target, and a client block containing it. */
  private static boolean concerns(Cidr target, BlockEntry b) {
    Cidr s = b.subject();
    if (s.isIpv4() != target.isIpv4()) {
      return false;
    }
    boolean inside = s.prefixLength() >= target.prefixLength() && target.contains(s.network());
    boolean around = b.kind() == BlockKind.CLIENT && s.prefixLength() <= target.prefixLength()
        && s.contains(target.network());
    return inside || around;
  }

  /** Writes again what failed before and has not expired; called once PostgreSQL answers again. */
  void retryUnwritten() {
    Instant now = clock.get();
    BlockEntry b;
    while (!closed && (b = unwritten.poll()) != null) {
      unwrittenCount.decrementAndGet();
      if (b.until().isAfter(now)) {
        write(b);
      }
    }
  }

  void close() {
    closed = true;
  }

  private void write(BlockEntry block) {
    if (inFlight.incrementAndGet() > maxPending) {
      inFlight.decrementAndGet();
      failed("backlog-full", block, null);
      return;
    }
    AtomicBoolean liftedMeanwhile = new AtomicBoolean();
    writing.put(block, liftedMeanwhile);
    Future<Long> write;
    try {
      write = tables.insertAutomatic(block, clock.get());
    } catch (RuntimeException e) {
      write = Future.failedFuture(e);
    }
    write.onComplete(ar -> {
      inFlight.decrementAndGet();
      writing.remove(block, liftedMeanwhile);
      if (ar.succeeded()) {
        metrics.written(ACTION);
        if (liftedMeanwhile.get()) {
          liftWritten(ar.result(), block);
        }
      } else {
        failed("store-error", block, ar.cause());
        keepForRetry(block);
      }
    });
  }

  private void liftWritten(long id, BlockEntry block) {
    tables.liftWritten(id, block, clock.get()).onFailure(e -> LOG.error("Could not lift the automatic "
        + "block of {}, unblocked while its row was being written ({}); other nodes keep it until it expires",
        block.subject(), e.toString()));
  }

  private void keepForRetry(BlockEntry block) {
    if (unwrittenCount.incrementAndGet() <= maxPending) {
      unwritten.add(block);
    } else {
      unwrittenCount.decrementAndGet();
    }
  }

  private void failed(String reason, BlockEntry block, Throwable cause) {
    metrics.writeFailed(ACTION, reason);
    long now = System.nanoTime() / 1_000_000;
    long last = lastErrorLogAt.get();
    // During an outage under attack every block fails; one line a minute says enough.
    if (now - last >= ERROR_LOG_INTERVAL_MILLIS && lastErrorLogAt.compareAndSet(last, now)) {
      LOG.error("Could not record the automatic block of {} ({}{}); it holds on this node, and other nodes "
          + "hear of it only once it is written", block.subject(), reason, cause == null ? "" : ": " + cause);
    }
  }

  @Override
  public String toString() {
    return "AutomaticBlockWriter";
  }
}
