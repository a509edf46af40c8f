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

/**
 * HTTP server meters as Vert.x names them ({@code vertx.http.server.*}), per request without registry
 * lookups; connection and byte meters stay with Vert.x's own implementation.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
final class LeanHttpServerMetrics extends VertxTcpMetrics implements HttpServerMetrics<LeanHttpServerMetrics.Request, Object, Object> {

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

  private final RequestMeters meters;

  LeanHttpServerMetrics(HttpServerMetrics<?, ?, ?> vertx, MeterRegistry registry, ActiveGauges activeGauges,
      Set<Label> labels, SocketAddress local) {
    super(vertx);
    Tags base = labels.contains(Label.LOCAL) ? Tags.of(Label.LOCAL.toString(), Labels.address(local)) : Tags.empty();
    this.meters = new RequestMeters(registry, activeGauges, true, base, labels.contains(Label.HTTP_METHOD), labels.contains(Label.HTTP_CODE));
  }

  /** Vert.x's connection metric, with the remote address Vert.x reports here (see {@link ServerConnectionMetric}). */
  @Override
  public Object connected(SocketAddress remoteAddress, String remoteName) {
    return new ServerConnectionMetric(vertx.connected(remoteAddress, remoteName), remoteAddress);
  }

  @Override
  public Request requestBegin(Object socketMetric, HttpRequest request) {
    return begin(request.method());
  }

  @Override
  public Request responsePushed(Object socketMetric, HttpMethod method, String uri, HttpResponse response) {
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

  @Override
  public Object connected(Object socketMetric, Request requestMetric, ServerWebSocket serverWebSocket) {
    // Vert.x's implementation reads only the socket's tags.
    return ((HttpServerMetrics) vertx).connected(ServerConnectionMetric.unwrap(socketMetric), null, serverWebSocket);
  }

  @Override
  public void disconnected(Object webSocketMetric) {
    ((HttpServerMetrics) vertx).disconnected(webSocketMetric);
  }
}
