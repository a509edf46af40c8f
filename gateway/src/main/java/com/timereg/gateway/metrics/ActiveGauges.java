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

  LongAdder counter(MeterRegistry registry, String name, String description, Tags tags) {
    return counters.computeIfAbsent(new Key(name, tags), k -> {
      LongAdder active = new LongAdder();
      Gauge.builder(name, active, LongAdder::doubleValue).description(description).tags(tags)
          .strongReference(true).register(registry);
      return active;
    });
  }
}
