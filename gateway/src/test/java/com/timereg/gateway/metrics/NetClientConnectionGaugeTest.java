package com.timereg.gateway.metrics;

import static com.timereg.gateway.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.testsupport.CapturedLogs;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * NetClients (PostgreSQL's pool, its LISTEN connection) under the gateway's metrics: one active-connections
 * gauge counting every client's connections, registered once, so Micrometer has no double registration to
 * report (its WARN at every start of the gateway).
 */
class NetClientConnectionGaugeTest {

  @Test
  void connectionsOfSeveralNetClientsAddUpUnderOneGaugeRegisteredOnce() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).addLabels(Label.LOCAL)))
        .withMetrics(new LeanVertxMetricsFactory(registry))
        .build();
    try (CapturedLogs logs = CapturedLogs.atDebug()) {
      NetServer server = await(vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
          .connectHandler(socket -> socket.handler(socket::write)).listen());
      NetClient pool = vertx.createNetClient();
      NetClient listen = vertx.createNetClient();
      NetSocket first = await(pool.connect(server.actualPort(), "127.0.0.1"));
      NetSocket second = await(pool.connect(server.actualPort(), "127.0.0.1"));
      NetSocket third = await(listen.connect(server.actualPort(), "127.0.0.1"));
      echo(third, "ping");

      assertThat(registry.get("vertx.net.client.active.connections").tags("local", "?").gauges())
          .extracting(g -> g.value()).containsExactly(3.0);

      close(third);
      close(first);
      assertThat(registry.get("vertx.net.client.active.connections").gauge().value()).isEqualTo(1.0);
      close(second);
      assertThat(registry.get("vertx.net.client.active.connections").gauge().value()).isZero();
      assertThat(registry.scrape()).contains("vertx_net_client_active_connections{local=\"?\"} 0.0");
      // Vert.x reports a connection's bytes in batches, at the latest when it closes.
      assertThat(registry.get("vertx.net.client.bytes.written").tags("local", "?").counter().count()).isEqualTo(4);
      assertThat(registry.get("vertx.net.client.bytes.read").tags("local", "?").counter().count()).isEqualTo(4);

      // (This test's NetServer still registers its gauge again per connection: Vert.x's own server metrics.)
      List<String> doubleRegistrations = logs.lines().stream().filter(l -> l.contains("already registered"))
          .filter(l -> l.contains("vertx.net.client.")).toList();
      assertThat(doubleRegistrations).isEmpty();
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void sameNetClientMetersAsVertxOwnImplementation() {
    assertThat(netClientMeters(LeanVertxMetricsFactory::new)).isEqualTo(netClientMeters(MicrometerMetricsFactory::new))
        .containsKeys("vertx.net.client.active.connections[tag(local=?)]", "vertx.net.client.bytes.read[tag(local=?)]",
            "vertx.net.client.bytes.written[tag(local=?)]");
  }

  @Test
  void requestsOfSeveralSqlConnectionsAddUpUnderOnePendingGaugeRegisteredOnce() {
    java.util.Map<String, Double> vertxOwn = sqlClientMeters(MicrometerMetricsFactory::new, null);
    try (CapturedLogs logs = CapturedLogs.atDebug()) {
      java.util.Map<String, Double> lean = sqlClientMeters(LeanVertxMetricsFactory::new, 2.0);
      assertThat(lean).isEqualTo(vertxOwn).containsKeys("vertx.sql.processing.pending[]", "vertx.sql.processing.time[]");
      assertThat(logs.lines().stream().filter(l -> l.contains("already registered")).toList()).isEmpty();
    }
  }

  /**
   * The vertx.sql meters after one query on each of two SQL connections (each with client metrics of its own, as
   * PostgreSQL's pool and LISTEN connection), checking the pending gauge reads {@code pendingWhileOpen} meanwhile.
   */
  private static java.util.Map<String, Double> sqlClientMeters(
      java.util.function.Function<io.micrometer.core.instrument.MeterRegistry, io.vertx.core.spi.VertxMetricsFactory> factory,
      Double pendingWhileOpen) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    io.vertx.core.spi.metrics.VertxMetrics metrics = factory.apply(registry).metrics(new VertxOptions()
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).addLabels(Label.LOCAL)));
    try {
      io.vertx.core.net.SocketAddress db = io.vertx.core.net.SocketAddress.inetSocketAddress(5432, "127.0.0.1");
      @SuppressWarnings("unchecked")
      io.vertx.core.spi.metrics.ClientMetrics<Object, Object, Object> pool =
          (io.vertx.core.spi.metrics.ClientMetrics<Object, Object, Object>) metrics.createClientMetrics(db, "sql", null);
      @SuppressWarnings("unchecked")
      io.vertx.core.spi.metrics.ClientMetrics<Object, Object, Object> listen =
          (io.vertx.core.spi.metrics.ClientMetrics<Object, Object, Object>) metrics.createClientMetrics(db, "sql", null);
      Object first = pool.requestBegin("SELECT 1", null);
      Object second = listen.requestBegin("LISTEN x", null);
      if (pendingWhileOpen != null) {
        assertThat(registry.get("vertx.sql.processing.pending").gauges()).extracting(g -> g.value())
            .containsExactly(pendingWhileOpen);
      }
      pool.responseEnd(first);
      listen.responseEnd(second);
      java.util.Map<String, Double> meters = new java.util.TreeMap<>();
      for (io.micrometer.core.instrument.Meter m : registry.getMeters()) {
        if (m.getId().getName().startsWith("vertx.sql.")) {
          meters.put(m.getId().getName() + m.getId().getTags(), m.measure().iterator().next().getValue());
        }
      }
      return meters;
    } finally {
      metrics.close();
    }
  }

  /** Each vertx.net.client meter (name and tags) after two clients' connections, with its value. */
  private static java.util.Map<String, Double> netClientMeters(
      java.util.function.Function<io.micrometer.core.instrument.MeterRegistry, io.vertx.core.spi.VertxMetricsFactory> factory) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).addLabels(Label.LOCAL)))
        .withMetrics(factory.apply(registry))
        .build();
    try {
      NetServer server = await(vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
          .connectHandler(socket -> socket.handler(socket::write)).listen());
      for (NetClient client : List.of(vertx.createNetClient(), vertx.createNetClient())) {
        NetSocket socket = await(client.connect(server.actualPort(), "127.0.0.1"));
        echo(socket, "ping");
        close(socket);
      }
      java.util.Map<String, Double> meters = new java.util.TreeMap<>();
      for (io.micrometer.core.instrument.Meter m : registry.getMeters()) {
        if (m.getId().getName().startsWith("vertx.net.client.")) {
          meters.put(m.getId().getName() + m.getId().getTags(), m.measure().iterator().next().getValue());
        }
      }
      return meters;
    } finally {
      await(vertx.close());
    }
  }

  /** Closes {@code socket} and waits until Vert.x has handled the close (and reported it to the metrics). */
  private static void close(NetSocket socket) {
    io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
    socket.closeHandler(v -> closed.tryComplete());
    socket.close();
    await(closed.future());
  }

  private static void echo(NetSocket socket, String text) {
    io.vertx.core.Promise<Buffer> echoed = io.vertx.core.Promise.promise();
    Buffer received = Buffer.buffer();
    socket.handler(b -> {
      received.appendBuffer(b);
      if (received.length() >= text.length()) {
        echoed.tryComplete(received);
      }
    });
    socket.write(text);
    assertThat(await(echoed.future()).toString()).isEqualTo(text);
  }
}
