package com.timereg.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.impl.tags.Labels;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * HTTP server meters as Vert.x names them ({@code vertx.http.server.*}), per request without registry
 * lookups. The connection meters ({@code active.connections}, {@code active.ws.connections}, {@code bytes.*},
 * {@code errors}) too: Vert.x 5.0.7's own registers the connection gauge again for every connection a listener
 * accepts (and the WebSocket gauge for every WebSocket), which Micrometer reports as a double registration, a WARN
 * as soon as a listener has its second connection. Here each gauge is registered once per tag set
 * ({@link ConnectionMeters}, {@link ActiveGauges}).
 */
final class LeanHttpServerMetrics implements HttpServerMetrics<LeanHttpServerMetrics.Request, LongAdder, ServerConnectionMetric> {

  /**
   * One request's state. It leaves the active gauge at its response's end or its reset, whichever comes first,
   * and not (as in Vert.x's implementation) once both the request and the response have ended: when the response
   * ends before the request body (an early 401, 413 or 429) and the client then closes, or when the request was
   * turned into a tunnel ({@code toNetSocket}), Vert.x reports neither the request's end nor a reset, and the
   * gauge would count that request for good.
   */
  static final class Request {
    final RequestMeters.ByMethod meters;
    final long startNanos = System.nanoTime();
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

  private final HttpServerMetrics<?, ?, ?> vertx;
  private final MeterRegistry registry;
  private final ActiveGauges activeGauges;
  private final Set<Label> labels;
  private final Tags base;
  private final RequestMeters meters;
  private final ConnectionMeters connections;

  LeanHttpServerMetrics(HttpServerMetrics<?, ?, ?> vertx, MeterRegistry registry, ActiveGauges activeGauges,
      Set<Label> labels, SocketAddress local) {
    this.vertx = vertx;
    this.registry = registry;
    this.activeGauges = activeGauges;
    this.labels = labels;
    this.base = labels.contains(Label.LOCAL) ? Tags.of(Label.LOCAL.toString(), Labels.address(local)) : Tags.empty();
    this.meters = new RequestMeters(registry, activeGauges, true, base, labels.contains(Label.HTTP_METHOD), labels.contains(Label.HTTP_CODE));
    this.connections = new ConnectionMeters(registry, activeGauges, labels, "vertx.http.server.",
        "Number of opened connections to the server", "Number of bytes received by the server",
        "Number of bytes sent by the server");
  }

  /** The connection's meters, with the remote address Vert.x reports here (see {@link ServerConnectionMetric}). */
  @Override
  public ServerConnectionMetric connected(SocketAddress remoteAddress, String remoteName) {
    Tags tags = labels.contains(Label.REMOTE)
        ? base.and(Label.REMOTE.toString(), Labels.address(remoteAddress, remoteName))
        : base;
    return new ServerConnectionMetric(connections.meters(tags), remoteAddress);
  }

  @Override
  public void disconnected(ServerConnectionMetric connection, SocketAddress remoteAddress) {
    connection.disconnected();
  }

  @Override
  public void bytesRead(ServerConnectionMetric connection, SocketAddress remoteAddress, long numberOfBytes) {
    connection.meters.bytesRead().increment(numberOfBytes);
  }

  @Override
  public void bytesWritten(ServerConnectionMetric connection, SocketAddress remoteAddress, long numberOfBytes) {
    connection.meters.bytesWritten().increment(numberOfBytes);
  }

  @Override
  public void exceptionOccurred(ServerConnectionMetric connection, SocketAddress remoteAddress, Throwable t) {
    connections.error(connection.meters, t);
  }

  @Override
  public Request requestBegin(ServerConnectionMetric connection, HttpRequest request) {
    return begin(request.method());
  }

  @Override
  public Request responsePushed(ServerConnectionMetric connection, HttpMethod method, String uri, HttpResponse response) {
    return begin(method);
  }

  private Request begin(HttpMethod method) {
    Request r = new Request(meters.method(method));
    r.meters.active.increment();
    return r;
  }

  @Override
  public void requestEnd(Request r, HttpRequest request, long bytesRead) {
    r.meters.requestBytes.record(bytesRead);
  }

  @Override
  public void requestReset(Request r) {
    r.meters.reset();
    r.leave();
  }

  @Override
  public void responseEnd(Request r, HttpResponse response, long bytesWritten) {
    r.meters.status(response.statusCode()).record(r.startNanos, bytesWritten);
    r.leave();
  }

  /** A WebSocket of {@code connection}, counted under the connection's tags, as by Vert.x. */
  @Override
  public LongAdder connected(ServerConnectionMetric connection, Request requestMetric, ServerWebSocket serverWebSocket) {
    LongAdder open = activeGauges.counter(registry, connections.names.getHttpActiveWsConnections(),
        "Number of websockets currently opened", connection.meters.tags());
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
