package com.timereg.gateway.throttle;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Per-login-name slow-down: after a few invalid logins for one name, each further verification of
 * that name waits a growing, capped delay. Never a lockout: the delay is bounded, so failing on
 * purpose cannot keep the owner out, only slow guessing down.
 *
 * <p>Names are kept as a SHA-256 prefix of their normalised form, so unknown names (typos,
 * sprayed lists) are tracked without storing what anyone typed. The table holds at most
 * {@code accountCapacity} names and drops the least recently failed one beyond that. It lives on
 * the heap and is node-local: losing it on restart costs an attacker more than it gains them,
 * since client and range counters persist.
 */
final class AccountDelays {
  private final ThrottlePolicy policy;
  private final Map<NameKey, NameState> entries;
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(AccountDelays::sha256);

  AccountDelays(ThrottlePolicy policy) {
    this.policy = policy;
    int capacity = policy.accountCapacity();
    // Insertion order, and a failure re-inserts its name: the eldest entry is then the least recently failed one.
    // Access order would let lookups (every login asks for its name's delay) push a name under attack out first.
    this.entries = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<NameKey, NameState> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Counts a failure for the name; returns the delay before its next verification. */
  Duration recordFailure(String loginName, long now) {
    NameKey key = NameKey.of(loginName);
    synchronized (entries) {
      NameState e = entries.remove(key);
      if (e == null || quiet(e, now)) {
        e = new NameState();
      }
      entries.put(key, e);
      e.failures = e.failures == Integer.MAX_VALUE ? e.failures : e.failures + 1;
      e.lastFailureAt = now;
      return delayFor(e.failures);
    }
  }

  void recordSuccess(String loginName) {
    NameKey key = NameKey.of(loginName);
    synchronized (entries) {
      entries.remove(key);
    }
  }

  Duration delay(String loginName, long now) {
    NameKey key = NameKey.of(loginName);
    synchronized (entries) {
      NameState e = entries.get(key);
      return e == null || quiet(e, now) ? Duration.ZERO : delayFor(e.failures);
    }
  }

  int failures(String loginName, long now) {
    NameKey key = NameKey.of(loginName);
    synchronized (entries) {
      NameState e = entries.get(key);
      return e == null || quiet(e, now) ? 0 : e.failures;
    }
  }

  int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  void sweep(long now) {
    synchronized (entries) {
      entries.values().removeIf(e -> quiet(e, now));
    }
  }

  /** 0 for the free failures, then base, 2 x base, 4 x base ... up to the cap. */
  Duration delayFor(int failures) {
    int beyond = failures - policy.accountFreeFailures();
    if (beyond <= 0) {
      return Duration.ZERO;
    }
    long base = policy.accountBaseDelay().toMillis();
    long max = policy.accountMaxDelay().toMillis();
    long delay = beyond > 31 ? max : Math.min(max, base << (beyond - 1));
    return Duration.ofMillis(delay < 0 ? max : delay);
  }

  private boolean quiet(NameState e, long now) {
    return now - e.lastFailureAt >= policy.accountQuietPeriod().toMillis();
  }

  /** Case and Unicode form must not let "Alice" and "alice " count as different names. */
  static String normalise(String loginName) {
    return Normalizer.normalize(loginName, Normalizer.Form.NFKC).strip().toLowerCase(Locale.ROOT);
  }

  /** SHA-256 of the normalised name: how a name is known here, and to {@link SuccessfulPeople}. */
  static byte[] nameDigest(String loginName) {
    return SHA256.get().digest(normalise(loginName).getBytes(StandardCharsets.UTF_8));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static final class NameState {
    int failures;
    long lastFailureAt;
  }

  /** 128 bits of SHA-256: collisions between distinct names are not a practical concern. */
  private record NameKey(long high, long low) {
    static NameKey of(String loginName) {
      ByteBuffer b = ByteBuffer.wrap(nameDigest(loginName));
      return new NameKey(b.getLong(), b.getLong());
    }
  }
}
