package com.timereg.gateway.blocks;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class MicrometerBlockSyncMetricsTest {

  @Test
  void syncedStillReadsAfterAGarbageCollection() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerBlockSyncMetrics metrics = new MicrometerBlockSyncMetrics(registry);
    AtomicBoolean synced = new AtomicBoolean(true);
    // As BlockSync binds it (this::synced): a method reference that nothing but the gauge holds.
    metrics.bind(synced::get);

    WeakReference<Object> canary = new WeakReference<>(new Object());
    for (int i = 0; i < 50 && canary.get() != null; i++) {
      System.gc();
    }
    assertThat(canary.get()).as("a full collection ran").isNull();

    assertThat(registry.get("gateway.blocks.synced").gauge().value()).isEqualTo(1.0);
  }
}
