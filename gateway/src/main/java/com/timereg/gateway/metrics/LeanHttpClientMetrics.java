package com.timereg.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.impl.tags.Labels;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * HTTP client meters as Vert.x names them ({@code vertx.http.client.*}), per request without registry
 * lookups. The connection meters ({@code active.connections}, {@code active.ws.connections}, {@code bytes.*},
 * {@code errors}) too: Vert.x 5.0.7's own registers the connection gauge again for every connection a client opens
 * (and the WebSocket gauge for every WebSocket), which Micrometer reports as a double registration, a WARN as
 * soon as the proxy opened its second connection to the backend. Here each gauge is registered once per tag set
 * ({@link ConnectionMeters}, {@link ActiveGauges}).
 */
final class LeanHttpClientMetrics implements HttpClientMetrics<LeanHttpClientMetrics.Request, LongAdder, ConnectionMeters.Connection> {

  /**
   * One request's state. It stops waiting for a response at the response's end or its reset, whichever comes
   * first, and not (as in Vert.x's implementation) once both the request and the response have ended: when the
   * backend answers before the whole body was sent (a 413, say) and closes, Vert.x reports neither the request's
   * end nor a reset, and the gauge would count that request for good.
   */
  static final class Request {
    final RequestMeters.ByMethod meters;
    final long startNanos = System.nanoTime();
    int status;
    private boolean active = true;

    Request(RequestMeters.ByMethod meters) {
      this.meters = meters;
    }

    void leave() {
      if (active) {
        active = false;
        meters.active.decrement();
      }
    }
  }

  private final HttpClientMetrics<?, ?, ?> vertx;
  private final MeterRegistry registry;
  private final ActiveGauges activeGauges;
  private final Set<Label> labels;
  private final Tags local;
  /** Its connections, counted as a NetClient's are, under {@code vertx.http.client.}. */
  private final LeanNetClientMetrics connections;

  LeanHttpClientMetrics(HttpClientMetrics<?, ?, ?> vertx, MeterRegistry registry, ActiveGauges activeGauges,
      Set<Label> labels, HttpClientOptions options) {
    this.vertx = vertx;
    this.registry = registry;
    this.activeGauges = activeGauges;
    this.labels = labels;
    this.connections = new LeanNetClientMetrics(registry, activeGauges, labels, "vertx.http.client.",
        options.getMetricsName(), options.getLocalAddress());
    this.local = connections.local();
  }

  @Override
  public ConnectionMeters.Connection connected(SocketAddress remoteAddress, String remoteName) {
    return connections.connected(remoteAddress, remoteName);
  }

  @Override
  public void disconnected(ConnectionMeters.Connection connection, SocketAddress remoteAddress) {
    connections.disconnected(connection, remoteAddress);
  }

  @Override
  public void bytesRead(ConnectionMeters.Connection connection, SocketAddress remoteAddress, long numberOfBytes) {
    connections.bytesRead(connection, remoteAddress, numberOfBytes);
  }

  @Override
  public void bytesWritten(ConnectionMeters.Connection connection, SocketAddress remoteAddress, long numberOfBytes) {
    connections.bytesWritten(connection, remoteAddress, numberOfBytes);
  }

  @Override
  public void exceptionOccurred(ConnectionMeters.Connection connection, SocketAddress remoteAddress, Throwable t) {
    connections.exceptionOccurred(connection, remoteAddress, t);
  }

  @Override
  public ClientMetrics<Request, HttpRequest, HttpResponse> createEndpointMetrics(SocketAddress remoteAddress, int maxPoolSize) {
    Tags tags = labels.contains(Label.REMOTE) ? local.and(Label.REMOTE.toString(), Labels.address(remoteAddress)) : local;
    return new Endpoint(new RequestMeters(registry, activeGauges, false, tags, labels.contains(Label.HTTP_METHOD),
        labels.contains(Label.HTTP_CODE)));
  }

  /** The requests to one backend address. */
  private static final class Endpoint implements ClientMetrics<Request, HttpRequest, HttpResponse> {
    private final RequestMeters meters;

    Endpoint(RequestMeters meters) {
      this.meters = meters;
    }

    @Override
    public Request requestBegin(String uri, HttpRequest request) {
      Request r = new Request(meters.method(request.method()));
      r.meters.active.increment();
      r.meters.requests.increment();
      return r;
    }

    @Override
    public void requestEnd(Request r, long bytesWritten) {
      r.meters.requestBytes.record(bytesWritten);
    }

    @Override
    public void requestReset(Request r) {
      r.leave();
    }

    @Override
    public void responseBegin(Request r, HttpResponse response) {
      r.status = response.statusCode();
    }

    @Override
    public void responseEnd(Request r, long bytesRead) {
      r.leave();
      r.meters.status(r.status).record(r.startNanos, bytesRead);
    }
  }

  /** A WebSocket, counted under the client's tags and its remote address where that label is on, as by Vert.x. */
  @Override
  public LongAdder connected(WebSocket webSocket) {
    Tags tags = labels.contains(Label.REMOTE)
        ? local.and(Label.REMOTE.toString(), Labels.address(webSocket.remoteAddress()))
        : local;
    LongAdder open = activeGauges.counter(registry, connections.names().getHttpActiveWsConnections(),
        "Number of websockets currently opened", tags);
    open.increment();
    return open;
  }

  @Override
  public void disconnected(LongAdder webSocketMetric) {
    webSocketMetric.decrement();
  }

  @Override
  public void close() {
    vertx.close();
  }
}
