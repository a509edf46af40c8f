package com.timereg.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MicrometerProxyMetricsTest {

  @Test
  void requestsAreScrapedAsAHistogramByStatusClassAndFailuresByKind() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerProxyMetrics metrics = new MicrometerProxyMetrics(registry);

    metrics.requestCompleted(201, TimeUnit.MILLISECONDS.toNanos(12));
    metrics.requestCompleted(504, TimeUnit.MILLISECONDS.toNanos(300));
    metrics.failed(ProxyFailure.RESPONSE_TIMEOUT);

    String scrape = registry.scrape();
    assertThat(scrape).contains("gateway_proxy_requests_seconds_bucket{status=\"2xx\"");
    assertThat(scrape).contains("gateway_proxy_requests_seconds_count{status=\"5xx\"} 1");
    assertThat(scrape).contains("gateway_proxy_failures_total{kind=\"response_timeout\",upstream=\"true\"} 1.0");
  }

  /**
   * The README's latency targets for proxied pages (p99 under 500 ms, and under 1 s) are bucket bounds of their own,
   * so that the share of requests within a target is read exactly ({@code le="0.5"} over {@code _count}) instead of
   * interpolated between Micrometer's default bounds around it (0.447 and 0.537 s, 0.984 and 1.074 s).
   */
  @Test
  void theDocumentedLatencyTargetsAreBucketBounds() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerProxyMetrics metrics = new MicrometerProxyMetrics(registry);

    for (long millis : new long[] {480, 520, 990, 1010}) {
      metrics.requestCompleted(200, TimeUnit.MILLISECONDS.toNanos(millis));
    }

    String scrape = registry.scrape();
    assertThat(scrape).contains("gateway_proxy_requests_seconds_bucket{status=\"2xx\",le=\"0.5\"} 1\n");
    assertThat(scrape).contains("gateway_proxy_requests_seconds_bucket{status=\"2xx\",le=\"1.0\"} 3\n");
  }

  @Test
  void anOutOfRangeStatusIsCountedAsAServerError() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    new MicrometerProxyMetrics(registry).requestCompleted(999, 1);

    assertThat(registry.get(MicrometerProxyMetrics.REQUESTS).tag("status", "5xx").timer().count()).isEqualTo(1);
  }
}
