package com.timereg.gateway.login;

import com.timereg.gateway.throttle.TokenBuckets;
import java.time.Clock;
import java.time.Duration;

/**
 * A token bucket per key (the routes use the user, not the session: a new login is a new session)
 * for the live strength meter: {@code capacity} checks at once, refilled evenly over {@code period}.
 * Each check costs a strength estimate on the shared verification pool, so one user typing (or a
 * script) must not crowd out logins. In memory and per node: a user whose requests reach several
 * nodes gets a little more, which is harmless for a meter.
 *
 * <p>Capacity: at most {@code maxSessions} buckets. When full, buckets idle long enough to be full
 * again are dropped (they hold no information); if none are, new sessions are refused until some are.
 */
public final class CheckRateLimiter {
  /** A person typing with a debounced meter sends a few checks a second at most, in bursts. */
  public static final int DEFAULT_CAPACITY = 30;
  public static final Duration DEFAULT_PERIOD = Duration.ofMinutes(1);
  public static final int DEFAULT_MAX_SESSIONS = 100_000;

  private final TokenBuckets<String> buckets;
  private final Clock clock;

  public CheckRateLimiter(int capacity, Duration period, int maxSessions, Clock clock) {
    this.buckets = new TokenBuckets<>(capacity, period, maxSessions, Duration.ZERO);
    this.clock = clock;
  }

  public static CheckRateLimiter defaults(Clock clock) {
    return new CheckRateLimiter(DEFAULT_CAPACITY, DEFAULT_PERIOD, DEFAULT_MAX_SESSIONS, clock);
  }

  /** Takes a token for {@code key}: 0 when allowed, else the whole seconds until one is free. */
  public long acquire(String key) {
    long now = clock.millis();
    return buckets.room(key, now) ? buckets.take(key, now) : buckets.secondsPerToken();
  }
}
