package com.timereg.gateway.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class MicrometerThrottleMetricsTest {

  /**
   * {@code degraded} is what an alert watches ({@code increase(gateway_throttle_degraded_total[5m]) > 0}); a series
   * that first appears at 1 has no earlier sample, so {@code increase()} misses that first degradation, and a
   * single store error or a map filling once is never alerted on.
   */
  @Test
  void everyDegradationReasonIsScrapedAsZeroBeforeItHappens() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerThrottleMetrics metrics = new MicrometerThrottleMetrics(registry);

    String scrape = registry.scrape();
    for (String reason : new String[] {"client-map-full", "range-map-full", "store-error"}) {
      assertThat(scrape).contains("gateway_throttle_degraded_total{reason=\"" + reason + "\"} 0.0");
    }

    metrics.degraded("store-error");
    assertThat(registry.scrape()).contains("gateway_throttle_degraded_total{reason=\"store-error\"} 1.0");
  }
}
