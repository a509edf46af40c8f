package com.timereg.gateway.login;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class MicrometerLoginMetricsTest {

  /**
   * A counter that first appears with its first increment is lost to {@code rate()} and {@code increase()}, which
   * need an earlier sample: the dashboard's failed-logins and busy/error panels (and alerts built like them) would
   * never see the first attempt of an outcome after a start, and not at all an outcome that happens once.
   */
  @Test
  void everyOutcomeIsScrapedAsZeroBeforeItsFirstAttempt() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerLoginMetrics metrics = new MicrometerLoginMetrics(registry);

    String scrape = registry.scrape();
    for (String outcome : new String[] {"success", "invalid", "sso_required", "blocked", "busy", "error"}) {
      assertThat(scrape).contains("gateway_login_attempts_total{method=\"password\",outcome=\"" + outcome + "\"} 0.0");
    }

    metrics.attempt("password", "error");
    assertThat(registry.scrape())
        .contains("gateway_login_attempts_total{method=\"password\",outcome=\"error\"} 1.0");
  }
}
