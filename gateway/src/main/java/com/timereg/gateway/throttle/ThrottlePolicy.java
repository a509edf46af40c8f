package com.timereg.gateway.throttle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Limits, windows and escalation of brute-force protection. See docs/throttle.md for why these
 * defaults; {@link #DEFAULTS} holds them.
 *
 * @param window sliding window in which invalid logins are counted (10 min)
 * @param ipFailureLimit invalid logins from one client key within {@code window} that block it (10)
 * @param rangeFailureLimit invalid logins from one range within {@code window} that block it (50)
 * @param rangeBlockedClientLimit distinct clients of a range blocked within {@code
 *     rangeBlockedClientWindow} that block the range (5)
 * @param rangeBlockedClientWindow window for counting blocked clients of a range (1 h): longer than
 *     {@code window}, since 5 clients x 10 failures in one window would already hit the range limit
 * @param firstBlock length of a first block (15 min)
 * @param escalationFactor each repeat block lasts this many times the previous one (4)
 * @param maxBlock cap on an escalated block (24 h)
 * @param escalationMemory a block level is forgotten after this long without a block (7 days)
 * @param surgeFailuresPerMinute gateway-wide invalid logins per minute that start surge mode (100)
 * @param surgeExitRatio surge ends when the rate falls below this fraction of the start rate (0.5)
 * @param surgeMinDuration surge lasts at least this long once started, against flapping (2 min)
 * @param surgeLimitFactor limits are multiplied by this during surge (0.5, rounded up, at least 1)
 * @param successMemory a client or range with a successful login within this time gets headroom (24 h)
 * @param successHeadroomFactor limit multiplier for such a client or range (2, at most 4)
 * @param accountFreeFailures invalid logins per login name before any delay (3)
 * @param accountBaseDelay delay after the first failure beyond the free ones, doubling after (1 s)
 * @param accountMaxDelay cap on the per-name delay (15 s)
 * @param accountQuietPeriod a login name's failures are forgotten after this long without one (15 min)
 * @param accountCapacity login names tracked at once; the least recently failed are dropped (100 000)
 * @param degradeFillRatio when the client map is this full and sweeping does not help, new clients
 *     are counted at range level only (0.8)
 * @param successHeadroomPerUser more invalid logins allowed a client or range with success headroom for each
 *     further distinct person who signed in from it within {@code successMemory} (2; 0 turns it off)
 * @param maxSuccessHeadroomFactor cap on the limit grown by distinct people, as a multiple of the base limit (8,
 *     at least {@code successHeadroomFactor}, at most 16): what N stolen accounts can buy an attacker
 * @param successPeopleCapacity client and range keys whose distinct people are tracked at once; the least
 *     recently successful are dropped (100 000)
 */
public record ThrottlePolicy(
    Duration window,
    int ipFailureLimit,
    int rangeFailureLimit,
    int rangeBlockedClientLimit,
    Duration rangeBlockedClientWindow,
    Duration firstBlock,
    int escalationFactor,
    Duration maxBlock,
    Duration escalationMemory,
    int surgeFailuresPerMinute,
    double surgeExitRatio,
    Duration surgeMinDuration,
    double surgeLimitFactor,
    Duration successMemory,
    double successHeadroomFactor,
    int accountFreeFailures,
    Duration accountBaseDelay,
    Duration accountMaxDelay,
    Duration accountQuietPeriod,
    int accountCapacity,
    double degradeFillRatio,
    int successHeadroomPerUser,
    double maxSuccessHeadroomFactor,
    int successPeopleCapacity) {

  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
  public static final int DEFAULT_IP_FAILURE_LIMIT = 10;
  public static final int DEFAULT_RANGE_FAILURE_LIMIT = 50;
  public static final int DEFAULT_RANGE_BLOCKED_CLIENT_LIMIT = 5;
  public static final Duration DEFAULT_RANGE_BLOCKED_CLIENT_WINDOW = Duration.ofHours(1);
  public static final Duration DEFAULT_FIRST_BLOCK = Duration.ofMinutes(15);
  public static final int DEFAULT_ESCALATION_FACTOR = 4;
  public static final Duration DEFAULT_MAX_BLOCK = Duration.ofHours(24);
  public static final Duration DEFAULT_ESCALATION_MEMORY = Duration.ofDays(7);
  public static final int DEFAULT_SURGE_FAILURES_PER_MINUTE = 100;
  public static final double DEFAULT_SURGE_EXIT_RATIO = 0.5;
  public static final Duration DEFAULT_SURGE_MIN_DURATION = Duration.ofMinutes(2);
  public static final double DEFAULT_SURGE_LIMIT_FACTOR = 0.5;
  public static final Duration DEFAULT_SUCCESS_MEMORY = Duration.ofHours(24);
  public static final double DEFAULT_SUCCESS_HEADROOM_FACTOR = 2.0;
  /** Headroom beyond this would let one known account buy an attacker real guessing capacity. */
  public static final double MAX_SUCCESS_HEADROOM_FACTOR = 4.0;
  public static final int DEFAULT_ACCOUNT_FREE_FAILURES = 3;
  public static final Duration DEFAULT_ACCOUNT_BASE_DELAY = Duration.ofSeconds(1);
  public static final Duration DEFAULT_ACCOUNT_MAX_DELAY = Duration.ofSeconds(15);
  public static final Duration DEFAULT_ACCOUNT_QUIET_PERIOD = Duration.ofMinutes(15);
  public static final int DEFAULT_ACCOUNT_CAPACITY = 100_000;
  public static final double DEFAULT_DEGRADE_FILL_RATIO = 0.8;
  /** With 2 per further person, the 30 people of an office reach the cap of x8 (80) a little after the 20th. */
  public static final int DEFAULT_SUCCESS_HEADROOM_PER_USER = 2;
  public static final int MAX_SUCCESS_HEADROOM_PER_USER = 100;
  public static final double DEFAULT_MAX_SUCCESS_HEADROOM_FACTOR = 8.0;
  /** Beyond this, a few dozen stolen accounts would buy an attacker hundreds of guesses per address and window. */
  public static final double MAX_PEOPLE_HEADROOM_FACTOR = 16.0;
  public static final int DEFAULT_SUCCESS_PEOPLE_CAPACITY = 100_000;

  public static final ThrottlePolicy DEFAULTS = new ThrottlePolicy(
      DEFAULT_WINDOW, DEFAULT_IP_FAILURE_LIMIT, DEFAULT_RANGE_FAILURE_LIMIT,
      DEFAULT_RANGE_BLOCKED_CLIENT_LIMIT, DEFAULT_RANGE_BLOCKED_CLIENT_WINDOW,
      DEFAULT_FIRST_BLOCK, DEFAULT_ESCALATION_FACTOR, DEFAULT_MAX_BLOCK, DEFAULT_ESCALATION_MEMORY,
      DEFAULT_SURGE_FAILURES_PER_MINUTE, DEFAULT_SURGE_EXIT_RATIO, DEFAULT_SURGE_MIN_DURATION,
      DEFAULT_SURGE_LIMIT_FACTOR, DEFAULT_SUCCESS_MEMORY, DEFAULT_SUCCESS_HEADROOM_FACTOR,
      DEFAULT_ACCOUNT_FREE_FAILURES, DEFAULT_ACCOUNT_BASE_DELAY, DEFAULT_ACCOUNT_MAX_DELAY,
      DEFAULT_ACCOUNT_QUIET_PERIOD, DEFAULT_ACCOUNT_CAPACITY, DEFAULT_DEGRADE_FILL_RATIO,
      DEFAULT_SUCCESS_HEADROOM_PER_USER, DEFAULT_MAX_SUCCESS_HEADROOM_FACTOR, DEFAULT_SUCCESS_PEOPLE_CAPACITY);

  /** Every problem with these settings, empty when valid. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    positive(out, "window", window);
    positive(out, "range-blocked-client-window", rangeBlockedClientWindow);
    positive(out, "first-block", firstBlock);
    positive(out, "max-block", maxBlock);
    positive(out, "escalation-memory", escalationMemory);
    positive(out, "surge-min-duration", surgeMinDuration);
    positive(out, "success-memory", successMemory);
    positive(out, "account-base-delay", accountBaseDelay);
    positive(out, "account-max-delay", accountMaxDelay);
    positive(out, "account-quiet-period", accountQuietPeriod);
    atLeast(out, "ip-failure-limit", ipFailureLimit, 1);
    atLeast(out, "range-failure-limit", rangeFailureLimit, 1);
    atLeast(out, "range-blocked-client-limit", rangeBlockedClientLimit, 1);
    atLeast(out, "escalation-factor", escalationFactor, 1);
    atLeast(out, "surge-failures-per-minute", surgeFailuresPerMinute, 1);
    atLeast(out, "account-free-failures", accountFreeFailures, 0);
    atLeast(out, "account-capacity", accountCapacity, 1);
    between(out, "surge-exit-ratio", surgeExitRatio, 0.01, 1.0);
    between(out, "surge-limit-factor", surgeLimitFactor, 0.01, 1.0);
    between(out, "success-headroom-factor", successHeadroomFactor, 1.0, MAX_SUCCESS_HEADROOM_FACTOR);
    between(out, "degrade-fill-ratio", degradeFillRatio, 0.1, 0.95);
    atLeast(out, "success-headroom-per-user", successHeadroomPerUser, 0);
    if (successHeadroomPerUser > MAX_SUCCESS_HEADROOM_PER_USER) {
      out.add("success-headroom-per-user must be at most " + MAX_SUCCESS_HEADROOM_PER_USER + ", was " + successHeadroomPerUser);
    }
    between(out, "max-success-headroom-factor", maxSuccessHeadroomFactor, 1.0, MAX_PEOPLE_HEADROOM_FACTOR);
    // Compared only with a valid headroom factor: a wrong one is already reported, once.
    if (successHeadroomFactor <= MAX_SUCCESS_HEADROOM_FACTOR && maxSuccessHeadroomFactor < successHeadroomFactor) {
      out.add("max-success-headroom-factor (" + maxSuccessHeadroomFactor + ") must not be below success-headroom-factor ("
          + successHeadroomFactor + ")");
    }
    atLeast(out, "success-people-capacity", successPeopleCapacity, 1);
    if (firstBlock != null && maxBlock != null && firstBlock.compareTo(maxBlock) > 0) {
      out.add("first-block (" + firstBlock + ") must not exceed max-block (" + maxBlock + ")");
    }
    if (accountBaseDelay != null && accountMaxDelay != null && accountBaseDelay.compareTo(accountMaxDelay) > 0) {
      out.add("account-base-delay must not exceed account-max-delay");
    }
    return out;
  }

  /** Throws one exception naming every problem, so a bad configuration is fixed in one pass. */
  public ThrottlePolicy requireValid() {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid throttle policy: " + String.join("; ", problems));
    }
    return this;
  }

  private static void positive(List<String> out, String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      out.add(name + " must be a positive duration, was " + d);
    }
  }

  private static void atLeast(List<String> out, String name, int value, int min) {
    if (value < min) {
      out.add(name + " must be at least " + min + ", was " + value);
    }
  }

  private static void between(List<String> out, String name, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      out.add(name + " must be between " + min + " and " + max + ", was " + value);
    }
  }
}
