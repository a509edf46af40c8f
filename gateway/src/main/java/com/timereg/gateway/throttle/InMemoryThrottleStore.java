package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.AddressKey;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;

/** A heap store for unit tests and as a fallback when no map file can be opened; not persisted. */
public final class InMemoryThrottleStore implements ThrottleStore {
  private final ConcurrentHashMap<AddressKey, RateRecord> map = new ConcurrentHashMap<>();
  private final long capacity;
  private final AtomicLong horizon = new AtomicLong();

  public InMemoryThrottleStore(long capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.capacity = capacity;
  }

  @Override
  public RateRecord get(AddressKey key) {
    RateRecord r = map.get(key);
    return r == null ? null : r.copy();
  }

  @Override
  public long blockedUntil(AddressKey key) {
    RateRecord r = map.get(key);
    return r == null ? 0L : r.blockedUntil;
  }

  @Override
  public long blockedAtMostUntil() {
    return horizon.get();
  }

  @Override
  public <R> R update(AddressKey key, boolean mayCreate, Updater<R> updater) {
    Object[] result = new Object[1];
    map.compute(key, (k, old) -> {
      if (old == null && !mayCreate) {
        return null;
      }
      // Replace rather than mutate: readers outside compute may hold the old instance.
      RateRecord copy = old == null ? new RateRecord() : old.copy();
      result[0] = updater.apply(copy, old != null);
      horizon.accumulateAndGet(copy.blockedUntil, Math::max);
      return copy;
    });
    @SuppressWarnings("unchecked")
    R r = (R) result[0];
    return r;
  }

  @Override
  public boolean remove(AddressKey key) {
    return map.remove(key) != null;
  }

  @Override
  public long removeIf(BiPredicate<AddressKey, RateRecord> predicate) {
    long[] removed = {0};
    map.forEach((k, v) -> {
      if (predicate.test(k, v.copy()) && map.remove(k, v)) {
        removed[0]++;
      }
    });
    return removed[0];
  }

  @Override
  public void forEach(BiConsumer<AddressKey, RateRecord> visitor) {
    map.forEach((k, v) -> visitor.accept(k, v.copy()));
  }

  @Override
  public long size() {
    return map.size();
  }

  @Override
  public long capacity() {
    return capacity;
  }

  @Override
  public void close() {
    map.clear();
  }
}
