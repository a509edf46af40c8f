package com.timereg.gateway.login;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

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

  private static final class Bucket {
    double tokens;
    long updatedMillis;

    Bucket(double tokens, long updatedMillis) {
      this.tokens = tokens;
      this.updatedMillis = updatedMillis;
    }
  }

  private final int capacity;
  private final double tokensPerMilli;
  private final int maxSessions;
  private final Clock clock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public CheckRateLimiter(int capacity, Duration period, int maxSessions, Clock clock) {
    if (capacity < 1 || period.toMillis() < 1 || maxSessions < 1) {
      throw new IllegalArgumentException("capacity, period and maxSessions must be positive");
    }
    this.capacity = capacity;
    this.tokensPerMilli = (double) capacity / period.toMillis();
    this.maxSessions = maxSessions;
    this.clock = clock;
  }

  public static CheckRateLimiter defaults(Clock clock) {
    return new CheckRateLimiter(DEFAULT_CAPACITY, DEFAULT_PERIOD, DEFAULT_MAX_SESSIONS, clock);
  }

  /** Takes a token for {@code key}: 0 when allowed, else the whole seconds until one is free. */
  public long acquire(String key) {
    long now = clock.millis();
    if (!buckets.containsKey(key) && buckets.size() >= maxSessions) {
      buckets.values().removeIf(b -> refilled(b, now) >= capacity);
      if (buckets.size() >= maxSessions) {
        return (long) Math.ceil(1 / tokensPerMilli / 1000);
      }
    }
    long[] wait = new long[1];
    buckets.compute(key, (id, b) -> {
      Bucket bucket = b == null ? new Bucket(capacity, now) : b;
      bucket.tokens = refilled(bucket, now);
      bucket.updatedMillis = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
      } else {
        wait[0] = Math.max(1, (long) Math.ceil((1 - bucket.tokens) / tokensPerMilli / 1000));
      }
      return bucket;
    });
    return wait[0];
  }

  private double refilled(Bucket b, long now) {
    return Math.min(capacity, b.tokens + Math.max(0, now - b.updatedMillis) * tokensPerMilli);
  }
}
