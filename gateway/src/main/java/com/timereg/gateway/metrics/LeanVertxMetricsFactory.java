package com.timereg.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.MicrometerMetricsFactory;

/**
 * Vert.x's Micrometer metrics, with the per-request HTTP server and client meters kept by
 * {@link LeanHttpServerMetrics} and {@link LeanHttpClientMetrics} instead.
 *
 * <p>Why: Vert.x's implementation builds tag sets and looks its meters up in the registry several
 * times per request (about ten lookups per proxied request, server and backend side), which cost
 * about 7 % of the gateway's CPU on the proxied path (profile in docs/benchmarks.md). Ours resolve
 * each meter once per tag combination and keep it, with the same names, tags and meaning, so
 * dashboards built on Vert.x's meters keep working. A NetClient's connection meters are kept by
 * {@link LeanNetClientMetrics} and a client's request meters (PostgreSQL's {@code vertx.sql.*}) by
 * {@link LeanClientMetrics}, and the HTTP connection meters by {@link LeanHttpServerMetrics} and
 * {@link LeanHttpClientMetrics}, and pools' meters by {@link LeanPoolMetrics}, which register their gauges once
 * instead of once per connection or pool. Everything else (event bus, JVM) is Vert.x's own.
 */
public final class LeanVertxMetricsFactory implements VertxMetricsFactory {
  private final MeterRegistry registry;
  private final MicrometerMetricsFactory micrometer;
  private final ActiveGauges activeGauges = new ActiveGauges();

  public LeanVertxMetricsFactory(MeterRegistry registry) {
    this.registry = registry;
    this.micrometer = new MicrometerMetricsFactory(registry);
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    return new LeanVertxMetrics(micrometer.metrics(options), registry, activeGauges, options.getMetricsOptions());
  }
}
