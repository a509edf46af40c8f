package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.AddressKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic and capacity-driven upkeep: sweeping idle entries, reporting expired blocks, counting
 * active ones for the gauges. One pass over each map does all three, since walking a large
 * off-heap map is the expensive part.
 */
final class Housekeeping {
  /** Sweeping a full map of live entries again and again would only burn CPU. */
  static final Duration MIN_PRESSURE_SWEEP_INTERVAL = Duration.ofSeconds(30);
  /** Share of its capacity that {@link #relieveRanges} brings a full range map down to: room for new keys. */
  static final double PRESSURE_TARGET = 0.9;
  private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

  private final BlockRules rules;
  private final ThrottleStore clients;
  private final ThrottleStore ranges;
  private final BlockRegistry registry;
  private final ThrottleMetrics metrics;
  private final Listeners listeners;
  private final Clock clock;
  private final Executor sweepExecutor;
  private final AtomicBoolean sweepQueued = new AtomicBoolean();
  private final AtomicLongArray activeBlocks = new AtomicLongArray(BlockKind.values().length);
  private volatile long lastPressureSweepAt = Long.MIN_VALUE / 2;
  private volatile long lastScanAt;
  /**
   * Keys whose block was lifted since the last scan: their block ended early at the lift, which is
   * not an expiry, and the scan would otherwise take the lift time for one.
   */
  private final Set<AddressKey> liftedSinceScan = ConcurrentHashMap.newKeySet();

  Housekeeping(BlockRules rules, ThrottleStore clients, ThrottleStore ranges, BlockRegistry registry,
      ThrottleMetrics metrics, Listeners listeners, Clock clock, Executor sweepExecutor) {
    this.rules = rules;
    this.clients = clients;
    this.ranges = ranges;
    this.registry = registry;
    this.metrics = metrics;
    this.listeners = listeners;
    this.clock = clock;
    this.sweepExecutor = sweepExecutor;
    long now = clock.millis();
    this.lastScanAt = now;
    // Blocks read back from the map files at start are running now: left at zero until the first maintenance pass,
    // the gauge said none for up to 30 s after a restart while the admin list showed them.
    activeBlocks.set(BlockKind.CLIENT.ordinal(), countActive(clients, now));
    activeBlocks.set(BlockKind.RANGE.ordinal(), countActive(ranges, now));
  }

  /** Blocks in force in {@code store}; no pass over it while none of its keys can be blocked (a fresh map). */
  private static long countActive(ThrottleStore store, long now) {
    try {
      if (store.blockedAtMostUntil() <= now) {
        return 0;
      }
      long[] active = {0};
      store.forEach((key, r) -> {
        if (r.blockedUntil > now) {
          active[0]++;
        }
      });
      return active[0];
    } catch (RuntimeException e) {
      // A store that cannot be read must not stop the gateway from starting: the maintenance passes recount.
      LOG.warn("Throttle store unreadable at start; active blocks are counted by the next maintenance pass", e);
      return 0;
    }
  }

  void maintain(long now) {
    for (ManualBlock m : registry.pruneExpired(Instant.ofEpochMilli(now))) {
      metrics.blockExpired(BlockKind.MANUAL);
      listeners.lifted(m.cidr(), BlockKind.MANUAL, Origin.EXPIRY);
    }
    scan(now);
  }

  /**
   * Whether a new key may be added. Client keys stop at the degrade ratio so that the range map,
   * which still counts them in aggregate, never fills first; ranges stop at their capacity.
   * Over the line, a sweep is queued (at most every 30 s) and the answer re-read after it.
   */
  boolean mayCreate(ThrottleStore store, boolean clientMap, long now) {
    double limit = store.capacity() * (clientMap ? rules.policy().degradeFillRatio() : 1.0);
    if (store.size() < limit) {
      return true;
    }
    // A clock put back before the last sweep must not hold off the next one until it catches up again.
    long since = now - lastPressureSweepAt;
    if ((since < 0 || since >= MIN_PRESSURE_SWEEP_INTERVAL.toMillis()) && sweepQueued.compareAndSet(false, true)) {
      lastPressureSweepAt = now;
      sweepExecutor.execute(() -> {
        try {
          long at = clock.millis();
          scan(at);
          relieveRanges(at);
        } finally {
          sweepQueued.set(false);
        }
      });
    }
    return store.size() < limit;
  }

