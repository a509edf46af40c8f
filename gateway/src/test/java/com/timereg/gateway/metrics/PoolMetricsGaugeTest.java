package com.timereg.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.CapturedLogs;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Pools under the same tags (each event loop's proxy client has its own pool per backend address): one set of
 * vertx.pool gauges, registered once, whose ratio is the use of all those pools over their summed size.
 */
class PoolMetricsGaugeTest {

  @Test
  void poolsUnderTheSameTagsShareGaugesRegisteredOnceAndTheRatioIsOverTheirSummedSize() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxMetrics metrics = metrics(LeanVertxMetricsFactory::new, registry);
    try (CapturedLogs logs = CapturedLogs.atDebug()) {
      @SuppressWarnings("unchecked")
      PoolMetrics<Object, Object> first = (PoolMetrics<Object, Object>) metrics.createPoolMetrics("http", "127.0.0.1:8080", 4);
      @SuppressWarnings("unchecked")
      PoolMetrics<Object, Object> second = (PoolMetrics<Object, Object>) metrics.createPoolMetrics("http", "127.0.0.1:8080", 4);
      Object a = first.begin();
      Object b = second.begin();
      Object queued = second.enqueue();

      assertThat(gauge(registry, "vertx.pool.in.use")).isEqualTo(2.0);
      assertThat(gauge(registry, "vertx.pool.queue.pending")).isEqualTo(1.0);
      // Two of the eight connections the two pools may open, not two of the first pool's four.
      assertThat(gauge(registry, "vertx.pool.ratio")).isEqualTo(0.25);

      second.dequeue(queued);
      first.end(a);
      second.end(b);
      first.close();
      Object c = second.begin();
      assertThat(gauge(registry, "vertx.pool.ratio")).isEqualTo(0.25);
      second.end(c);
      assertThat(gauge(registry, "vertx.pool.in.use")).isZero();
      assertThat(gauge(registry, "vertx.pool.queue.pending")).isZero();
      assertThat(logs.lines().stream().filter(l -> l.contains("already registered")).toList()).isEmpty();
    } finally {
      metrics.close();
    }
  }

  @Test
  void samePoolMetersAsVertxOwnImplementation() {
    assertThat(poolMeters(LeanVertxMetricsFactory::new)).isEqualTo(poolMeters(MicrometerMetricsFactory::new))
        .containsKeys("vertx.pool.in.use[tag(pool_name=127.0.0.1:8080), tag(pool_type=http)]",
            "vertx.pool.completed[tag(pool_name=127.0.0.1:8080), tag(pool_type=http)]",
            "vertx.pool.in.use[tag(pool_name=vert.x-worker-thread), tag(pool_type=worker)]");
  }

  /** Each vertx.pool meter (name and tags) after one use of an http pool and a worker pool, with its value. */
  private static Map<String, Double> poolMeters(Function<MeterRegistry, VertxMetricsFactory> factory) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxMetrics metrics = metrics(factory, registry);
    try {
      for (String[] pool : new String[][] {{"http", "127.0.0.1:8080"}, {"worker", "vert.x-worker-thread"}}) {
        @SuppressWarnings("unchecked")
        PoolMetrics<Object, Object> p = (PoolMetrics<Object, Object>) metrics.createPoolMetrics(pool[0], pool[1], 4);
        p.dequeue(p.enqueue());
        p.end(p.begin());
      }
      Map<String, Double> meters = new TreeMap<>();
      for (Meter m : registry.getMeters()) {
        if (m.getId().getName().startsWith("vertx.pool.")) {
          meters.put(m.getId().getName() + m.getId().getTags(), m.getId().getName().endsWith("time")
              || m.getId().getName().endsWith("usage") ? 0.0 : m.measure().iterator().next().getValue());
        }
      }
      return meters;
    } finally {
      metrics.close();
    }
  }

  private static VertxMetrics metrics(Function<MeterRegistry, VertxMetricsFactory> factory, MeterRegistry registry) {
    return factory.apply(registry).metrics(new VertxOptions()
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).addLabels(Label.LOCAL)));
  }

  private static double gauge(MeterRegistry registry, String name) {
    return registry.get(name).tags("pool_type", "http", "pool_name", "127.0.0.1:8080").gauge().value();
  }
}
