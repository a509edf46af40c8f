package com.timereg.gateway.throttle;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/** {@link ThrottleMetrics} as Micrometer meters under {@code gateway.throttle.*}. */
public final class MicrometerThrottleMetrics implements ThrottleMetrics {
  /** The reasons {@link ThrottleMetrics#degraded} is called with. */
  static final String[] DEGRADED_REASONS = {"client-map-full", "range-map-full", "store-error"};

  private final MeterRegistry registry;
  private final Map<FailureKind, Counter> invalidLogins = new EnumMap<>(FailureKind.class);
  private final Map<BlockKind, Counter> issued = new EnumMap<>(BlockKind.class);
  private final Map<BlockKind, Counter> expired = new EnumMap<>(BlockKind.class);

  public MicrometerThrottleMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (FailureKind k : FailureKind.values()) {
      invalidLogins.put(k, Counter.builder("gateway.throttle.invalid.logins").tag("kind", k.metricTag())
          .description("Invalid login attempts").register(registry));
    }
    for (BlockKind k : BlockKind.values()) {
      issued.put(k, Counter.builder("gateway.throttle.blocks.issued").tag("kind", k.metricTag())
          .description("Blocks started on this node (including applied remote ones)").register(registry));
      expired.put(k, Counter.builder("gateway.throttle.blocks.expired").tag("kind", k.metricTag())
          .description("Blocks that ran out").register(registry));
    }
    // Registered at start, as alerts watch them: a series that first appears at 1 has no earlier sample, so
    // increase() would miss the first degradation (and a single one altogether).
    for (String reason : DEGRADED_REASONS) {
      degradedCounter(reason);
    }
  }

  private Counter degradedCounter(String reason) {
    return Counter.builder("gateway.throttle.degraded").tag("reason", reason)
        .description("Times the throttle could not do its full job").register(registry);
  }

  @Override
  public void invalidLogin(FailureKind kind) {
    invalidLogins.get(kind).increment();
  }

  @Override
  public void blockIssued(BlockKind kind) {
    issued.get(kind).increment();
  }

  @Override
  public void blockExpired(BlockKind kind) {
    expired.get(kind).increment();
  }

  @Override
  public void degraded(String reason) {
    degradedCounter(reason).increment();
  }

  @Override
  public void bind(ThrottleStatus status) {
    Gauge.builder("gateway.throttle.surge.active", status, s -> s.surgeActive() ? 1 : 0)
        .description("1 while surge mode tightens limits").register(registry);
    for (BlockKind k : BlockKind.values()) {
      Gauge.builder("gateway.throttle.blocks.active", status, s -> s.activeBlocks(k)).tag("kind", k.metricTag())
          .description("Active blocks").register(registry);
    }
    Gauge.builder("gateway.throttle.map.fill", status, s -> s.fillRatio(true)).tag("map", "clients")
        .description("Entries over capacity").register(registry);
    Gauge.builder("gateway.throttle.map.fill", status, s -> s.fillRatio(false)).tag("map", "ranges")
        .description("Entries over capacity").register(registry);
  }
}
