package com.timereg.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsNaming;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.impl.tags.Labels;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * A client's request meters ({@code vertx.<type>.processing.time}, {@code .processing.pending}, {@code .resets};
 * type {@code sql} for PostgreSQL's pool and LISTEN connection), with Vert.x's names, tags and meaning. Vert.x
 * 5.0.7's own registers the pending gauge again for every client metrics object (every SQL connection), which
 * Micrometer reports as a double registration; here it is registered once per meter id, in {@link ActiveGauges}.
 */
final class LeanClientMetrics implements ClientMetrics<Timer.Sample, Object, Object> {
  private final LongAdder pending;
  private final Timer processingTime;
  private final Counter resets;

  LeanClientMetrics(MeterRegistry registry, ActiveGauges activeGauges, Set<Label> labels, SocketAddress remoteAddress,
      String type, String namespace) {
    MetricsNaming names = MicrometerMetricsOptions.DEFAULT_METRICS_NAMING.withBaseName("vertx." + type + ".");
    Tags tags = labels.contains(Label.REMOTE)
        ? Tags.of(Label.REMOTE.toString(), Labels.address(remoteAddress))
        : Tags.empty();
    if (labels.contains(Label.NAMESPACE)) {
      tags = tags.and(Label.NAMESPACE.toString(), namespace == null ? "" : namespace);
    }
    this.processingTime = Timer.builder(names.getClientProcessingTime())
        .description("Processing time, from request start to response end").tags(tags).register(registry);
    this.pending = activeGauges.counter(registry, names.getClientProcessingPending(),
        "Number of elements being processed", tags);
    this.resets = Counter.builder(names.getClientResetsCount()).description("Total number of resets").tags(tags)
        .register(registry);
  }

  @Override
  public Timer.Sample requestBegin(String uri, Object request) {
    pending.increment();
    return Timer.start();
  }

  @Override
  public void requestReset(Timer.Sample sample) {
    pending.decrement();
    sample.stop(processingTime);
    resets.increment();
  }

  @Override
  public void responseEnd(Timer.Sample sample) {
    pending.decrement();
    sample.stop(processingTime);
  }
}
