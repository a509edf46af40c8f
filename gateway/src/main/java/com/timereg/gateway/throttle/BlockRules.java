package com.timereg.gateway.throttle;

/**
 * The counting and escalation rules applied to one {@link RateRecord}: a sliding window
 * approximated by two fixed windows, escalating block lengths, and the limits in force.
 *
 * <p>Windows are aligned to multiples of their length since the epoch. The estimate weights the
 * previous window by the share of it still inside the sliding window, which assumes its failures
 * were spread evenly; this never undercounts a burst inside the current window.
 */
final class BlockRules {
  private final ThrottlePolicy policy;
  private final long windowMs;
  private final long clientWindowMs;
  private final long firstBlockMs;
  private final long maxBlockMs;
  private final long memoryMs;
  private final long successMemoryMs;

  BlockRules(ThrottlePolicy policy) {
    this.policy = policy;
    this.windowMs = policy.window().toMillis();
    this.clientWindowMs = policy.rangeBlockedClientWindow().toMillis();
    this.firstBlockMs = policy.firstBlock().toMillis();
    this.maxBlockMs = policy.maxBlock().toMillis();
    this.memoryMs = policy.escalationMemory().toMillis();
    this.successMemoryMs = policy.successMemory().toMillis();
  }

  ThrottlePolicy policy() {
    return policy;
  }

  // ---- counting

  void addFailure(RateRecord r, long now) {
    rollFailures(r, now);
    r.currentFailures = saturatedIncrement(r.currentFailures);
  }

  double failureEstimate(RateRecord r, long now) {
    return estimate(r.windowStart, r.currentFailures, r.previousFailures, now, windowMs);
  }

  void addBlockedClient(RateRecord r, long now) {
    long start = align(now, clientWindowMs);
    if (start > r.clientWindowStart || r.clientWindowStart - start > clientWindowMs) {
      boolean adjacent = start - r.clientWindowStart == clientWindowMs;
      r.previousBlockedClients = adjacent ? r.currentBlockedClients : 0;
      r.currentBlockedClients = 0;
      r.clientWindowStart = start;
    }
    r.currentBlockedClients = saturatedIncrement(r.currentBlockedClients);
  }

  double blockedClientEstimate(RateRecord r, long now) {
    return estimate(r.clientWindowStart, r.currentBlockedClients, r.previousBlockedClients, now, clientWindowMs);
  }

  /** Whether a client blocked now, last blocked at {@code previousBlockAt}, is new to its range's count. */
  boolean countsAsNewBlockedClient(long previousBlockAt, long now) {
    return previousBlockAt == 0 || now - previousBlockAt >= clientWindowMs;
  }

  void noteFailureSeen(RateRecord r, long now) {
    if (r.firstFailureAt == 0) {
      r.firstFailureAt = now;
    }
    r.lastFailureAt = now;
    r.totalFailures = saturatedIncrement(r.totalFailures);
  }

  // ---- blocking

  /** Blocks the record from {@code now}, one escalation level above its remembered level. */
  void block(RateRecord r, long now, BlockReason reason) {
    int level = rememberedLevel(r, now);
    r.blockedUntil = now + blockLength(level);
    // Saturates: a level from another node's row near the top must not wrap to a negative, i.e. a first, block.
    r.blockLevel = level == Integer.MAX_VALUE ? level : level + 1;
    r.lastBlockAt = now;
    r.blockReason = reason.code();
    // The block is the penalty for these failures; counting them again after it would re-block at once.
    r.currentFailures = 0;
    r.previousFailures = 0;
    r.currentBlockedClients = 0;
    r.previousBlockedClients = 0;
  }

  /**
   * Whether the record's block started after {@code now}: issued while this clock (or another node's, for a block
   * from there) ran ahead and since put back. Its end, kept as that clock read it, would hold the key blocked for
   * as long again as the clock had run ahead (a day ahead: a day and 15 minutes for a 15-minute block).
   */
  boolean blockStartsAhead(RateRecord r, long now) {
    return r.isBlocked(now) && r.lastBlockAt > now;
  }

  /**
   * Moves a block that {@link #blockStartsAhead starts ahead} to start {@code now}, keeping its length (at most
   * the longest block): the time it had already run cannot be known, so it runs whole from the correction.
   *
   * @return whether the record changed
   */
  boolean reanchorBlock(RateRecord r, long now) {
    if (!blockStartsAhead(r, now)) {
      return false;
    }
    r.blockedUntil = now + Math.max(1, Math.min(r.blockedUntil - r.lastBlockAt, maxBlockMs));
    r.lastBlockAt = now;
    return true;
  }

  /**
   * Whether the record's last success is after {@code now}: recorded while this clock ran ahead and since put
   * back. Kept as that clock read it, it would give the key headroom for as long again as the clock had run ahead
   * (a day ahead: two days of doubled limits rather than one).
   */
  boolean successAhead(RateRecord r, long now) {
    return r.lastSuccessAt > now;
  }

  /**
   * Takes a success {@link #successAhead found ahead} as made {@code now}: its headroom lasts {@code
   * success-memory} from the correction, as a success then would, since when it really happened cannot be known.
   *
   * @return whether the record changed
   */
  boolean reanchorSuccess(RateRecord r, long now) {
    if (!successAhead(r, now)) {
      return false;
    }
    r.lastSuccessAt = now;
    return true;
  }

