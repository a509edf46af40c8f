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

  /**
   * The documented {@code gateway.blocks.*} counters are there at 0 from the start, for every tag value of their
   * fixed sets: a series that first appears with its first event has no earlier sample, so {@code rate()} and
   * {@code increase()} (an alert on failed block writes or on a lost listener) miss that first event.
   */
  @Test
  void everyDocumentedCounterIsScrapedAsZeroBeforeItsFirstEvent() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerBlockSyncMetrics metrics = new MicrometerBlockSyncMetrics(registry);

    String scrape = registry.scrape();
    for (String outcome : new String[] {"committed", "store-error", "backlog-full"}) {
      assertThat(scrape).contains(
          "gateway_blocks_writes_total{action=\"block-issued-automatic\",outcome=\"" + outcome + "\"} 0.0");
    }
    for (String action : new String[] {"block", "unblock", "allow-add", "allow-remove"}) {
      for (String outcome : new String[] {"committed", "invalid", "not-found", "conflict", "unavailable"}) {
        assertThat(scrape).contains(
            "gateway_blocks_writes_total{action=\"" + action + "\",outcome=\"" + outcome + "\"} 0.0");
      }
    }
    for (String outcome : new String[] {"applied", "own", "resync", "invalid"}) {
      assertThat(scrape).contains("gateway_blocks_notifications_total{outcome=\"" + outcome + "\"} 0.0");
    }
    for (String outcome : new String[] {"loaded", "failed"}) {
      assertThat(scrape).contains("gateway_blocks_reloads_total{outcome=\"" + outcome + "\"} 0.0");
    }
    assertThat(scrape).contains("gateway_blocks_listener_lost_total 0.0");

    metrics.writeFailed("block-issued-automatic", "store-error");
    metrics.written("unblock");
    metrics.listenerLost();
    assertThat(registry.scrape())
        .contains("gateway_blocks_writes_total{action=\"block-issued-automatic\",outcome=\"store-error\"} 1.0")
        .contains("gateway_blocks_writes_total{action=\"unblock\",outcome=\"committed\"} 1.0")
        .contains("gateway_blocks_listener_lost_total 1.0");
  }
}
