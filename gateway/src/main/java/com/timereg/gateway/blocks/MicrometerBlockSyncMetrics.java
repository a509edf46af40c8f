package com.timereg.gateway.blocks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.BooleanSupplier;

/**
 * Exports {@link BlockSyncMetrics} as {@code gateway.blocks.*} meters. Every counter is registered at start with
 * each tag value it can take (docs/blocks.md): a series that first appears with its first event has no earlier
 * sample, so {@code rate()} and {@code increase()} (an alert on failed writes or a lost listener) would never
 * count that event.
 */
public final class MicrometerBlockSyncMetrics implements BlockSyncMetrics {
  /** The automatic block writer's action and the outcomes it reports (AutomaticBlockWriter). */
  static final String AUTOMATIC = "block-issued-automatic";
  static final String[] AUTOMATIC_OUTCOMES = {"committed", "store-error", "backlog-full"};
  /** The staff edits of BlockSync; each ends committed or with a {@link RequestFailure}. */
  static final String[] EDITS = {"block", "unblock", "allow-add", "allow-remove"};
  static final String[] NOTIFICATIONS = {"applied", "own", "resync", "invalid"};

  private final MeterRegistry registry;

  public MicrometerBlockSyncMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (String outcome : AUTOMATIC_OUTCOMES) {
      writes(AUTOMATIC, outcome);
    }
    for (String action : EDITS) {
      writes(action, "committed");
      for (RequestFailure failure : RequestFailure.values()) {
        writes(action, failure.metricTag());
      }
    }
    for (String outcome : NOTIFICATIONS) {
      notifications(outcome);
    }
    reloads(true);
    reloads(false);
    listenerLostCounter();
  }

  private Counter writes(String action, String outcome) {
    return Counter.builder("gateway.blocks.writes").tag("action", action).tag("outcome", outcome).register(registry);
  }

  private Counter notifications(String outcome) {
    return Counter.builder("gateway.blocks.notifications").tag("outcome", outcome).register(registry);
  }

  private Counter reloads(boolean succeeded) {
    return Counter.builder("gateway.blocks.reloads").tag("outcome", succeeded ? "loaded" : "failed").register(registry);
  }

  private Counter listenerLostCounter() {
    return Counter.builder("gateway.blocks.listener.lost").register(registry);
  }

  @Override
  public void written(String action) {
    writes(action, "committed").increment();
  }

  @Override
  public void writeFailed(String action, String reason) {
    writes(action, reason).increment();
  }

  @Override
  public void notification(String outcome) {
    notifications(outcome).increment();
  }

  @Override
  public void reload(boolean succeeded) {
    reloads(succeeded).increment();
  }

  @Override
  public void listenerLost() {
    listenerLostCounter().increment();
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
