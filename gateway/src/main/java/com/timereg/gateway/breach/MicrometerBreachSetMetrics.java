package com.timereg.gateway.breach;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link BreachSetMetrics} on Micrometer: {@code gateway.password.breach.lookups} (counter, tag
 * {@code result}: found, not_found, error), {@code gateway.password.breach.set.entries} (gauge, 0
 * while no set is in use: alert on it) and {@code gateway.password.breach.set.loads} (counter, tag
 * {@code outcome}: loaded, failed).
 */
public final class MicrometerBreachSetMetrics implements BreachSetMetrics {
  private final Map<Lookup, Counter> lookups = new EnumMap<>(Lookup.class);
  private final AtomicLong entries = new AtomicLong();
  private final Counter loaded;
  private final Counter failed;

  public MicrometerBreachSetMetrics(MeterRegistry registry) {
    for (Lookup result : Lookup.values()) {
      lookups.put(result, Counter.builder("gateway.password.breach.lookups")
          .description("Breach set lookups of new passwords by result")
          .tag("result", result.name().toLowerCase(Locale.ROOT))
          .register(registry));
    }
    Gauge.builder("gateway.password.breach.set.entries", entries, AtomicLong::get)
        .description("Entries of the breach set in use; 0 while none is (password changes are then refused)")
        .register(registry);
    loaded = Counter.builder("gateway.password.breach.set.loads").tag("outcome", "loaded")
        .description("Breach set files opened, at start and on replacement").register(registry);
    failed = Counter.builder("gateway.password.breach.set.loads").tag("outcome", "failed")
        .description("Breach set files opened, at start and on replacement").register(registry);
  }

  @Override
  public void lookup(Lookup result) {
    lookups.get(result).increment();
  }

  @Override
  public void inUse(long count) {
    entries.set(count);
    if (count > 0) {
      loaded.increment();
    }
  }

  @Override
  public void loadFailed() {
    failed.increment();
  }
}
