package com.timereg.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MicrometerSessionMetricsTest {

  @Test
  void revocationListSizeStillReadsAfterAGarbageCollection() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerSessionMetrics metrics = new MicrometerSessionMetrics(registry);
    List<String> revoked = new ArrayList<>(List.of("a", "b", "c"));
    // As SessionService binds it: a method reference that nothing but the gauge holds.
    metrics.bindRevocationListSize(revoked::size);

    collectGarbage();

    assertThat(registry.get("gateway.session.revocation.list.size").gauge().value()).isEqualTo(3.0);
  }

  /** Runs full collections until an object only weakly reachable is gone, so weakly held gauges are too. */
  static void collectGarbage() {
    WeakReference<Object> canary = new WeakReference<>(new Object());
    for (int i = 0; i < 50 && canary.get() != null; i++) {
      System.gc();
    }
    assertThat(canary.get()).as("a full collection ran").isNull();
  }
}
