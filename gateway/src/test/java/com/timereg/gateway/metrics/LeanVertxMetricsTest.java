package com.timereg.gateway.metrics;

import static com.timereg.gateway.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The lean HTTP meters against Vert.x's own implementation: the same traffic through a real server and
 * client must give the same meters (names and tag sets) with the same counts, sizes and active gauges.
 */
class LeanVertxMetricsTest {

  @Test
  void sameMetersAndCountsAsVertxOwnImplementation() {
    java.util.Map<String, Double> activeVertxOwn = new java.util.TreeMap<>();
    java.util.Map<String, Double> activeLean = new java.util.TreeMap<>();
    PrometheusMeterRegistry vertxOwn = run(MicrometerMetricsFactory::new, activeVertxOwn);
    PrometheusMeterRegistry lean = run(LeanVertxMetricsFactory::new, activeLean);

    assertThat(httpMeters(lean)).isEqualTo(httpMeters(vertxOwn)).isNotEmpty();
    for (MeterRegistry r : new MeterRegistry[] {vertxOwn, lean}) {
      assertThat(r.get("vertx.http.server.requests").tags("method", "GET", "code", "200").counter().count()).isEqualTo(3);
      assertThat(r.get("vertx.http.server.requests").tags("method", "POST", "code", "404").counter().count()).isEqualTo(1);
      assertThat(r.get("vertx.http.server.response.time").tags("method", "GET", "code", "200").timer().count()).isEqualTo(3);
      assertThat(r.get("vertx.http.server.request.bytes").tags("method", "POST").summary().totalAmount()).isEqualTo(5);
      assertThat(r.get("vertx.http.server.response.bytes").tags("method", "GET", "code", "200").summary().totalAmount())
          .isEqualTo(3 * "hello".length());
      assertThat(r.get("vertx.http.client.requests").tags("method", "GET").counter().count()).isEqualTo(3);
      assertThat(r.get("vertx.http.client.responses").tags("method", "POST", "code", "404").counter().count()).isEqualTo(1);
      assertThat(r.get("vertx.http.client.response.time").tags("method", "GET", "code", "200").timer().count()).isEqualTo(3);
    }
    assertThat(activeLean).isEqualTo(activeVertxOwn).isNotEmpty()
        .allSatisfy((id, value) -> assertThat(value).as(id).isZero());
  }

