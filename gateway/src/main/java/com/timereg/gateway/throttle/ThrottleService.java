package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.AddressKey;
import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.clientip.ClientKeys;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brute-force protection: decides whether a client may try to log in, counts invalid logins per
 * client and range, issues escalating blocks, slows down attacked login names, and answers the
 * admin API. Blocking is by address only, never by login name: a name lockout would let anyone
 * lock a victim out.
 *
 * <p>No method throws on the request path ({@link #check}, {@link #recordFailure},
 * {@link #recordSuccess}, {@link #accountDelay}): a failing store is counted as
 * {@code degraded{reason=store-error}} and the request proceeds unthrottled, because a broken
 * counter must not lock every customer out; passwords are still verified.
 */
public final class ThrottleService implements ThrottleStatus {
  private static final Logger LOG = LoggerFactory.getLogger(ThrottleService.class);

  private final BlockRules rules;
  private final ClientKeys keys;
  private final ThrottleStore clients;
  private final ThrottleStore ranges;
  private final BlockRegistry registry;
  private final Clock clock;
  private final ThrottleMetrics metrics;
  private final SurgeDetector surge;
  private final AccountDelays accounts;
  private final SuccessfulPeople people;
  private final BlockViews views;
  private final Listeners listeners = new Listeners();
  private final Housekeeping housekeeping;
  private volatile long lastErrorLogAt = Long.MIN_VALUE / 2;
  /**
   * When each map's full line was last written: one limit for both let the client map's line, written first on
   * every request of a spray, hide the range map's for as long as the spray lasted.
   */
  private volatile long lastClientFullLogAt = Long.MIN_VALUE / 2;
  private volatile long lastRangeFullLogAt = Long.MIN_VALUE / 2;
  /** Blocks from other nodes may fill a map past its configured entries by this share of them (a quarter). */
  private static final int BLOCK_RESERVE_DIVISOR = 4;
  /** Password verifications in flight on this node, by client key (see {@link #admitVerification}). */
  private final java.util.concurrent.ConcurrentHashMap<AddressKey, Integer> verifying =
      new java.util.concurrent.ConcurrentHashMap<>();
  /** The same by range key: addresses of one range guessing together must not pass the range's limit either. */
  private final java.util.concurrent.ConcurrentHashMap<AddressKey, Integer> verifyingInRange =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param sweepExecutor runs a sweep when a map nears capacity (a worker pool in production)
   */
  public ThrottleService(ThrottlePolicy policy, ClientKeys keys, ThrottleStore clients, ThrottleStore ranges,
      BlockRegistry registry, Clock clock, ThrottleMetrics metrics, Executor sweepExecutor) {
    this.rules = new BlockRules(policy.requireValid());
    this.keys = keys;
    this.clients = clients;
    this.ranges = ranges;
    this.registry = registry;
    this.clock = clock;
    this.metrics = metrics;
    this.surge = new SurgeDetector(policy, metrics);
    this.accounts = new AccountDelays(policy);
    this.people = new SuccessfulPeople(policy);
    this.views = new BlockViews(rules, keys, clients, ranges, registry, people);
    this.housekeeping = new Housekeeping(rules, clients, ranges, registry, metrics, listeners, clock, sweepExecutor);
    metrics.bind(this);
  }

  public void addListener(ThrottleListener listener) {
    listeners.add(listener);
  }

  /** The prefix lengths that make a client and a range key on this node. */
  public ClientKeys clientKeys() {
    return keys;
  }

  public BlockRegistry registry() {
    return registry;
  }

  // ---- request path

  /** Whether a request from {@code client} may proceed; fast, and never throws. */
  public Decision check(InetAddress client) {
    try {
      long now = clock.millis();
      if (registry.allowFor(client) != null) {
        return Decision.ALLOWED;
      }
      Decision d = Decision.ALLOWED;
      ManualBlock manual = registry.manualBlockFor(client, now);
      if (manual != null) {
        d = Decision.blocked(BlockKind.MANUAL, manual.cidr(), BlockReason.MANUAL, manual.until().toEpochMilli(), now);
      }
      // A store in which no key can be blocked now (most of the time) is not read, nor its key made.
      if (clients.blockedAtMostUntil() > now) {
        d = longer(d, BlockKind.CLIENT, clients, keys.clientKey(client), now);
      }
      if (ranges.blockedAtMostUntil() > now) {
        d = longer(d, BlockKind.RANGE, ranges, keys.rangeKey(client), now);
      }
      return d;
    } catch (RuntimeException e) {
      storeError("check", e);
      return Decision.ALLOWED;
    }
  }

  /**
   * Whether one password verification for {@code client} may start now. The block check at a request's entry
   * cannot see the guesses sent together with it (they are all still being verified, none counted yet), so
   * the verifications a client has in flight on this node count towards its limit like failures: a client
   * whose counted failures plus verifications in flight reach its limit waits until those end, by which
   * time it is blocked or has room again; the same holds for its range against the range's limit. Every
   * admitted verification must end with {@link #verificationEnded} once its outcome is recorded. Never throws:
   * a failing store admits.
   */
  public Admission admitVerification(InetAddress client) {
    try {
      Decision d = check(client);
      if (!d.allowed()) {
        return new Admission(false, d, false);
      }
      if (registry.allowFor(client) != null) {
        return Admission.UNCOUNTED;
      }
      long now = clock.millis();
      AddressKey key = keys.clientKey(client);
      AddressKey rangeKey = keys.rangeKey(client);
      boolean surgeActive = surge.isActive(now);
      boolean[] admitted = {false};
      // The failures are read under the key's lock in the map of verifications in flight: a verification records
      // its failure and only then ends (verificationEnded, the same lock), so each is counted as one or the
      // other here, never as neither (read outside, a verification ending on another event loop in between let
      // one guess too many through).
      // A block found here, under the lock, refuses: the block check above ran before it, and the failure that
      // blocked (recorded on another event loop in between) also reset the counts the block is the penalty for,
      // so they alone would have let this guess through as one more.
      verifying.compute(key, (k, n) -> {
        RateRecord r = clients.get(key);
        double counted = r == null ? 0 : rules.failureEstimate(r, now);
        int limit = rules.clientFailureLimit(r, now, surgeActive, people.people(key, now));
        int inFlight = n == null ? 0 : n;
        if ((r == null || !r.isBlocked(now)) && counted + inFlight < limit
            && admitInRange(rangeKey, now, surgeActive)) {
          admitted[0] = true;
          return inFlight + 1;
        }
        return n;
      });
      if (admitted[0]) {
        return Admission.ADMITTED;
      }
      Decision again = check(client);
      return again.allowed() ? Admission.WAIT : new Admission(false, again, false);
    } catch (RuntimeException e) {
      storeError("admitVerification", e);
      return Admission.UNCOUNTED;
    }
  }

  /**
   * Takes a place among the range's verifications in flight if its counted failures leave room: otherwise the
   * addresses of one range, each within its own limit, could send together many times the range's limit of
   * guesses before the first of them is counted. Called under the client key's lock (always client, then range).
   */
  private boolean admitInRange(AddressKey rangeKey, long now, boolean surgeActive) {
    boolean[] admitted = {false};
    verifyingInRange.compute(rangeKey, (k, n) -> {
      RateRecord r = ranges.get(rangeKey);
      double counted = r == null ? 0 : rules.failureEstimate(r, now);
      int inFlight = n == null ? 0 : n;
      if ((r == null || !r.isBlocked(now)) && counted + inFlight
          < rules.rangeFailureLimit(r, now, surgeActive, people.people(rangeKey, now))) {
        admitted[0] = true;
        return inFlight + 1;
      }
      return n;
    });
    return admitted[0];
  }

  /**
   * Ends a verification that {@link #admitVerification} admitted with {@code admission}, after its failure or
   * success was recorded. Gives back the places the admission took, if any: an allowlisted address takes none,
   * and whether it is allowlisted may have changed since (staff editing the allowlist), so that is not asked again.
   */
  public void verificationEnded(InetAddress client, Admission admission) {
    if (admission.counted()) {
      verificationEnded(client);
    }
  }

  /** Ends a verification that took its places among those in flight ({@link Admission#counted}). */
  public void verificationEnded(InetAddress client) {
    try {
      verifying.computeIfPresent(keys.clientKey(client), (k, n) -> n <= 1 ? null : n - 1);
      verifyingInRange.computeIfPresent(keys.rangeKey(client), (k, n) -> n <= 1 ? null : n - 1);
    } catch (RuntimeException e) {
      storeError("verificationEnded", e);
    }
  }

  /**
   * The answer of {@link #admitVerification}: go on, wait for the client's verifications in flight, or
   * refused by a block.
   *
   * @param admitted the verification may start
   * @param blocked the block that refuses it, or null
   * @param counted the verification took a place among the address's and its range's in flight (not for an
   *     allowlisted address, nor when the store failed), which {@link #verificationEnded} gives back
   */
  public record Admission(boolean admitted, Decision blocked, boolean counted) {
    static final Admission ADMITTED = new Admission(true, null, true);
    static final Admission UNCOUNTED = new Admission(true, null, false);
    static final Admission WAIT = new Admission(false, null, false);

    /** Neither admitted nor blocked: the client's verifications in flight already take up its limit. */
    public boolean mustWait() {
      return !admitted && blocked == null;
    }
  }

  private Decision longer(Decision d, BlockKind kind, ThrottleStore store, AddressKey key, long now) {
    long until = store.blockedUntil(key);
    if (until <= now || until <= d.untilMillis()) {
      return d;
    }
    RateRecord r = store.get(key);
    if (r != null && rules.blockStartsAhead(r, now)) {
      // Issued by a clock that ran ahead and was put back: it lasts its own length from now, not until then.
      RateRecord moved = store.update(key, false, (rec, existed) -> {
        rules.reanchorBlock(rec, now);
        return rec.copy();
      });
      if (moved != null) {
        r = moved;
        until = moved.blockedUntil;
        if (until <= now || until <= d.untilMillis()) {
          return d;
        }
      }
    }
    BlockReason reason = r == null ? BlockReason.NONE : r.blockReason();
    return Decision.blocked(kind, key.toCidr(), reason, until, now);
  }

  /**
   * Counts an invalid login. Returns the blocks it issued (to persist and propagate) and the delay
   * the login flow should apply before this name's next verification. Never throws.
   *
   * @param loginName the name as typed, or null when none could be read
   */
  public FailureResult recordFailure(InetAddress client, String loginName, FailureKind kind) {
    Duration delay = Duration.ZERO;
    try {
      long now = clock.millis();
      metrics.invalidLogin(kind);
      boolean surgeActive = surge.recordFailure(now);
      if (loginName != null) {
        delay = accounts.recordFailure(loginName, now);
      }
      if (registry.allowFor(client) != null) {
        return new FailureResult(List.of(), delay);
      }
      List<BlockEntry> issued = new ArrayList<>(2);
      AddressKey clientKey = keys.clientKey(client);
      // Read before the store's update, so that the key's lock is not held while the sketch is read.
      int clientPeople = people.people(clientKey, now);
      Step step = clients.update(clientKey, housekeeping.mayCreate(clients, true, now),
          (r, existed) -> clientFailure(r, now, surgeActive, clientPeople));
      if (step == null) {
        metrics.degraded("client-map-full");
        warnFull("client", "new addresses are counted by their range only");
      } else if (step.blocked != null) {
        issued.add(BlockViews.entry(BlockKind.CLIENT, clientKey, step.blocked));
      }
      boolean newBlockedClient = step != null && step.newBlockedClient;
      AddressKey rangeKey = keys.rangeKey(client);
      int rangePeople = people.people(rangeKey, now);
      Step rangeStep = ranges.update(rangeKey, housekeeping.mayCreate(ranges, false, now),
          (r, existed) -> rangeFailure(r, now, surgeActive, rangePeople, newBlockedClient));
      if (rangeStep == null) {
        metrics.degraded("range-map-full");
        warnFull("range", "failures of new ranges are not counted");
      } else if (rangeStep.blocked != null) {
        issued.add(BlockViews.entry(BlockKind.RANGE, rangeKey, rangeStep.blocked));
      }
      for (BlockEntry b : issued) {
        housekeeping.blockStarted(b.kind());
        metrics.blockIssued(b.kind());
        listeners.issued(b, Origin.LOCAL);
      }
      return issued.isEmpty() ? new FailureResult(List.of(), delay) : new FailureResult(List.copyOf(issued), delay);
    } catch (RuntimeException e) {
      storeError("recordFailure", e);
      return new FailureResult(List.of(), delay);
    }
  }

  /** {@link #recordSuccess(InetAddress, String, String)} where the name given is the account's own login name. */
  public void recordSuccess(InetAddress client, String loginName) {
    recordSuccess(client, loginName, loginName);
  }

  /**
   * Remembers a successful login (password verified or SSO completed, never a refresh): headroom for this client and
   * range, one more distinct person behind them, and a clean slate for the name.
   *
   * @param loginName the name as typed, whose per-name delay ends
   * @param person the account's own login name, counted once however often or however spelt it signs in
   */
  public void recordSuccess(InetAddress client, String loginName, String person) {
    try {
      long now = clock.millis();
      if (loginName != null) {
        accounts.recordSuccess(loginName);
      }
      AddressKey clientKey = keys.clientKey(client);
      AddressKey rangeKey = keys.rangeKey(client);
      if (person != null) {
        people.recordSuccess(clientKey, person, now);
        people.recordSuccess(rangeKey, person, now);
      }
      clients.update(clientKey, housekeeping.mayCreate(clients, true, now), (r, e) -> r.lastSuccessAt = now);
      ranges.update(rangeKey, housekeeping.mayCreateRangeForSuccess(now), (r, e) -> r.lastSuccessAt = now);
    } catch (RuntimeException e) {
      storeError("recordSuccess", e);
    }
  }

  /** The delay to wait before verifying a password for this login name (zero if none). */
  public Duration accountDelay(String loginName) {
    try {
      return loginName == null ? Duration.ZERO : accounts.delay(loginName, clock.millis());
    } catch (RuntimeException e) {
      storeError("accountDelay", e);
      return Duration.ZERO;
    }
  }

  private Step clientFailure(RateRecord r, long now, boolean surgeActive, int clientPeople) {
    rules.noteFailureSeen(r, now);
    rules.reanchorBlock(r, now);
    rules.reanchorSuccess(r, now);
    if (r.isBlocked(now)) {
      return Step.COUNTED;
    }
    rules.addFailure(r, now);
    if (rules.failureEstimate(r, now) < rules.clientFailureLimit(r, now, surgeActive, clientPeople)) {
      return Step.COUNTED;
    }
    long previousBlockAt = r.lastBlockAt;
    rules.block(r, now, BlockReason.CLIENT_FAILURES);
    return new Step(r.copy(), rules.countsAsNewBlockedClient(previousBlockAt, now));
  }

  private Step rangeFailure(RateRecord r, long now, boolean surgeActive, int rangePeople, boolean newBlockedClient) {
    rules.noteFailureSeen(r, now);
    rules.reanchorBlock(r, now);
    rules.reanchorSuccess(r, now);
    if (r.isBlocked(now)) {
      return Step.COUNTED;
    }
    rules.addFailure(r, now);
    if (newBlockedClient) {
      rules.addBlockedClient(r, now);
    }
    if (rules.failureEstimate(r, now) >= rules.rangeFailureLimit(r, now, surgeActive, rangePeople)) {
      rules.block(r, now, BlockReason.RANGE_FAILURES);
      return new Step(r.copy(), false);
    }
    if (rules.blockedClientEstimate(r, now) >= rules.rangeBlockedClientLimit(r, now, surgeActive)) {
      rules.block(r, now, BlockReason.RANGE_BLOCKED_CLIENTS);
      return new Step(r.copy(), false);
    }
    return Step.COUNTED;
  }

  /** The outcome of one counted failure: the record if it just became blocked. */
  private record Step(RateRecord blocked, boolean newBlockedClient) {
    static final Step COUNTED = new Step(null, false);
  }

  // ---- admin and propagation

  /** Counters, limits in force, allowlist and blocks for one address. */
  public Explanation explain(InetAddress address) {
    long now = clock.millis();
    boolean surgeActive = surge.isActive(now);
    return new Explanation(address, check(address), registry.allowFor(address),
        registry.manualBlockFor(address, now), views.state(true, address, now, surgeActive),
        views.state(false, address, now, surgeActive), surge.state(now));
  }

  /** Active blocks (client, range, manual), newest first. Scans the maps: for the admin API, not requests. */
  public BlockPage activeBlocks(int offset, int limit) {
    return views.page(clock.millis(), offset, limit);
  }

  public SurgeState surgeState() {
    return surge.state(clock.millis());
  }

  /** Adds a manual block decided here ({@link Origin#LOCAL}) or loaded from elsewhere. */
  public void addManualBlock(ManualBlock block, Origin origin) {
    registry.putManualBlock(block);
    metrics.blockIssued(BlockKind.MANUAL);
    listeners.issued(BlockViews.entry(block), origin);
  }

  /**
   * Applies a block issued by another node. Idempotent: a block already known (same or later end)
   * changes nothing and fires no event, so propagation cannot echo.
   *
   * @return whether anything changed
   */
  public boolean applyRemoteBlock(BlockEntry block) {
    if (block.kind() == BlockKind.MANUAL) {
      ManualBlock existing = registry.manualBlock(block.subject());
      ManualBlock m = new ManualBlock(block.subject(), block.until(), block.note(), block.createdBy(), block.since());
      registry.putManualBlock(m);
      if (m.equals(existing)) {
        return false;
      }
      metrics.blockIssued(BlockKind.MANUAL);
      listeners.issued(block, Origin.REMOTE);
      return true;
    }
    ClientKeys.Shape expected = block.kind() == BlockKind.CLIENT ? ClientKeys.Shape.CLIENT : ClientKeys.Shape.RANGE;
    if (keys.shapeOf(block.subject()) != expected) {
      throw new IllegalArgumentException(block.subject() + " is not a " + block.kind().metricTag()
          + " key under this node's prefix lengths");
    }
    ThrottleStore store = block.kind() == BlockKind.CLIENT ? clients : ranges;
    long until = block.until().toEpochMilli();
    long now = clock.millis();
    // A block that ended before it arrived (a late or replayed notification) blocks nothing, so it takes no new
    // entry: kept from the sweep by its escalation level for days, such entries would fill the map and the reserve.
    boolean ended = until <= now;
    // A block decided elsewhere may go past the configured entries by a reserve (Chronicle refuses inserts only
    // at about twice them): a full map here, from a flood or a smaller configuration, must not drop it.
    boolean mayCreate = !ended
        && store.size() < store.capacity() + Math.max(1, store.capacity() / BLOCK_RESERVE_DIVISOR);
    RemoteApply applied = store.update(AddressKey.of(block.subject()), mayCreate, (r, existed) -> {
      if (r.blockedUntil >= until) {
        return RemoteApply.UNCHANGED;
      }
      boolean wasBlocked = r.isBlocked(now);
      r.blockedUntil = until;
      r.blockLevel = Math.max(r.blockLevel, block.level());
      r.lastBlockAt = block.since().toEpochMilli();
      r.blockReason = block.reason().code();
      return wasBlocked ? RemoteApply.EXTENDED : RemoteApply.STARTED;
    });
    if (applied == RemoteApply.STARTED && until > now) {
      housekeeping.blockStarted(block.kind());
    }
    if (applied != null && applied != RemoteApply.UNCHANGED) {
      metrics.blockIssued(block.kind());
      listeners.issued(block, Origin.REMOTE);
      return true;
    }
    if (applied == null && !ended) {
      warnFull(block.kind() == BlockKind.CLIENT ? "client" : "range",
          "a block of " + block.subject() + " from another node is not applied here");
    }
    return false;
  }

  private enum RemoteApply { UNCHANGED, STARTED, EXTENDED }

  /**
   * Ends every block on exactly this subject now: a manual block of it and, if it has the shape of
   * a client or range key, that key's automatic block. The escalation level is kept, so a lifted
   * repeat offender still gets a longer block next time.
   *
   * @return whether a block was lifted
   */
  public boolean liftBlock(Cidr subject, Origin origin) {
    long now = clock.millis();
    boolean lifted = false;
    if (registry.removeManualBlock(subject) != null) {
      listeners.lifted(subject, BlockKind.MANUAL, origin);
      lifted = true;
    }
    ClientKeys.Shape shape = keys.shapeOf(subject);
    if (shape != ClientKeys.Shape.OTHER) {
      ThrottleStore store = shape == ClientKeys.Shape.CLIENT ? clients : ranges;
      Boolean done = store.update(AddressKey.of(subject), false, (r, existed) -> {
        if (!r.isBlocked(now)) {
          return false;
        }
        r.blockedUntil = now;
        return true;
      });
      if (Boolean.TRUE.equals(done)) {
        BlockKind kind = shape == ClientKeys.Shape.CLIENT ? BlockKind.CLIENT : BlockKind.RANGE;
        housekeeping.blockLifted(kind, AddressKey.of(subject));
        listeners.lifted(subject, kind, origin);
        lifted = true;
      }
    }
    return lifted;
  }

  // ---- housekeeping

  /**
   * Periodic upkeep, to be run every minute or so off the event loop: re-evaluates surge mode,
   * reports blocks that expired, drops idle entries and expired manual blocks, refreshes gauges.
   */
  public void maintain() {
    try {
      long now = clock.millis();
      surge.isActive(now);
      accounts.sweep(now);
      people.sweep(now);
      housekeeping.maintain(now);
    } catch (RuntimeException e) {
      storeError("maintenance", e);
    }
  }

  @Override
  public boolean surgeActive() {
    return surge.isActive(clock.millis());
  }

  @Override
  public long activeBlocks(BlockKind kind) {
    return housekeeping.activeBlocks(kind, clock.millis());
  }

  @Override
  public double fillRatio(boolean clientMap) {
    return (clientMap ? clients : ranges).fillRatio();
  }

  /**
   * A full map, at most one line a minute for each map (the metric counts every time); names the setting that helps.
   */
  private void warnFull(String map, String consequence) {
    long now = System.nanoTime() / 1_000_000;
    boolean client = "client".equals(map);
    if (now - (client ? lastClientFullLogAt : lastRangeFullLogAt) >= 60_000) {
      if (client) {
        lastClientFullLogAt = now;
      } else {
        lastRangeFullLogAt = now;
      }
      LOG.warn("Throttle {} map is full: {}; raise throttle.{}-entries if this is not a flood", map, consequence, map);
    }
  }

  private void storeError(String operation, RuntimeException e) {
    metrics.degraded("store-error");
    long now = System.nanoTime() / 1_000_000;
    // A broken store fails on every request; one line a minute says enough.
    if (now - lastErrorLogAt >= 60_000) {
      lastErrorLogAt = now;
      LOG.error("Throttle {} failed; continuing without throttling this request", operation, e);
    }
  }
}
