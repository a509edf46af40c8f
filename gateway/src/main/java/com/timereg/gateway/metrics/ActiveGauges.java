package com.timereg.gateway.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind the {@code active.requests} gauges (and a NetClient's {@code active.connections}, a client's
 * {@code processing.pending}) of one
 * registry, one per meter id, shared by every
 * server and client side that reports under that id. Micrometer keeps the first gauge registered for an
 * id and returns it to later registrations, so a counter made per server (one per event loop) or per
 * backend endpoint would go unread after the first; and it holds a gauge's object weakly, so once that first
 * owner is gone the gauge reads NaN. One shared counter, held strongly, is the sum over all of them.
 */
final class ActiveGauges {
  private record Key(String name, Tags tags) {}

  private final ConcurrentHashMap<Key, LongAdder> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Key, LongAdder> capacities = new ConcurrentHashMap<>();

  LongAdder counter(MeterRegistry registry, String name, String description, Tags tags) {
    return counters.computeIfAbsent(new Key(name, tags), k -> {
      LongAdder active = new LongAdder();
      Gauge.builder(name, active, LongAdder::doubleValue).description(description).tags(tags)
          .strongReference(true).register(registry);
      return active;
    });
  }

  /**
   * The summed capacity behind a ratio gauge of {@code used} over it (NaN while it is 0), registered once per meter
   * id; each owner adds its own capacity, and takes it back when it closes.
   */
  LongAdder capacity(MeterRegistry registry, String name, String description, Tags tags, LongAdder used) {
    return capacities.computeIfAbsent(new Key(name, tags), k -> {
      LongAdder capacity = new LongAdder();
      Gauge.builder(name, capacity, c -> c.sum() > 0 ? used.doubleValue() / c.sum() : Double.NaN)
          .description(description).tags(tags).strongReference(true).register(registry);
      return capacity;
    });
  }
}
