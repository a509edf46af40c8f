package com.timereg.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsNaming;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The connection meters of one side ({@code vertx.<side>.active.connections}, {@code .bytes.read},
 * {@code .bytes.written}, {@code .errors}), with Vert.x's names, tags and descriptions. Vert.x 5.0.7's own
 * registers the gauge again for every connection, which Micrometer reports as a double registration (its WARN);
 * here it is registered once per tag set, in {@link ActiveGauges}, shared with every other metrics object reporting
 * under those tags, and the byte counters are resolved once per tag set.
 */
final class ConnectionMeters {
  /** The meters of one tag set: every connection with those tags. */
  record Meters(Tags tags, LongAdder active, Counter bytesRead, Counter bytesWritten) {}

  /** One connection's meters; it leaves the gauge once, whatever is reported after its first disconnect. */
  static class Connection {
    final Meters meters;
    private boolean open = true;

    Connection(Meters meters) {
      this.meters = meters;
      meters.active.increment();
    }

    void disconnected() {
      if (open) {
        open = false;
        meters.active.decrement();
      }
    }
  }

  final MetricsNaming names;
  private final MeterRegistry registry;
  private final ActiveGauges activeGauges;
  private final Set<Label> labels;
  private final String activeDescription;
  private final String readDescription;
  private final String writtenDescription;
  private final ConcurrentHashMap<Tags, Meters> meters = new ConcurrentHashMap<>();

  /** @param baseName as Vert.x's: {@code vertx.http.server.}, say */
  ConnectionMeters(MeterRegistry registry, ActiveGauges activeGauges, Set<Label> labels, String baseName,
      String activeDescription, String readDescription, String writtenDescription) {
    this.names = MicrometerMetricsOptions.DEFAULT_METRICS_NAMING.withBaseName(baseName);
    this.registry = registry;
    this.activeGauges = activeGauges;
    this.labels = labels;
    this.activeDescription = activeDescription;
    this.readDescription = readDescription;
    this.writtenDescription = writtenDescription;
  }

  Meters meters(Tags tags) {
    return meters.computeIfAbsent(tags, t -> new Meters(t,
        activeGauges.counter(registry, names.getNetActiveConnections(), activeDescription, t),
        Counter.builder(names.getNetBytesRead()).description(readDescription).tags(t).register(registry),
        Counter.builder(names.getNetBytesWritten()).description(writtenDescription).tags(t).register(registry)));
  }

  /** Rare, so looked up when it happens, as by Vert.x. */
  void error(Meters meters, Throwable t) {
    Tags tags = labels.contains(Label.CLASS_NAME)
        ? meters.tags().and(Label.CLASS_NAME.toString(), t.getClass().getSimpleName())
        : meters.tags();
    Counter.builder(names.getNetErrorCount()).description("Number of errors").tags(tags).register(registry).increment();
  }
}