  /**
   * Whether a success may add a new range key: only below {@link #PRESSURE_TARGET} of the range map's capacity. A
   * range with success headroom is never dropped under pressure (nor swept for {@code success-memory}), so
   * successes free to take the map's last places (one account signing in from as many ranges as the map holds, an
   * IPv6 block gives them) would leave it full of such ranges for a day and the failures of every new range
   * uncounted. Above the line a success still refreshes a range already kept, and failures take the rest.
   */
  boolean mayCreateRangeForSuccess(long now) {
    return ranges.size() < ranges.capacity() * PRESSURE_TARGET && mayCreate(ranges, false, now);
  }

  /**
   * When sweeping idle entries left the range map full (a flood from more ranges than it holds, within the
   * last two windows), drops the ranges that hold least, down to {@link #PRESSURE_TARGET} of its capacity: no
   * block, no escalation level, no success headroom, no recently blocked client and under half a limit of
   * failures. A full client map degrades to counting by range; a full range map as well would leave every new
   * address in a new range uncounted, free to guess without limit. This way a flooding range loses at most
   * half a limit of counting per sweep, while blocks and real users' headroom are never dropped.
   */
  private void relieveRanges(long now) {
    long excess = ranges.size() - (long) (ranges.capacity() * PRESSURE_TARGET);
    if (ranges.size() < ranges.capacity() || excess <= 0) {
      return;
    }
    long[] dropped = {0};
    ranges.removeIf((key, r) -> dropped[0] < excess && rules.isExpendableRange(r, now) && ++dropped[0] > 0);
    LOG.warn("Throttle range map is full of ranges seen in the last {} min; dropped {} with less than half a "
        + "limit of failures so that new ranges are counted", 2 * rules.policy().window().toMinutes(), dropped[0]);
  }

  /**
   * A client or range block started or ended between scans. Counted at once so the gauge moves
   * with an attack rather than up to a maintenance interval later; the next scan recounts anyway,
   * which also catches expiries.
   */
  void blockStarted(BlockKind kind) {
    if (kind != BlockKind.MANUAL) {
      activeBlocks.incrementAndGet(kind.ordinal());
    }
  }

  void blockEnded(BlockKind kind) {
    if (kind != BlockKind.MANUAL) {
      activeBlocks.updateAndGet(kind.ordinal(), n -> Math.max(0, n - 1));
    }
  }

  /** The automatic block of {@code key} was lifted before its end: reported by the lift, not by a scan. */
  void blockLifted(BlockKind kind, AddressKey key) {
    liftedSinceScan.add(key);
    blockEnded(kind);
  }

  long activeBlocks(BlockKind kind, long now) {
    if (kind == BlockKind.MANUAL) {
      return registry.manualBlocks().stream().filter(m -> m.until().toEpochMilli() > now).count();
    }
    return activeBlocks.get(kind.ordinal());
  }

  private synchronized void scan(long now) {
    long since = lastScanAt;
    // Lifts made while this scan runs stay for the next one, whose window they fall into.
    List<AddressKey> lifted = List.copyOf(liftedSinceScan);
    Set<AddressKey> skip = Set.copyOf(lifted);
    activeBlocks.set(BlockKind.CLIENT.ordinal(), scanStore(clients, BlockKind.CLIENT, since, now, skip));
    activeBlocks.set(BlockKind.RANGE.ordinal(), scanStore(ranges, BlockKind.RANGE, since, now, skip));
    lifted.forEach(liftedSinceScan::remove);
    lastScanAt = now;
  }

  private long scanStore(ThrottleStore store, BlockKind kind, long since, long now, Set<AddressKey> lifted) {
    long[] active = {0};
    List<AddressKey> startingAhead = new ArrayList<>();
    store.removeIf((key, r) -> {
      if (rules.blockStartsAhead(r, now) || rules.successAhead(r, now)) {
        startingAhead.add(key);
      }
      if (r.blockedUntil > now) {
        active[0]++;
      } else if (r.blockedUntil > since && !lifted.contains(key)) {
        metrics.blockExpired(kind);
        listeners.lifted(key.toCidr(), kind, Origin.EXPIRY);
      }
      return rules.isIdle(r, now);
    });
    // Blocks issued (and successes recorded) by a clock that ran ahead, on keys no request has touched since it was
    // put back: the admin list and the escalation memory read the end, and the limits and the sweep the success, so
    // they are moved here too (the check does it for a block it reads, the key's next failure for both).
    for (AddressKey key : startingAhead) {
      store.update(key, false, (r, existed) -> rules.reanchorBlock(r, now) | rules.reanchorSuccess(r, now));
    }
    return active[0];
  }
}
