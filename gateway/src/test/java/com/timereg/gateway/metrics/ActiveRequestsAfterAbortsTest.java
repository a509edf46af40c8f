package com.timereg.gateway.metrics;

import static com.timereg.gateway.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.search.Search;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every way a request can end early must bring the active-request gauges back to zero: a gauge that keeps a
 * request counted after its connection is gone drifts upwards for good, and a client can push it at will.
 */
class ActiveRequestsAfterAbortsTest {
  private PrometheusMeterRegistry registry;
  private Vertx vertx;

  @BeforeEach
  void start() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).addLabels(Label.LOCAL)))
        .withMetrics(new LeanVertxMetricsFactory(registry))
        .build();
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  private HttpServer server(Handler<HttpServerRequest> handler) {
    return await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(handler).listen());
  }

  private NetSocket raw(HttpServer server) {
    return await(vertx.createNetClient().connect(server.actualPort(), "127.0.0.1"));
  }

  private double active(String side) {
    return Search.in(registry).name("vertx.http." + side + ".active.requests").gauges().stream()
        .mapToDouble(g -> g.value()).sum();
  }

  private void eventuallyZero(String side) {
    Promise<Void> done = Promise.promise();
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    poll(side, deadline, done);
    await(done.future());
  }

  private void poll(String side, long deadline, Promise<Void> done) {
    double value = active(side);
    if (value == 0) {
      done.complete();
    } else if (System.nanoTime() - deadline > 0) {
      done.fail(new AssertionError(side + " active requests stay at " + value));
    } else {
      vertx.setTimer(10, t -> poll(side, deadline, done));
    }
  }

  /**
   * A raw client sends {@code request}; the server's handler completes its promise once the request got as far
   * as the case wants, and then the client closes. The server's gauge must come back to 0.
   *
   * @param countedMeanwhile also check that the request is counted while it is under way
   */
  private void closeOnceReached(String request, java.util.function.Function<Promise<Void>, Handler<HttpServerRequest>> handler,
      boolean countedMeanwhile) {
    Promise<Void> reached = Promise.promise();
    NetSocket socket = raw(server(handler.apply(reached)));
    socket.write(request);
    await(reached.future());
    if (countedMeanwhile) {
      assertThat(active("server")).isEqualTo(1);
    }
    socket.close();
    eventuallyZero("server");
  }

  @Test
  void serverGaugeReturnsToZeroWhenClientClosesDuringRequestBody() {
    closeOnceReached("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc",
        reached -> req -> reached.tryComplete(), true);
  }

  @Test
  void serverGaugeReturnsToZeroWhenClientClosesWhileWaitingForResponse() {
    closeOnceReached("GET /x HTTP/1.1\r\nHost: a\r\n\r\n",
        reached -> req -> req.end().onComplete(v -> reached.tryComplete()), false);
  }

  @Test
  void serverGaugeReturnsToZeroWhenClientClosesDuringResponseBody() {
    closeOnceReached("GET /x HTTP/1.1\r\nHost: a\r\n\r\n", reached -> req -> {
      req.response().setChunked(true).write("part");
      reached.tryComplete();
    }, false);
  }

  @Test
  void serverGaugeReturnsToZeroWhenClientClosesWithPipelinedRequestsQueued() {
    closeOnceReached("GET /x HTTP/1.1\r\nHost: a\r\n\r\nGET /y HTTP/1.1\r\nHost: a\r\n\r\nGET /z HTTP/1.1\r\nHost: a\r\n\r\n",
        reached -> req -> reached.tryComplete(), false);
  }

  /** As the gateway answers a blocked client (429) or an oversized body (413) before reading the body. */
  @Test
  void serverGaugeReturnsToZeroWhenAnsweredBeforeTheBodyAndClientCloses() {
    closeOnceReached("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc",
        reached -> req -> req.response().end("no").onComplete(v -> reached.tryComplete()), false);
  }

  /** As proxy.WebSocketTunnel turns an upgraded request into a byte pipe. */
  @Test
  void serverGaugeReturnsToZeroWhenTunnelCloses() {
    Promise<NetSocket> upgraded = Promise.promise();
    HttpServer server = server(req -> {
      req.response().setStatusCode(101).putHeader("Upgrade", "websocket").putHeader("Connection", "Upgrade");
      req.toNetSocket().onComplete(upgraded);
    });
    NetSocket socket = raw(server);
    socket.write("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    NetSocket tunnel = await(upgraded.future());
    Promise<Void> closed = Promise.promise();
    tunnel.closeHandler(v -> closed.tryComplete());
    socket.close();
    await(closed.future());
    eventuallyZero("server");
  }

  @Test
  void gaugesReturnToZeroWhenHttp2StreamIsResetDuringRequestBody() {
    Promise<Void> arrived = Promise.promise();
    HttpServer server = server(req -> arrived.tryComplete());
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    io.vertx.core.http.HttpClientRequest request = await(ctx, () -> client.request(HttpMethod.POST, server.actualPort(), "127.0.0.1", "/x")
        .compose(r -> { r.setChunked(true); return r.write("abc").map(r); }));
    await(arrived.future());
    await(ctx, () -> request.reset());
    eventuallyZero("server");
    eventuallyZero("client");
  }

  @Test
  void gaugesReturnToZeroWhenHttp2StreamIsResetWhileAwaitingResponse() {
    Promise<Void> arrived = Promise.promise();
    HttpServer server = server(req -> req.end().onComplete(v -> arrived.tryComplete()));
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    io.vertx.core.http.HttpClientRequest request = await(ctx, () -> client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/x")
        .compose(r -> r.end().map(r)));
    await(arrived.future());
    await(ctx, () -> request.reset());
    eventuallyZero("server");
    eventuallyZero("client");
  }

  @Test
  void gaugesReturnToZeroWhenBackendClosesDuringResponse() {
    HttpServer server = server(req -> {
      req.response().setChunked(true).write("part");
      vertx.setTimer(50, t -> req.connection().close());
    });
    HttpClient client = vertx.createHttpClient();
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    try {
      await(ctx, () -> client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/x")
          .compose(r -> r.send()).compose(r -> r.body()));
    } catch (AssertionError expected) {
    }
    eventuallyZero("client");
    eventuallyZero("server");
  }

  @Test
  void clientGaugeReturnsToZeroOnIdleTimeout() {
    HttpServer server = server(req -> { });
    HttpClient client = vertx.createHttpClient();
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    try {
      await(ctx, () -> client.request(new RequestOptions().setMethod(HttpMethod.GET).setPort(server.actualPort())
          .setHost("127.0.0.1").setURI("/x").setIdleTimeout(100))
          .compose(r -> r.send()).compose(r -> r.body()));
    } catch (AssertionError expected) {
    }
    eventuallyZero("client");
  }

  @Test
  void gaugesReturnToZeroWhenUpgradedClientTunnelCloses() {
    Promise<NetSocket> upgraded = Promise.promise();
    HttpServer server = server(req -> {
      req.response().setStatusCode(101).putHeader("Upgrade", "websocket").putHeader("Connection", "Upgrade");
      req.toNetSocket().onComplete(upgraded);
    });
    HttpClient client = vertx.createHttpClient();
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    io.vertx.core.http.HttpClientResponse response = await(ctx, () -> client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/ws")
        .compose(r -> {
          r.putHeader("Upgrade", "websocket").putHeader("Connection", "Upgrade")
              .putHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").putHeader("Sec-WebSocket-Version", "13");
          return r.connect();
        }));
    assertThat(response.statusCode()).isEqualTo(101);
    NetSocket tunnel = await(upgraded.future());
    Promise<Void> closed = Promise.promise();
    tunnel.closeHandler(v -> closed.tryComplete());
    await(ctx, () -> response.netSocket().close());
    await(closed.future());
    eventuallyZero("client");
    eventuallyZero("server");
  }

  /** As a backend refusing an upload (413) before the proxy has sent all of it. */
  @Test
  void clientGaugeReturnsToZeroWhenBackendAnswersBeforeTheBodyAndCloses() {
    HttpServer server = server(req -> req.response().putHeader("Connection", "close").setStatusCode(413).end()
        .onComplete(v -> req.connection().close()));
    HttpClient client = vertx.createHttpClient();
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    Promise<Void> closed = Promise.promise();
    io.vertx.core.http.HttpClientResponse response = await(ctx, () -> client.request(HttpMethod.POST, server.actualPort(), "127.0.0.1", "/x")
        .compose(r -> {
          r.connection().closeHandler(v -> closed.tryComplete());
          r.setChunked(true);
          r.write("abc");
          return r.response();
        }));
    assertThat(response.statusCode()).isEqualTo(413);
    await(closed.future());
    eventuallyZero("client");
  }
}
