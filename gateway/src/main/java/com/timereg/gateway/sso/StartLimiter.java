package com.timereg.gateway.sso;

import com.timereg.gateway.clientip.AddressKey;
import com.timereg.gateway.clientip.ClientKeys;
import java.net.InetAddress;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many Microsoft sign-ins one client may start ({@code sso.max-starts-per-address-per-minute}). Each start
 * is a database write and a row in {@code sso_requests} for {@code sso.request-lifetime}, asked for without
 * credentials, and the block check does not stop it (a start is no invalid login): without a bound, one
 * address sending thousands a second grows the table by millions of rows. A token bucket per client key (the
 * throttle's: the IPv4 address, the IPv6 /64), refilled evenly over a minute, so an office behind one address
 * signing in at 9:00 gets the whole allowance at once. In memory and per node, like the throttle's counting.
 *
 * <p>Capacity: at most {@code maxClients} buckets. When full, buckets idle long enough to be full again are
 * dropped (they hold nothing); if none are, a new client is counted under its range key (IPv4 /24, IPv6 /48) in
 * a second map of the same bound, as the throttle degrades to range counting: one attacker owning many /64s
 * then shares one allowance instead of refusing everyone else. Only when both are full are new clients refused.
 */
final class StartLimiter {
  /** Clients tracked at once, per map (about 100 bytes each). */
  static final int DEFAULT_MAX_CLIENTS = 100_000;
  private static final long PERIOD_MILLIS = 60_000;
  /**
   * A full map is swept for idle buckets at most this often: a sweep walks every bucket, and a client with many
   * addresses must not make each of its requests cost a walk of the whole map.
   */
  private static final long SWEEP_INTERVAL_MILLIS = 1_000;

  private static final class Bucket {
    double tokens;
    long updatedMillis;

    Bucket(double tokens, long updatedMillis) {
      this.tokens = tokens;
      this.updatedMillis = updatedMillis;
    }
  }

  private final int perMinute;
  private final double tokensPerMilli;
  private final int maxClients;
  private final ClientKeys keys;
  private final Clock clock;
  private final Table clients = new Table();
  private final Table ranges = new Table();

  private static final class Table {
    final ConcurrentHashMap<AddressKey, Bucket> buckets = new ConcurrentHashMap<>();
    final AtomicLong sweptMillis = new AtomicLong(Long.MIN_VALUE);
  }

  StartLimiter(int perMinute, int maxClients, ClientKeys keys, Clock clock) {
    if (perMinute < 1 || maxClients < 1) {
      throw new IllegalArgumentException("perMinute and maxClients must be positive");
    }
    this.perMinute = perMinute;
    this.tokensPerMilli = (double) perMinute / PERIOD_MILLIS;
    this.maxClients = maxClients;
    this.keys = keys;
    this.clock = clock;
  }

  /** Takes one start for {@code client}: 0 when allowed, else the whole seconds until one is free (at least 1). */
  long acquire(InetAddress client) {
    long now = clock.millis();
    AddressKey key = keys.clientKey(client);
    if (room(clients, key, now)) {
      return take(clients, key, now);
    }
    AddressKey range = keys.rangeKey(client);
    if (room(ranges, range, now)) {
      return take(ranges, range, now);
    }
    return Math.max(1, (long) Math.ceil(1 / tokensPerMilli / 1000));
  }

  private boolean room(Table table, AddressKey key, long now) {
    if (table.buckets.containsKey(key) || table.buckets.size() < maxClients) {
      return true;
    }
    long swept = table.sweptMillis.get();
    if ((swept == Long.MIN_VALUE || now - swept >= SWEEP_INTERVAL_MILLIS) && table.sweptMillis.compareAndSet(swept, now)) {
      table.buckets.values().removeIf(b -> refilled(b, now) >= perMinute);
    }
    return table.buckets.size() < maxClients;
  }

  private long take(Table table, AddressKey key, long now) {
    long[] wait = new long[1];
    table.buckets.compute(key, (k, b) -> {
      Bucket bucket = b == null ? new Bucket(perMinute, now) : b;
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
    return Math.min(perMinute, b.tokens + Math.max(0, now - b.updatedMillis) * tokensPerMilli);
  }
}
