package com.timereg.gateway.metrics;

import static com.timereg.gateway.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.CapturedLogs;
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
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * HTTP clients (the proxy's, one per event loop, to the backend) under the gateway's metrics: one
 * {@code vertx.http.client.active.connections} gauge counting every client's connections, registered once, so
 * Micrometer has no double registration to report (its WARN once the proxy opened a second backend connection).
 */
class HttpClientConnectionGaugeTest {

  @Test
  void connectionsOfSeveralHttpClientsAddUpUnderOneGaugeRegisteredOnce() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = MetricsVertx.vertx(LeanVertxMetricsFactory::new, registry);
    try (CapturedLogs logs = CapturedLogs.atDebug()) {
      HttpServer backend = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
          .requestHandler(req -> req.response().end("ok")).listen());
      List<Future<Void>> closed = new CopyOnWriteArrayList<>();
      List<HttpClientAgent> clients = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        HttpClientAgent client = client(vertx, closed);
        clients.add(client);
        await(get(client, backend.actualPort()));
      }
      assertThat(registry.get("vertx.http.client.active.connections").tags("local", "?").gauges())
          .extracting(g -> g.value()).containsExactly(3.0);

      for (HttpClientAgent client : clients) {
        await(client.close());
      }
      await(Future.all(closed));
      assertThat(registry.get("vertx.http.client.active.connections").gauge().value()).isZero();

      WebSocketClient webSockets = vertx.createWebSocketClient(new WebSocketClientOptions());
      HttpServer echo = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
          .webSocketHandler(ws -> ws.handler(ws::write)).listen());
      var first = await(webSockets.connect(echo.actualPort(), "127.0.0.1", "/"));
      var second = await(webSockets.connect(echo.actualPort(), "127.0.0.1", "/"));
      assertThat(registry.get("vertx.http.client.active.ws.connections").gauges()).extracting(g -> g.value())
          .containsExactly(2.0);
      Promise<Void> firstClosed = Promise.promise();
      Promise<Void> secondClosed = Promise.promise();
      // Vert.x reports a client WebSocket's end to the metrics after its close handler, in the same task.
      first.closeHandler(v -> Vertx.currentContext().runOnContext(x -> firstClosed.tryComplete()));
      second.closeHandler(v -> Vertx.currentContext().runOnContext(x -> secondClosed.tryComplete()));
      first.close();
      second.close();
      await(Future.all(firstClosed.future(), secondClosed.future()));
      assertThat(registry.get("vertx.http.client.active.ws.connections").gauge().value()).isZero();

      assertThat(logs.lines().stream().filter(l -> l.contains("already registered"))
          .filter(l -> l.contains("vertx.http.client.")).toList()).isEmpty();
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void sameHttpClientConnectionMetersAsVertxOwnImplementation() {
    assertThat(clientMeters(LeanVertxMetricsFactory::new)).isEqualTo(clientMeters(MicrometerMetricsFactory::new))
        .containsKeys("vertx.http.client.active.connections[tag(local=?)]",
            "vertx.http.client.bytes.read[tag(local=?)]", "vertx.http.client.bytes.written[tag(local=?)]");
  }

  /** Each vertx.http.client connection meter (name and tags) after two clients' connections, with its value. */
  private static Map<String, Double> clientMeters(Function<MeterRegistry, VertxMetricsFactory> factory) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = MetricsVertx.vertx(factory, registry);
    try {
      HttpServer backend = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
          .requestHandler(req -> req.response().end("ok")).listen());
      List<Future<Void>> closed = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 2; i++) {
        HttpClientAgent client = client(vertx, closed);
        await(get(client, backend.actualPort()));
        await(client.close());
      }
      await(Future.all(closed));
      return MetricsVertx.connectionMeters(registry, "vertx.http.client.");
    } finally {
      await(vertx.close());
    }
  }

  /** A client whose every connection's close (reported to the metrics before) completes one future of {@code closed}. */
  private static HttpClientAgent client(Vertx vertx, List<Future<Void>> closed) {
    return vertx.httpClientBuilder().with(new HttpClientOptions())
        .withConnectHandler(connection -> {
          Promise<Void> done = Promise.promise();
          closed.add(done.future());
          connection.closeHandler(v -> done.tryComplete());
        })
        .build();
  }

  private static Future<String> get(HttpClientAgent client, int port) {
    return client.request(HttpMethod.GET, port, "127.0.0.1", "/")
        .compose(req -> req.send().compose(HttpClientResponse::body))
        .map(Object::toString);
  }
}
