package com.timereg.gateway.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Proxy meters in Micrometer: {@code gateway.proxy.requests} (timer with a percentile histogram, tagged by
 * status class) and {@code gateway.proxy.failures} (counter tagged by failure kind and whether it is an
 * upstream fault), {@code gateway.proxy.direct} (how many of the requests took the direct path) and {@code gateway.proxy.tunnels}
 * (WebSocket tunnels open now, on all event loops). Meters are registered up front so the request path never looks them up by tags.
 */
public final class MicrometerProxyMetrics implements ProxyMetrics {

  static final String REQUESTS = "gateway.proxy.requests";
  static final String FAILURES = "gateway.proxy.failures";
  static final String DIRECT = "gateway.proxy.direct";
  static final String TUNNELS = "gateway.proxy.tunnels";
  /** Bucket bounds of {@link #REQUESTS} besides Micrometer's defaults: the p99 targets README's load tests name. */
  static final java.time.Duration[] LATENCY_TARGETS = {java.time.Duration.ofMillis(500), java.time.Duration.ofSeconds(1)};

  private final Timer[] byStatusClass = new Timer[6];
  private final Map<ProxyFailure, Counter> failures = new EnumMap<>(ProxyFailure.class);
  private final Counter direct;
  /** Shared by the proxy instances of all event loops, so the gauge reads the node's total. */
  private final AtomicLong tunnels = new AtomicLong();

  public MicrometerProxyMetrics(MeterRegistry registry) {
    for (int statusClass = 1; statusClass <= 5; statusClass++) {
      byStatusClass[statusClass] = Timer.builder(REQUESTS)
          .description("Requests relayed to the backend, from the proxy step to the end of the response")
          .tag("status", statusClass + "xx")
          .publishPercentileHistogram()
          // The README's latency targets for proxied pages as exact bounds: without them the share of requests
          // within 500 ms or 1 s could only be interpolated between the default bounds around each.
          .serviceLevelObjectives(LATENCY_TARGETS)
          .register(registry);
    }
    for (ProxyFailure failure : ProxyFailure.values()) {
      failures.put(failure, Counter.builder(FAILURES)
          .description("Requests the proxy could not relay, or whose response was cut off, by kind")
          .tag("kind", failure.metricName())
          .tag("upstream", Boolean.toString(failure.upstream()))
          .register(registry));
    }
    direct = Counter.builder(DIRECT)
        .description("Of the requests relayed, those relayed from the connection's pipeline (DirectProxy) "
            + "rather than through the router")
        .register(registry);
    Gauge.builder(TUNNELS, tunnels, AtomicLong::get)
        .description("WebSocket tunnels open now: from the backend's 101 until the client's connection has closed")
        .register(registry);
  }

  @Override
  public void requestCompleted(int status, long durationNanos) {
    int statusClass = status / 100;
    Timer timer = byStatusClass[statusClass >= 1 && statusClass <= 5 ? statusClass : 5];
    timer.record(durationNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void relayedDirectly() {
    direct.increment();
  }

  @Override
  public void tunnelOpened() {
    tunnels.incrementAndGet();
  }

  @Override
  public void tunnelClosed() {
    tunnels.decrementAndGet();
  }

  @Override
  public void failed(ProxyFailure failure) {
    failures.get(failure).increment();
  }
}
