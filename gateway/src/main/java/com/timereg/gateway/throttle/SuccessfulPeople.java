package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.AddressKey;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many distinct people signed in successfully from a client or range key lately: the office behind one NAT
 * address gets more room for typos the more of its people are known to be real, where one account signing in
 * again and again buys nothing more.
 *
 * <p>Each key holds a 128-bit linear-counting sketch (one bit per person, chosen by the SHA-256 of the
 * NFKC-normalised, lower-cased login name) for each of two fixed windows of half the success memory. The estimate
 * reads both when the previous window is the adjacent one, so a person counts for between half and all of
 * {@code successMemory} after their last sign-in, never longer: the estimate decays without any sweep. Signing in
 * twice sets the same bit, so the same person counts once. Names are not kept, only bits.
 *
 * <p>Node-local, on the heap, nothing persisted (the Chronicle record is unchanged): after a restart every key
 * counts nobody until people sign in again, and the headroom falls back to the plain success headroom factor.
 * At most {@code capacity} keys are kept; beyond that the least recently successful one is dropped (a success
 * re-inserts its key; lookups do not, so failures and checks cannot keep a key alive). About 150 bytes a key.
 */
final class SuccessfulPeople {
  static final int BITS = 128;
  /** The estimate of a full sketch, where linear counting has no answer: more than any cap asks for. */
  static final int SATURATED = (int) Math.ceil(BITS * Math.log(BITS));

  private final long windowMs;
  private final Map<AddressKey, Sketch> entries;

  SuccessfulPeople(ThrottlePolicy policy) {
    this.windowMs = Math.max(1, policy.successMemory().toMillis() / 2);
    int capacity = policy.successPeopleCapacity();
    this.entries = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<AddressKey, Sketch> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Remembers that {@code loginName} signed in successfully from {@code key}: only for a verified login. */
  void recordSuccess(AddressKey key, String loginName, long now) {
    int bit = bitOf(loginName);
    synchronized (entries) {
      Sketch s = entries.remove(key);
      if (s == null) {
        s = new Sketch();
      }
      entries.put(key, s);
      s.roll(now, windowMs);
      if (bit < 64) {
        s.currentLow |= 1L << bit;
      } else {
        s.currentHigh |= 1L << (bit - 64);
      }
    }
  }

  /** Estimated distinct people who signed in from {@code key} within the success memory (0 if none known). */
  int people(AddressKey key, long now) {
    long low;
    long high;
    synchronized (entries) {
      Sketch s = entries.get(key);
      if (s == null) {
        return 0;
      }
      long start = align(now, windowMs);
      if (start == s.windowStart || (now < s.windowStart && s.windowStart - now <= windowMs)) {
        // A clock stepped back by at most a window reads the sketch whole, as the failure counts do.
        low = s.currentLow | s.previousLow;
        high = s.currentHigh | s.previousHigh;
      } else if (start - s.windowStart == windowMs) {
        low = s.currentLow;
        high = s.currentHigh;
      } else {
        return 0;
      }
    }
    return estimate(Long.bitCount(low) + Long.bitCount(high));
  }

  /** Linear counting: n = -m ln(empty / m), rounded to the nearest person. */
  static int estimate(int bitsSet) {
    int empty = BITS - bitsSet;
    if (empty <= 0) {
      return SATURATED;
    }
    return (int) Math.round(-BITS * Math.log((double) empty / BITS));
  }

  int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  /** Drops keys nobody signed in from for two windows: they estimate zero anyway. */
  void sweep(long now) {
    long start = align(now, windowMs);
    synchronized (entries) {
      entries.values().removeIf(s -> start - s.windowStart > windowMs);
    }
  }

  static int bitOf(String loginName) {
    return AccountDelays.nameDigest(loginName)[0] & (BITS - 1);
  }

  private static long align(long now, long window) {
    return now - Math.floorMod(now, window);
  }

  private static final class Sketch {
    long windowStart;
    long currentLow;
    long currentHigh;
    long previousLow;
    long previousHigh;

    /** Moves to the window of {@code now}; a clock stepped back by at most a window keeps the current one. */
    void roll(long now, long windowMs) {
      long start = align(now, windowMs);
      if (start > windowStart || windowStart - start > windowMs) {
        boolean adjacent = start - windowStart == windowMs;
        previousLow = adjacent ? currentLow : 0;
        previousHigh = adjacent ? currentHigh : 0;
        currentLow = 0;
        currentHigh = 0;
        windowStart = start;
      }
    }
  }
}
