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

/**
 * HTTP client meters as Vert.x names them ({@code vertx.http.client.*}), per request without registry
 * lookups; connection and byte meters stay with Vert.x's own implementation.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
final class LeanHttpClientMetrics extends VertxTcpMetrics implements HttpClientMetrics<LeanHttpClientMetrics.Request, Object, Object> {

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

  private final MeterRegistry registry;
  private final ActiveGauges activeGauges;
  private final Set<Label> labels;
  private final Tags local;

  LeanHttpClientMetrics(HttpClientMetrics<?, ?, ?> vertx, MeterRegistry registry, ActiveGauges activeGauges,
      Set<Label> labels, HttpClientOptions options) {
    super(vertx);
    this.registry = registry;
    this.activeGauges = activeGauges;
    this.labels = labels;
    this.local = LeanNetClientMetrics.clientTags(labels, options.getMetricsName(), options.getLocalAddress());
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

  @Override
  public Object connected(WebSocket webSocket) {
    return ((HttpClientMetrics) vertx).connected(webSocket);
  }

  @Override
  public void disconnected(Object webSocketMetric) {
    ((HttpClientMetrics) vertx).disconnected(webSocketMetric);
  }
}
