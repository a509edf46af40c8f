package com.timereg.gateway.login;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class MicrometerPasswordChangeMetricsTest {

  /**
   * A refusal reason whose series first appears with its first refusal is lost to {@code rate()} and
   * {@code increase()}, which need an earlier sample: an alert on breached or breach_check_unavailable refusals would
   * miss the first one after a start, and one that happens once altogether.
   */
  @Test
  void everyRefusalReasonIsScrapedAsZeroBeforeItsFirstRefusal() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerPasswordChangeMetrics metrics = new MicrometerPasswordChangeMetrics(registry);

    String scrape = registry.scrape();
    for (String reason : new String[] {"invalid_characters", "too_short", "too_long", "breached",
        "breach_check_unavailable", "too_guessable", "wrong_current_password", "blocked", "password_not_used",
        "malformed"}) {
      assertThat(scrape).contains("gateway_password_refusals_total{reason=\"" + reason + "\"} 0.0");
    }

    metrics.refusal("breached");
    assertThat(registry.scrape()).contains("gateway_password_refusals_total{reason=\"breached\"} 1.0");
  }
}
