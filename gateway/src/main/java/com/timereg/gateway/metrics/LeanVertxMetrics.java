package com.timereg.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;

/** Vert.x's Micrometer metrics with lean per-request HTTP meters; see {@link LeanVertxMetricsFactory}. */
final class LeanVertxMetrics implements VertxMetrics {
  private final VertxMetrics delegate;
  private final MeterRegistry registry;
  private final ActiveGauges activeGauges;
  private final EnumSet<Label> labels;
  private final java.util.Set<String> disabledCategories;
  /** False when the options ask for what only Vert.x's implementation does (paths, routes, own tags, names). */
  private final boolean lean;

  LeanVertxMetrics(VertxMetrics delegate, MeterRegistry registry, ActiveGauges activeGauges, MetricsOptions options) {
    this.delegate = delegate;
    this.registry = registry;
    this.activeGauges = activeGauges;
    this.labels = EnumSet.noneOf(Label.class);
    MicrometerMetricsOptions micrometer = options instanceof MicrometerMetricsOptions m ? m : new MicrometerMetricsOptions();
    this.disabledCategories = micrometer.getDisabledMetricsCategories() == null
        ? java.util.Set.of() : java.util.Set.copyOf(micrometer.getDisabledMetricsCategories());
    labels.addAll(micrometer.getLabels() != null ? micrometer.getLabels() : MicrometerMetricsOptions.DEFAULT_LABELS);
    this.lean = !labels.contains(Label.HTTP_PATH) && !labels.contains(Label.HTTP_ROUTE)
        && micrometer.getServerRequestTagsProvider() == null && micrometer.getClientRequestTagsProvider() == null
        && micrometer.getMetricsNaming() == MicrometerMetricsOptions.DEFAULT_METRICS_NAMING;
  }

  @Override
  public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions options, SocketAddress localAddress) {
    HttpServerMetrics<?, ?, ?> vertx = delegate.createHttpServerMetrics(options, localAddress);
    return vertx == null || !lean ? vertx : new LeanHttpServerMetrics(vertx, registry, activeGauges, labels, localAddress);
  }

  @Override
  public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions options) {
    HttpClientMetrics<?, ?, ?> vertx = delegate.createHttpClientMetrics(options);
    return vertx == null || !lean ? vertx : new LeanHttpClientMetrics(vertx, registry, activeGauges, labels, options);
  }

  @Override
  public EventBusMetrics<?> createEventBusMetrics() {
    return delegate.createEventBusMetrics();
  }

  @Override
  public ClientMetrics<?, ?, ?> createClientMetrics(SocketAddress remoteAddress, String type, String namespace) {
    if (!lean || !delegate.isMetricsEnabled() || disabledCategories.contains(type)) {
      return delegate.createClientMetrics(remoteAddress, type, namespace);
    }
    return new LeanClientMetrics(registry, activeGauges, labels, remoteAddress, type, namespace);
  }

  @Override
  public TCPMetrics<?> createNetServerMetrics(NetServerOptions options, SocketAddress localAddress) {
    return delegate.createNetServerMetrics(options, localAddress);
  }

  @Override
  public TCPMetrics<?> createNetClientMetrics(NetClientOptions options) {
    TCPMetrics<?> vertx = delegate.createNetClientMetrics(options);
    return vertx == null || !lean ? vertx : new LeanNetClientMetrics(registry, activeGauges, labels, options);
  }

  @Override
  public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions options) {
    return delegate.createDatagramSocketMetrics(options);
  }

  @Override
  public PoolMetrics<?, ?> createPoolMetrics(String type, String name, int maxSize) {
    if (!lean || !delegate.isMetricsEnabled() || disabledCategories.contains(io.vertx.micrometer.MetricsDomain.NAMED_POOLS.toCategory())) {
      return delegate.createPoolMetrics(type, name, maxSize);
    }
    return new LeanPoolMetrics(registry, activeGauges, labels, type, name, maxSize);
  }

  @Override
  public void vertxCreated(Vertx vertx) {
    delegate.vertxCreated(vertx);
  }

  @Override
  public boolean isMetricsEnabled() {
    return delegate.isMetricsEnabled();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
