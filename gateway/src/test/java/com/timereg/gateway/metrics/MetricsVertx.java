package com.timereg.gateway.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** A Vert.x reporting to {@code registry} through {@code factory} (the gateway's or Vert.x's own), and its readings. */
final class MetricsVertx {
  private MetricsVertx() {}

  /** With the LOCAL label on, as the gateway runs. */
  static Vertx vertx(Function<MeterRegistry, VertxMetricsFactory> factory, MeterRegistry registry) {
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).addLabels(Label.LOCAL)))
        .withMetrics(factory.apply(registry))
        .build();
  }

  /** Each connection meter under {@code prefix} (say {@code vertx.http.server.}), name and tags, with its value. */
  static Map<String, Double> connectionMeters(MeterRegistry registry, String prefix) {
    Map<String, Double> meters = new TreeMap<>();
    for (Meter m : registry.getMeters()) {
      String name = m.getId().getName();
      if (name.startsWith(prefix) && (name.contains("connections") || name.contains(".bytes."))
          && !name.contains("request") && !name.contains("response")) {
        meters.put(name + m.getId().getTags(), m.measure().iterator().next().getValue());
      }
    }
    return meters;
  }
}
