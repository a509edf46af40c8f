package com.timereg.gateway.sso;

import com.timereg.gateway.clientip.AddressKey;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.throttle.TokenBuckets;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;

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
  private static final Duration PERIOD = Duration.ofMinutes(1);
  /**
   * A full map is swept for idle buckets at most this often: a sweep walks every bucket, and a client with many
   * addresses must not make each of its requests cost a walk of the whole map.
   */
  private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

  private final ClientKeys keys;
  private final Clock clock;
  private final TokenBuckets<AddressKey> clients;
  private final TokenBuckets<AddressKey> ranges;

  StartLimiter(int perMinute, int maxClients, ClientKeys keys, Clock clock) {
    if (perMinute < 1 || maxClients < 1) {
      throw new IllegalArgumentException("perMinute and maxClients must be positive");
    }
    this.keys = keys;
    this.clock = clock;
    this.clients = new TokenBuckets<>(perMinute, PERIOD, maxClients, SWEEP_INTERVAL);
    this.ranges = new TokenBuckets<>(perMinute, PERIOD, maxClients, SWEEP_INTERVAL);
  }

  /** Takes one start for {@code client}: 0 when allowed, else the whole seconds until one is free (at least 1). */
  long acquire(InetAddress client) {
    long now = clock.millis();
    AddressKey key = keys.clientKey(client);
    if (clients.room(key, now)) {
      return clients.take(key, now);
    }
    AddressKey range = keys.rangeKey(client);
    if (ranges.room(range, now)) {
      return ranges.take(range, now);
    }
    return clients.secondsPerToken();
  }
}
