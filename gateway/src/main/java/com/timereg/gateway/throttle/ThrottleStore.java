package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.AddressKey;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;

/**
 * A bounded table of {@link RateRecord}s by {@link AddressKey}, updated atomically per key.
 * Implementations: {@link InMemoryThrottleStore} and the persisted {@link ChronicleThrottleStore}.
 */
public interface ThrottleStore extends AutoCloseable {

  /** Changes one record; gets a private copy and says what to report back. */
  @FunctionalInterface
  interface Updater<R> {
    /**
     * @param record a private copy of the stored record, or a zeroed one when absent
     * @param existed whether the key was present
     */
    R apply(RateRecord record, boolean existed);
  }

  /** A copy of the record, or null. */
  RateRecord get(AddressKey key);

  /** The block expiry of the key (0 when absent): the hot-path read, free of allocation where possible. */
  long blockedUntil(AddressKey key);

  /**
   * A time (epoch ms) that no record of this store is blocked beyond: the largest block expiry it held when
   * opened or has stored since. Once it has passed, no key here is blocked and {@link #blockedUntil} need not
   * be asked, which is the common case on the hot path. Raised before a longer block becomes visible to
   * {@link #blockedUntil}; never lowered (a lifted block leaves it where it was, which only costs lookups).
   */
  long blockedAtMostUntil();

  /**
   * Atomically applies {@code updater} and stores the changed record. When the key is absent and
   * {@code mayCreate} is false nothing is stored, the updater is not called and null is returned.
   */
  <R> R update(AddressKey key, boolean mayCreate, Updater<R> updater);

  boolean remove(AddressKey key);

  /** Removes every entry the predicate accepts; returns how many. */
  long removeIf(BiPredicate<AddressKey, RateRecord> predicate);

  /** Visits a weakly consistent view of the entries (copies). */
  void forEach(BiConsumer<AddressKey, RateRecord> visitor);

  /** Number of entries (may lag concurrent updates slightly). */
  long size();

  /** Entries this store is sized for. */
  long capacity();

  default double fillRatio() {
    return (double) size() / capacity();
  }

  @Override
  void close();
}
