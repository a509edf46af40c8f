package com.timereg.gateway.password;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * {@link PasswordMetrics} on Micrometer: {@code gateway.password.verification} (timer, tag
 * {@code outcome}; saturated refusals are counted in {@code gateway.password.rejected}),
 * {@code gateway.password.queue.wait} (timer), and the gauges {@code gateway.password.pool.queue}
 * and {@code gateway.password.pool.active}.
 */
public final class MicrometerPasswordMetrics implements PasswordMetrics {
  private final MeterRegistry registry;
  private final Map<Outcome, Timer> verifications = new EnumMap<>(Outcome.class);
  private final Counter rejected;
  private final Timer queueWait;

  public MicrometerPasswordMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Outcome outcome : Outcome.values()) {
      if (outcome != Outcome.SATURATED) {
        verifications.put(outcome, Timer.builder("gateway.password.verification")
            .description("PBKDF2 verifications by outcome, time on the pool thread")
            .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
            .register(registry));
      }
    }
    rejected = Counter.builder("gateway.password.rejected")
        .description("Verifications refused because the pool queue was full")
        .register(registry);
    queueWait = Timer.builder("gateway.password.queue.wait")
        .description("Time a verification waited for a pool thread")
        .register(registry);
  }

  @Override
  public void verification(Outcome outcome, long computeNanos) {
    if (outcome == Outcome.SATURATED) {
      rejected.increment();
    } else {
      verifications.get(outcome).record(computeNanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void queueWait(long nanos) {
    queueWait.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void bindPool(IntSupplier queueDepth, IntSupplier activeCount) {
    Gauge.builder("gateway.password.pool.queue", queueDepth::getAsInt)
        .description("Verifications waiting for a pool thread")
        .register(registry);
    Gauge.builder("gateway.password.pool.active", activeCount::getAsInt)
        .description("Verifications running on pool threads")
        .register(registry);
  }
}