  @Test
  void activeRequestsOfSeveralServersAndClientsAddUpUnderOneGauge() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
        .withMetrics(new LeanVertxMetricsFactory(registry))
        .build();
    try {
      java.util.List<io.vertx.core.Promise<Void>> held = new java.util.concurrent.CopyOnWriteArrayList<>();
      io.vertx.core.Promise<Void> bothArrived = io.vertx.core.Promise.promise();
      io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> holding = req -> {
        io.vertx.core.Promise<Void> release = io.vertx.core.Promise.promise();
        held.add(release);
        release.future().onComplete(done -> req.response().end("ok"));
        if (held.size() == 2) {
          bothArrived.tryComplete();
        }
      };
      // Two servers (as the public listener runs one per event loop) and two clients (one per event loop's
      // proxy): each has meters of its own, under the same tags (no local address label here).
      HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
      HttpServer first = await(vertx.createHttpServer(options).requestHandler(holding).listen());
      HttpServer second = await(vertx.createHttpServer(options).requestHandler(holding).listen());
      HttpClient a = vertx.createHttpClient();
      HttpClient b = vertx.createHttpClient();
      Future<Buffer> fromA = call(a, first.actualPort(), HttpMethod.GET, null);
      Future<Buffer> fromB = call(b, second.actualPort(), HttpMethod.GET, null);
      await(bothArrived.future());

      assertThat(registry.get("vertx.http.client.active.requests").gauges())
          .extracting(g -> g.value()).containsExactly(2.0);
      assertThat(registry.get("vertx.http.server.active.requests").gauges())
          .extracting(g -> g.value()).containsExactly(2.0);

      held.forEach(io.vertx.core.Promise::complete);
      await(fromA);
      await(fromB);
      assertThat(registry.get("vertx.http.client.active.requests").gauge().value()).isZero();
      assertThat(registry.get("vertx.http.server.active.requests").gauge().value()).isZero();
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void leanOnlyWhereVertxOwnImplementationWouldNotDoMore() {
    MeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HttpServerOptions server = new HttpServerOptions();
    io.vertx.core.net.SocketAddress local = io.vertx.core.net.SocketAddress.inetSocketAddress(8443, "127.0.0.1");
    VertxOptions gateway = new VertxOptions().setMetricsOptions(
        new MicrometerMetricsOptions().setEnabled(true).addLabels(Label.LOCAL));
    VertxOptions withPaths = new VertxOptions().setMetricsOptions(
        new MicrometerMetricsOptions().setEnabled(true).addLabels(Label.HTTP_PATH));

    // Each metrics instance holds the registry under Vert.x's global registry name until closed.
    io.vertx.core.spi.metrics.VertxMetrics lean = new LeanVertxMetricsFactory(registry).metrics(gateway);
    try {
      assertThat(lean.createHttpServerMetrics(server, local)).isInstanceOf(LeanHttpServerMetrics.class);
      assertThat(lean.createHttpClientMetrics(new io.vertx.core.http.HttpClientOptions()))
          .isInstanceOf(LeanHttpClientMetrics.class);
    } finally {
      lean.close();
    }
    io.vertx.core.spi.metrics.VertxMetrics paths = new LeanVertxMetricsFactory(registry).metrics(withPaths);
    try {
      assertThat(paths.createHttpServerMetrics(server, local)).isNotInstanceOf(LeanHttpServerMetrics.class).isNotNull();
    } finally {
      paths.close();
    }
  }

  @Test
  void methodsOutsideTheKnownSetShareOneTagValueSoClientsCannotGrowTheRegistry() {
    // Any token is a valid HTTP method to Netty and Vert.x; as a tag value each new one would register
    // five more meters for good (and as many Prometheus series), so a scanner sending random methods
    // would grow the registry and every scrape without bound.
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).addLabels(Label.LOCAL)))
        .withMetrics(new LeanVertxMetricsFactory(registry))
        .build();
    try {
      HttpServer server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
          .requestHandler(req -> req.response().setStatusCode(405).end())
          .listen());
      HttpClient client = vertx.createHttpClient();
      Context context = vertx.getOrCreateContext();
      for (int i = 0; i < 20; i++) {
        HttpMethod random = HttpMethod.valueOf("SCAN" + i);
        await(context, () -> call(client, server.actualPort(), random, null));
      }
      await(context, () -> call(client, server.actualPort(), HttpMethod.GET, null));

      Set<String> methods = new TreeSet<>();
      for (Meter m : registry.getMeters()) {
        if (m.getId().getName().startsWith("vertx.http.") && m.getId().getTag("method") != null) {
          methods.add(m.getId().getTag("method"));
        }
      }
      assertThat(methods).containsExactly("GET", "OTHER");
      assertThat(registry.get("vertx.http.server.requests").tags("method", "OTHER", "code", "405").counter().count())
          .isEqualTo(20);
      assertThat(registry.get("vertx.http.client.requests").tags("method", "OTHER").counter().count()).isEqualTo(20);
    } finally {
      await(vertx.close());
    }
  }

  /**
   * Status codes outside 100..599 (a broken backend's 999 or 600) share one set of meters; it is labelled
   * {@code other}, not with whichever such code came first, so a dashboard does not show 600s as 999s.
   */
  @Test
  void statusCodesOutsideTheRangeAreCountedAsOtherNotAsTheFirstSuchCode() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).addLabels(Label.LOCAL)))
        .withMetrics(new LeanVertxMetricsFactory(registry))
        .build();
    try {
      java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
      int[] codes = {999, 600, 600};
      io.vertx.core.net.NetServer backend = await(vertx.createNetServer().connectHandler(socket -> socket.handler(data ->
          socket.write("HTTP/1.1 " + codes[next.getAndIncrement()] + " Odd\r\nContent-Length: 0\r\n\r\n")))
          .listen(0, "127.0.0.1"));
      HttpClient client = vertx.createHttpClient();
      Context context = vertx.getOrCreateContext();
      for (int i = 0; i < codes.length; i++) {
        await(context, () -> call(client, backend.actualPort(), HttpMethod.GET, null));
      }

      Set<String> labels = new TreeSet<>();
      for (Meter m : registry.find("vertx.http.client.responses").meters()) {
        labels.add(m.getId().getTag("code"));
      }
      assertThat(labels).containsExactly("other");
      assertThat(registry.get("vertx.http.client.responses").tags("code", "other").counter().count()).isEqualTo(3);
    } finally {
      await(vertx.close());
    }
  }

  /** Three GETs answered 200 and one POST with a 5-byte body answered 404, through a real server and client. */
  /**
   * @param active filled with the active-request gauges while Vert.x still runs: once it is closed, Vert.x's
   *     own gauges may read NaN (Micrometer holds their counters weakly)
   */
  private static PrometheusMeterRegistry run(Function<MeterRegistry, VertxMetricsFactory> factory,
      java.util.Map<String, Double> active) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).addLabels(Label.LOCAL)))
        .withMetrics(factory.apply(registry))
        .build();
    try {
      HttpServer server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
          .requestHandler(req -> req.body().onComplete(body ->
              req.response().setStatusCode(req.method() == HttpMethod.GET ? 200 : 404).end("hello".substring(0,
                  req.method() == HttpMethod.GET ? 5 : 0))))
          .listen());
      HttpClient client = vertx.createHttpClient();
      Context context = vertx.getOrCreateContext();
      for (int i = 0; i < 3; i++) {
        await(context, () -> call(client, server.actualPort(), HttpMethod.GET, null));
      }
      await(context, () -> call(client, server.actualPort(), HttpMethod.POST, Buffer.buffer("abcde")));
      for (Meter m : Search.in(registry).name(n -> n.endsWith("active.requests")).meters()) {
        active.put(m.getId().getName() + " " + m.getId().getTag("method"), m.measure().iterator().next().getValue());
      }
      return registry;
    } finally {
      await(vertx.close());
    }
  }

  private static Future<Buffer> call(HttpClient client, int port, HttpMethod method, Buffer body) {
    return client.request(method, port, "127.0.0.1", "/x")
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(HttpClientResponse::body);
  }

  /** Every vertx.http.* meter as name and tag keys (values such as ports differ between runs). */
  private static Set<String> httpMeters(MeterRegistry registry) {
    Set<String> out = new TreeSet<>();
    for (Meter m : registry.getMeters()) {
      if (m.getId().getName().startsWith("vertx.http.")) {
        StringBuilder s = new StringBuilder(m.getId().getName()).append(' ').append(m.getId().getType());
        m.getId().getTags().forEach(t -> s.append(' ').append(t.getKey()).append(t.getKey().equals("local") ? "" : "=" + t.getValue()));
        out.add(s.toString());
      }
    }
    return out;
  }
}