  /** The escalation level still remembered: zero once {@code escalationMemory} passed after the last block. */
  int rememberedLevel(RateRecord r, long now) {
    if (r.blockLevel == 0 || r.blockedUntil == 0) {
      return 0;
    }
    return now - r.blockedUntil >= memoryMs ? 0 : r.blockLevel;
  }

  /** Length of a block at a remembered level: first block x factor^level, capped. */
  long blockLength(int level) {
    long length = firstBlockMs;
    // A factor of 1 never reaches the cap: without the check the loop would run once per level, under the key's lock.
    for (int i = 0; i < level && length < maxBlockMs && policy.escalationFactor() > 1; i++) {
      length = length > maxBlockMs / policy.escalationFactor() ? maxBlockMs : length * policy.escalationFactor();
    }
    return Math.min(length, maxBlockMs);
  }

  // ---- limits in force

  /**
   * The client's failure limit in force, {@code people} being the distinct people who signed in from it lately
   * ({@link SuccessfulPeople}).
   */
  int clientFailureLimit(RateRecord r, long now, boolean surge, int people) {
    return limit(policy.ipFailureLimit(), r, now, surge, people);
  }

  int rangeFailureLimit(RateRecord r, long now, boolean surge, int people) {
    return limit(policy.rangeFailureLimit(), r, now, surge, people);
  }

  int rangeBlockedClientLimit(RateRecord r, long now, boolean surge) {
    return limit(policy.rangeBlockedClientLimit(), r, now, surge, 0);
  }

  /** A recent successful login means a real user is behind this address: allow some typos. */
  boolean hasSuccessHeadroom(RateRecord r, long now) {
    return r != null && r.lastSuccessAt != 0 && now - r.lastSuccessAt < successMemoryMs;
  }

  /**
   * Base x success headroom factor once anyone signed in lately, plus a few failures for each further distinct
   * person, capped at base x the maximum factor: the more real people behind an address, the more typos are theirs,
   * but what N stolen accounts buy stays bounded. Surge halves the result as it halves every limit.
   */
  private int limit(int base, RateRecord r, long now, boolean surge, int people) {
    double limit = base;
    if (hasSuccessHeadroom(r, now)) {
      limit = Math.floor(limit * policy.successHeadroomFactor());
      if (people > 1 && policy.successHeadroomPerUser() > 0) {
        double cap = Math.floor(base * policy.maxSuccessHeadroomFactor());
        limit = Math.max(limit, Math.min(cap, limit + (double) policy.successHeadroomPerUser() * (people - 1)));
      }
    }
    if (surge) {
      limit = Math.ceil(limit * policy.surgeLimitFactor());
    }
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, limit));
  }

  // ---- housekeeping

  /** True when the record says nothing that an absent record would not: safe to sweep. */
  boolean isIdle(RateRecord r, long now) {
    return r.blockedUntil <= now
        && now - r.windowStart >= 2 * windowMs
        && now - r.clientWindowStart >= 2 * clientWindowMs
        && rememberedLevel(r, now) == 0
        && !hasSuccessHeadroom(r, now);
  }

  /**
   * True when dropping a range record under capacity pressure loses little: no block, no escalation level,
   * no success headroom, no recently blocked client and under half the failures that would block it.
   */
  boolean isExpendableRange(RateRecord r, long now) {
    return r.blockedUntil <= now
        && rememberedLevel(r, now) == 0
        && !hasSuccessHeadroom(r, now)
        && blockedClientEstimate(r, now) == 0
        && failureEstimate(r, now) < policy.rangeFailureLimit() / 2.0;
  }

  /**
   * Moves to the window of {@code now}. A clock stepped back by at most one window (NTP, a resumed VM) keeps
   * counting in the current one: resetting would forget every key's failures at once. One put back further (it
   * ran far ahead) starts afresh: kept, the counts would not decay until the clock caught up.
   */
  private void rollFailures(RateRecord r, long now) {
    long start = align(now, windowMs);
    if (start > r.windowStart || r.windowStart - start > windowMs) {
      boolean adjacent = start - r.windowStart == windowMs;
      r.previousFailures = adjacent ? r.currentFailures : 0;
      r.currentFailures = 0;
      r.windowStart = start;
    }
  }

  private static double estimate(long windowStart, int current, int previous, long now, long window) {
    if (now < windowStart) {
      // A clock stepped back before the record's window reads it as at that window's start (all of it counts),
      // unless by more than a window: then the record is from a clock that ran ahead, and counts for nothing.
      if (windowStart - now > window) {
        return 0.0;
      }
      now = windowStart;
    }
    long start = align(now, window);
    if (start == windowStart) {
      double previousShare = (double) (window - (now - start)) / window;
      return current + previous * previousShare;
    }
    if (start - windowStart == window) {
      double previousShare = (double) (window - (now - start)) / window;
      return current * previousShare;
    }
    return 0.0;
  }

  private static long align(long now, long window) {
    return now - Math.floorMod(now, window);
  }

  private static int saturatedIncrement(int value) {
    return value == Integer.MAX_VALUE ? value : value + 1;
  }
}
