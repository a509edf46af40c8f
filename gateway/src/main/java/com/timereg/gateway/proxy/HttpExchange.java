package com.timereg.gateway.proxy;

import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/** A plain HTTP request: head, streamed body, streamed response. */
final class HttpExchange extends Exchange {

  private final RequestFraming framing;
  private long forwardedBytes;

  HttpExchange(ExchangeSupport support, HttpServerRequest request, HeaderHygiene.Forwarding forwarding,
      RequestFraming framing, long startNanos) {
    super(support, request, forwarding, startNanos);
    this.framing = framing;
  }

  @Override
  void send(HttpClientRequest upstream) {
    HeaderHygiene.toBackend(request.headers(), upstream.headers(), forwarding, support.settings.gatewayCookiePrefix());
    if (framing.length() >= 0) {
      upstream.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(framing.length()));
    } else if (framing.chunked()) {
      upstream.setChunked(true);
    }
    upstream.response().onComplete(this::onResponse);
    if (expectsContinue()) {
      // The session step has accepted the request and a backend is ready: now the body is wanted.
      request.response().writeContinue();
    }
    forwardBody(upstream);
  }

  /**
   * Streams the body with back-pressure. An HTTP/2 request may carry a body without Content-Length; HTTP/1.1
   * then needs chunked encoding, decided when the first bytes arrive, so a bodiless request stays bodiless.
   */
  private void forwardBody(HttpClientRequest upstream) {
    if (request.isEnded()) {
      upstream.end();
      armResponseTimeout();
      return;
    }
    request.handler(data -> write(upstream, data));
    request.endHandler(end -> {
      if (!finished()) {
        upstream.end();
        armResponseTimeout();
      }
    });
    request.exceptionHandler(failure -> fail(ProxyFailure.CLIENT_CLOSED, failure));
    request.resume();
  }

  private void write(HttpClientRequest upstream, Buffer data) {
    if (finished()) {
      return;
    }
    forwardedBytes += data.length();
    if (forwardedBytes > support.maxBodyBytes) {
      // A body of unknown length grew past the limit: abandon the backend request (it never sees
      // an end, so it cannot take the part as a whole body) and answer 413.
      fail(ProxyFailure.BODY_TOO_LARGE, null);
      return;
    }
    if (framing.length() < 0 && !upstream.isChunked()) {
      upstream.setChunked(true);
    }
    upstream.write(data);
    if (upstream.writeQueueFull()) {
      request.pause();
      upstream.drainHandler(drained -> request.resume());
    }
  }

  private void onResponse(AsyncResult<HttpClientResponse> result) {
    if (!responseArrived()) {
      return;
    }
    if (result.failed()) {
      fail(ProxyFailure.ofExchange(result.cause()), result.cause());
      return;
    }
    HttpClientResponse response = result.result();
    int status = response.statusCode();
    ResponseRelay.relay(request, response, support.settings.gatewayCookiePrefix()).onComplete(relayed -> {
      if (relayed.succeeded()) {
        completed(status);
      } else {
        ProxyFailure failure = request.response().closed()
            ? ProxyFailure.CLIENT_CLOSED : ProxyFailure.ofExchange(relayed.cause());
        fail(failure, relayed.cause());
      }
    });
  }

  private boolean expectsContinue() {
    return request.version() != HttpVersion.HTTP_1_0
        && "100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT));
  }
}
