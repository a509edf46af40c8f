package com.timereg.gateway.blocks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.BooleanSupplier;

/** Exports {@link BlockSyncMetrics} as {@code gateway.blocks.*} meters. */
public final class MicrometerBlockSyncMetrics implements BlockSyncMetrics {
  private final MeterRegistry registry;

  public MicrometerBlockSyncMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void written(String action) {
    Counter.builder("gateway.blocks.writes").tag("action", action).tag("outcome", "committed")
        .register(registry).increment();
  }

  @Override
  public void writeFailed(String action, String reason) {
    Counter.builder("gateway.blocks.writes").tag("action", action).tag("outcome", reason)
        .register(registry).increment();
  }

  @Override
  public void notification(String outcome) {
    Counter.builder("gateway.blocks.notifications").tag("outcome", outcome).register(registry).increment();
  }

  @Override
  public void reload(boolean succeeded) {
    Counter.builder("gateway.blocks.reloads").tag("outcome", succeeded ? "loaded" : "failed")
        .register(registry).increment();
  }

  @Override
  public void listenerLost() {
    Counter.builder("gateway.blocks.listener.lost").register(registry).increment();
  }

  @Override
  public void bind(BooleanSupplier synced) {
    // Held strongly: the caller's method reference is referenced by nothing else, and Micrometer holds a
    // gauge's object weakly by default, so the gauge would read NaN after the next garbage collection.
    Gauge.builder("gateway.blocks.synced", synced, s -> s.getAsBoolean() ? 1 : 0)
        .description("1 while this node listens for block changes and has loaded the shared tables")
        .strongReference(true).register(registry);
  }
}
