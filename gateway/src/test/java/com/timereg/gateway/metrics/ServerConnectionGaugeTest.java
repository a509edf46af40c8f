package com.timereg.gateway.metrics;

import static com.timereg.gateway.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.CapturedLogs;
import com.timereg.gateway.testsupport.TestPki;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP servers (the public, admin and redirect listeners, one server per event loop) under the gateway's metrics:
 * the {@code vertx.http.server.active.connections} gauge of each listener counts its open connections, HTTP/1.1
 * and HTTP/2 over TLS alike, registered once, so Micrometer has no double registration to report (its WARN at
 * every start of the gateway, as soon as a listener accepted its second connection).
 */
class ServerConnectionGaugeTest {
  @TempDir Path dir;

  @Test
  void connectionsOfHttp1AndTlsHttp2ListenersAreCountedUnderGaugesRegisteredOnce() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = MetricsVertx.vertx(LeanVertxMetricsFactory::new, registry);
    try (CapturedLogs logs = CapturedLogs.atDebug()) {
      List<Future<Void>> closed = new CopyOnWriteArrayList<>();
      // Vert.x tags a server with its configured address (port 0 here): two plain servers under one tag, each
      // with metrics of its own (as the public listener's servers of each event loop), and a TLS one apart.
      HttpServer plain = await(server(vertx, new HttpServerOptions().setHost("127.0.0.1").setPort(0), closed));
      HttpServer plainToo = await(server(vertx, new HttpServerOptions().setHost("127.0.0.1").setPort(0), closed));
      HttpServer tls = await(server(vertx, tlsOptions(), closed));

      List<HttpClientAgent> clients = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions());
        clients.add(client);
        assertThat(await(get(client, "127.0.0.1", (i == 2 ? plainToo : plain).actualPort()))).isEqualTo("HTTP_1_1");
      }
      for (int i = 0; i < 2; i++) {
        HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
            .setSsl(true).setUseAlpn(true).setTrustAll(true).setVerifyHost(false));
        clients.add(client);
        assertThat(await(get(client, "127.0.0.2", tls.actualPort()))).isEqualTo("HTTP_2");
      }

      assertThat(activeConnections(registry, "127.0.0.1")).isEqualTo(3.0);
      assertThat(activeConnections(registry, "127.0.0.2")).isEqualTo(2.0);

      await(clients.remove(0).close());
      await(closed.get(0));
      assertThat(activeConnections(registry, "127.0.0.1")).isEqualTo(2.0);
      for (HttpClientAgent client : clients) {
        await(client.close());
      }
      await(Future.all(closed));
      assertThat(activeConnections(registry, "127.0.0.1")).isZero();
      assertThat(activeConnections(registry, "127.0.0.2")).isZero();
      // (Vert.x 5.0.7 reports an HTTP/1.1 server connection's body bytes only, and written ones only: as its own.)
      assertThat(registry.get("vertx.http.server.bytes.written").tag("local", "127.0.0.1:0")
          .counter().count()).isEqualTo(3 * "HTTP_1_1".length());

      assertThat(logs.lines().stream().filter(l -> l.contains("already registered"))
          .filter(l -> l.contains("vertx.http.server.")).toList()).isEmpty();
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void webSocketsAreCountedUnderOneGaugeRegisteredOnce() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = MetricsVertx.vertx(LeanVertxMetricsFactory::new, registry);
    try (CapturedLogs logs = CapturedLogs.atDebug()) {
      List<Future<Void>> closed = new CopyOnWriteArrayList<>();
      HttpServer server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
          .webSocketHandler(ws -> {
            Promise<Void> done = Promise.promise();
            closed.add(done.future());
            ws.closeHandler(v -> done.tryComplete());
            ws.handler(ws::write);
          })
          .listen());
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions());
      var first = await(client.connect(server.actualPort(), "127.0.0.1", "/"));
      var second = await(client.connect(server.actualPort(), "127.0.0.1", "/"));

      assertThat(registry.get("vertx.http.server.active.ws.connections").gauges()).extracting(g -> g.value())
          .containsExactly(2.0);
      await(first.close());
      await(second.close());
      await(Future.all(closed));
      assertThat(registry.get("vertx.http.server.active.ws.connections").gauge().value()).isZero();
      assertThat(logs.lines().stream().filter(l -> l.contains("already registered"))
          .filter(l -> l.contains("vertx.http.server.")).toList()).isEmpty();
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void sameServerConnectionMetersAsVertxOwnImplementation() throws Exception {
    assertThat(serverMeters(LeanVertxMetricsFactory::new)).isEqualTo(serverMeters(MicrometerMetricsFactory::new))
        .containsKeys("vertx.http.server.active.connections[tag(local=127.0.0.1:0)]",
            "vertx.http.server.bytes.read[tag(local=127.0.0.1:0)]",
            "vertx.http.server.bytes.written[tag(local=127.0.0.1:0)]");
  }

  /** Each vertx.http.server connection meter (name and tags) after two connections, with its value. */
  private Map<String, Double> serverMeters(Function<MeterRegistry, VertxMetricsFactory> factory) throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = MetricsVertx.vertx(factory, registry);
    try {
      List<Future<Void>> closed = new CopyOnWriteArrayList<>();
      HttpServer server = await(server(vertx, new HttpServerOptions().setHost("127.0.0.1").setPort(0), closed));
      for (int i = 0; i < 2; i++) {
        HttpClientAgent client = vertx.createHttpClient();
        await(get(client, "127.0.0.1", server.actualPort()));
        await(client.close());
      }
      await(Future.all(closed));
      return MetricsVertx.connectionMeters(registry, "vertx.http.server.");
    } finally {
      await(vertx.close());
    }
  }

  /** A server answering with the protocol version; each connection's close completes one future of {@code closed}. */
  private static Future<HttpServer> server(Vertx vertx, HttpServerOptions options, List<Future<Void>> closed) {
    return vertx.createHttpServer(options)
        .connectionHandler(connection -> {
          Promise<Void> done = Promise.promise();
          closed.add(done.future());
          connection.closeHandler(v -> done.tryComplete());
        })
        .requestHandler(req -> req.response().end(req.version().name()))
        .listen();
  }

  private HttpServerOptions tlsOptions() throws Exception {
    TestPki.Issued cert = new TestPki("server connection gauge CA").server();
    TestPki.write(cert, dir.resolve("cert.pem"), dir.resolve("key.pem"));
    return new HttpServerOptions().setHost("127.0.0.2").setPort(0).setSsl(true).setUseAlpn(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(dir.resolve("cert.pem").toString())
            .setKeyPath(dir.resolve("key.pem").toString()));
  }

  private static Future<String> get(HttpClientAgent client, String host, int port) {
    return client.request(HttpMethod.GET, port, host, "/")
        .compose(req -> req.send().compose(HttpClientResponse::body))
        .map(Object::toString);
  }

  private static double activeConnections(MeterRegistry registry, String host) {
    List<Double> values = registry.get("vertx.http.server.active.connections").tag("local", host + ":0")
        .gauges().stream().map(g -> g.value()).toList();
    assertThat(values).hasSize(1);
    return values.get(0);
  }
}
