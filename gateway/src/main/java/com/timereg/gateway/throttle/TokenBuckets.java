package com.timereg.gateway.throttle;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket per key, in memory and bounded: {@code capacity} tokens at once, refilled evenly over {@code
 * period}; at most {@code maxKeys} buckets. A key new to a full map gets room only by dropping buckets idle long
 * enough to be full again (they hold nothing), at most once per {@code sweepInterval}, since a sweep walks every
 * bucket. What a caller does without room is its own choice (the live strength check refuses; the SSO start counts
 * the client under its range). Shared by {@code login.CheckRateLimiter} and {@code sso.StartLimiter}.
 *
 * @param <K> the key: a user, a client address's key
 */
public final class TokenBuckets<K> {
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
  private final int maxKeys;
  private final long sweepIntervalMillis;
  private final ConcurrentHashMap<K, Bucket> buckets = new ConcurrentHashMap<>();
  private final AtomicLong sweptMillis = new AtomicLong(Long.MIN_VALUE);

  public TokenBuckets(int capacity, Duration period, int maxKeys, Duration sweepInterval) {
    if (capacity < 1 || period.toMillis() < 1 || maxKeys < 1 || sweepInterval.isNegative()) {
      throw new IllegalArgumentException("capacity, period and maxKeys must be positive");
    }
    this.capacity = capacity;
    this.tokensPerMilli = (double) capacity / period.toMillis();
    this.maxKeys = maxKeys;
    this.sweepIntervalMillis = sweepInterval.toMillis();
  }

  /** Whether {@code key} has a bucket or one can be made for it, idle buckets dropped first if the map is full. */
  public boolean room(K key, long nowMillis) {
    if (buckets.containsKey(key) || buckets.size() < maxKeys) {
      return true;
    }
    long swept = sweptMillis.get();
    if ((swept == Long.MIN_VALUE || nowMillis - swept >= sweepIntervalMillis) && sweptMillis.compareAndSet(swept, nowMillis)) {
      buckets.values().removeIf(b -> refilled(b, nowMillis) >= capacity);
    }
    return buckets.size() < maxKeys;
  }

  /** Takes a token for {@code key} (a new key starts full): 0 when allowed, else the whole seconds until one is free. */
  public long take(K key, long nowMillis) {
    long[] wait = new long[1];
    buckets.compute(key, (k, b) -> {
      Bucket bucket = b == null ? new Bucket(capacity, nowMillis) : b;
      bucket.tokens = refilled(bucket, nowMillis);
      bucket.updatedMillis = nowMillis;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
      } else {
        wait[0] = Math.max(1, (long) Math.ceil((1 - bucket.tokens) / tokensPerMilli / 1000));
      }
      return bucket;
    });
    return wait[0];
  }

  /** The whole seconds until one token is refilled (at least 1): the wait to tell a caller refused for room. */
  public long secondsPerToken() {
    return Math.max(1, (long) Math.ceil(1 / tokensPerMilli / 1000));
  }

  private double refilled(Bucket b, long nowMillis) {
    return Math.min(capacity, b.tokens + Math.max(0, nowMillis - b.updatedMillis) * tokensPerMilli);
  }
}
