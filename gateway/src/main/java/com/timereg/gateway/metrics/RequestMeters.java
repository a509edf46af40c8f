package com.timereg.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The per-request meters of one HTTP server or client side, Vert.x's names and tags, each resolved
 * once per (method, status) and then kept: the request path does map reads and adds, no registry
 * lookups. Thread-safe; several event loops share one instance.
 */
final class RequestMeters {
  /** Meters that depend on the method only. */
  final class ByMethod {
    /** Shared with every other side reporting under the same tags (see {@link ActiveGauges}). */
    final LongAdder active;
    final Counter requests;
    final DistributionSummary requestBytes;
    private final Tags tags;
    private final AtomicReferenceArray<ByStatus> byStatus = new AtomicReferenceArray<>(600);

    private ByMethod(Tags tags) {
      this.tags = tags;
      active = activeGauges.counter(registry, prefix + "active.requests",
          server ? "Number of requests being processed" : "Number of requests waiting for a response", tags);
      requests = server ? null : Counter.builder(prefix + "requests").description("Number of requests sent")
          .tags(tags).register(registry);
      requestBytes = DistributionSummary.builder(prefix + "request.bytes").description("Size of requests in bytes")
          .tags(tags).register(registry);
    }

    /** Rare, so looked up when it happens: registered only once there is something to count, as by Vert.x. */
    void reset() {
      Counter.builder(prefix + "request.resets").description("Number of request resets").tags(tags).register(registry)
          .increment();
    }

    ByStatus status(int code) {
      int slot = codeLabel && code >= 100 && code < 600 ? code : 0;
      ByStatus s = byStatus.get(slot);
      if (s == null) {
        // Codes outside 100..599 share slot 0: labelled as such, not as whichever of them came first.
        Tags t = codeLabel ? tags.and("code", slot == 0 ? "other" : Integer.toString(slot)) : tags;
        byStatus.compareAndSet(slot, null, new ByStatus(t));
        s = byStatus.get(slot);
      }
      return s;
    }
  }

  /** Meters that depend on the method and the status code. */
  final class ByStatus {
    final Counter count;
    final Timer time;
    final DistributionSummary bytes;

    private ByStatus(Tags tags) {
      // Registering an existing meter returns it, so a lost race above costs nothing but the lookup.
      count = Counter.builder(prefix + (server ? "requests" : "responses"))
          .description(server ? "Number of processed requests" : "Response count with codes").tags(tags).register(registry);
      time = Timer.builder(prefix + "response.time")
          .description(server ? "Request processing time" : "Response time").tags(tags).register(registry);
      bytes = DistributionSummary.builder(prefix + "response.bytes").description("Size of responses in bytes")
          .tags(tags).register(registry);
    }

    void record(long startNanos, long bytesCount) {
      count.increment();
      time.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
      bytes.record(bytesCount);
    }
  }

  private static final java.util.Set<HttpMethod> KNOWN_METHODS = java.util.Set.copyOf(HttpMethod.values());
  static final HttpMethod OTHER = HttpMethod.valueOf("OTHER");

  private final MeterRegistry registry;
  private final ActiveGauges activeGauges;
  private final boolean server;
  private final String prefix;
  private final Tags base;
  private final boolean methodLabel;
  private final boolean codeLabel;
  private final ConcurrentHashMap<HttpMethod, ByMethod> byMethod = new ConcurrentHashMap<>();
  private final ByMethod anyMethod;

  RequestMeters(MeterRegistry registry, ActiveGauges activeGauges, boolean server, Tags base, boolean methodLabel,
      boolean codeLabel) {
    this.registry = registry;
    this.activeGauges = activeGauges;
    this.server = server;
    this.prefix = server ? "vertx.http.server." : "vertx.http.client.";
    this.base = base;
    this.methodLabel = methodLabel;
    this.codeLabel = codeLabel;
    this.anyMethod = methodLabel ? null : new ByMethod(base);
  }

  /**
   * Any token is a method to Netty and Vert.x, and a client chooses it: as a tag value each new one would
   * register meters for good (and Prometheus series on every scrape), so methods outside Vert.x's known set
   * are all counted as {@code OTHER}.
   */
  ByMethod method(HttpMethod method) {
    if (!methodLabel) {
      return anyMethod;
    }
    ByMethod m = byMethod.get(method);
    if (m != null) {
      // Only known methods (and OTHER) are ever keys, so the common case needs no look at the known set.
      return m;
    }
    HttpMethod key = KNOWN_METHODS.contains(method) ? method : OTHER;
    return byMethod.computeIfAbsent(key, k -> new ByMethod(base.and("method", k.toString())));
  }
}
