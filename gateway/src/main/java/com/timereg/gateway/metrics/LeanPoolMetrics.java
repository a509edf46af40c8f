package com.timereg.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsNaming;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * A pool's meters ({@code vertx.pool.queue.pending}, {@code .queue.time}, {@code .in.use}, {@code .usage},
 * {@code .ratio}, {@code .completed}), with Vert.x's names, tags and meaning. Vert.x 5.0.7's own registers the
 * gauges again for every pool under the same tags (each event loop's proxy client has a pool per backend address,
 * tagged alike), which Micrometer reports as a double registration (a WARN at the first proxied requests of two
 * event loops), and its ratio divides the in-use count of all those pools by the size of the first alone, so it
 * could read 2.0 with two event loops. Here the gauges are registered once per tag set, in {@link ActiveGauges},
 * and the ratio is the in-use count over the summed size of the pools open under those tags.
 */
final class LeanPoolMetrics implements PoolMetrics<Timer.Sample, Timer.Sample> {
  private static final MetricsNaming NAMES = MicrometerMetricsOptions.DEFAULT_METRICS_NAMING.withBaseName("vertx.pool.");

  private final Timer queueDelay;
  private final LongAdder queueSize;
  private final Timer usage;
  private final LongAdder inUse;
  private final LongAdder capacity;
  private final Counter completed;
  private final int maxSize;
  private boolean closed;

  LeanPoolMetrics(MeterRegistry registry, ActiveGauges activeGauges, Set<Label> labels, String type, String name,
      int maxSize) {
    Tags tags = Tags.empty();
    if (labels.contains(Label.POOL_TYPE) || "http".equals(type)) {
      tags = tags.and(Label.POOL_TYPE.toString(), type);
    }
    if (labels.contains(Label.POOL_NAME) || "http".equals(type)) {
      tags = tags.and(Label.POOL_NAME.toString(), name);
    }
    this.maxSize = maxSize;
    queueDelay = Timer.builder(NAMES.getPoolQueueTime()).description("Time spent in queue before being processed")
        .tags(tags).register(registry);
    queueSize = activeGauges.counter(registry, NAMES.getPoolQueuePending(), "Number of pending elements in queue", tags);
    usage = Timer.builder(NAMES.getPoolUsage()).description("Time using a resource").tags(tags).register(registry);
    inUse = activeGauges.counter(registry, NAMES.getPoolInUse(), "Number of resources used", tags);
    capacity = activeGauges.capacity(registry, NAMES.getPoolUsageRatio(),
        "Pool usage ratio, only present if maximum pool size could be determined", tags, inUse);
    if (maxSize > 0) {
      capacity.add(maxSize);
    }
    completed = Counter.builder(NAMES.getPoolCompleted()).description("Number of elements done with the resource")
        .tags(tags).register(registry);
  }

  @Override
  public Timer.Sample enqueue() {
    queueSize.increment();
    return Timer.start();
  }

  @Override
  public void dequeue(Timer.Sample sample) {
    queueSize.decrement();
    sample.stop(queueDelay);
  }

  @Override
  public Timer.Sample begin() {
    inUse.increment();
    return Timer.start();
  }

  @Override
  public void end(Timer.Sample sample) {
    inUse.decrement();
    sample.stop(usage);
    completed.increment();
  }

  /** The pool is gone: its size no longer counts towards the ratio. */
  @Override
  public synchronized void close() {
    if (!closed && maxSize > 0) {
      closed = true;
      capacity.add(-maxSize);
    }
  }
}
