package com.timereg.gateway.proxy;

import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/** A plain HTTP request: head, streamed body, streamed response. */
final class HttpExchange extends Exchange {

  private final RequestFraming framing;
  private long forwardedBytes;
  /** Whether the backend request has been ended: the whole body forwarded. */
  private boolean forwarded;
  private boolean retried;
  /** Whether 100 Continue was sent: the client's body is wanted and on its way. */
  private boolean continued;
  /** Whether the backend request's head has gone out: with its first body bytes or its end. */
  private boolean headSent;

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
    if (expectsContinue(request) && !continued) {
      // The session step has accepted the request and a backend is ready: now the body is wanted.
      continued = true;
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
      forwarded = true;
      headSent = true;
      upstream.end();
      armResponseTimeout();
      return;
    }
    request.handler(data -> write(upstream, data));
    request.endHandler(end -> {
      if (!finished()) {
        forwarded = true;
        headSent = true;
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
    headSent = true;
    upstream.write(data);
    if (upstream.writeQueueFull()) {
      request.pause();
      upstream.drainHandler(drained -> request.resume());
    }
  }

  private void onResponse(AsyncResult<HttpClientResponse> result) {
    if (result.failed() && mayRetry(result.cause())) {
      // Most likely a pooled connection the backend closed while idle (its keep-alive timeout racing our
      // reuse): nothing of an answer came and the request is safe to send again, so send it once more
      // rather than answer 502 for a backend that is fine. The direct path does the same.
      retried = true;
      support.logQuietly(request, result.cause());
      resend();
      return;
    }
    if (!responseArrived()) {
      return;
    }
    if (result.failed()) {
      fail(ProxyFailure.ofExchange(result.cause()), result.cause());
      return;
    }
    HttpClientResponse response = result.result();
    int status = response.statusCode();
    if (status == 101) {
      // No switch was asked for (WebSocketTunnel carries upgrades): relayed, the 101 left the client waiting for
      // an answer that never came. Fails as on the direct path, and the connection is not used again.
      fail(ProxyFailure.CONNECTION_RESET, new IllegalStateException("unrequested 101 from the backend"));
      return;
    }
    if (status < 100 || status > 599) {
      // Not a status (RFC 9110 15: three digits, 100 to 599), though Netty's decoder reads any number: relayed, the
      // client got a head its HTTP/1.1 parser or HTTP/2 stack refuses ("HTTP/1.1 2000", ":status 99").
      fail(ProxyFailure.CONNECTION_RESET, new IllegalStateException("invalid status " + status + " from the backend"));
      return;
    }
    // Answered before the upload ended: an HTTP/1.1 connection closes after the answer (abandonUpload), and the
    // answer says so (RFC 9110 10.1.1), or the client may send its next request on a connection about to close.
    boolean closing = !request.isEnded() && request.version() != HttpVersion.HTTP_2;
    if (closing) {
      request.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    watchAnswer();
    ResponseRelay.relay(request, response, support.settings.gatewayCookiePrefix()).onComplete(relayed -> {
      if (relayed.succeeded()) {
        if (!forwarded) {
          abandonUpload(upstream);
        } else if (closing) {
          // The upload ended while the answer went out: the connection closes as announced all the same.
          request.connection().close();
        }
        completed(status);
      } else {
        ProxyFailure failure = request.response().closed()
            ? ProxyFailure.CLIENT_CLOSED : ProxyFailure.ofExchange(relayed.cause());
        fail(failure, relayed.cause());
      }
    });
  }

  /**
   * The backend answered before the upload ended (RFC 9112 9.3 allows it: an early 401 or 413). Its request
   * never ends now, so its connection is closed: kept, it stayed taken from the pool for good; a reset alone
   * hands an HTTP/1.1 connection whose answer has ended back to the pool mid-body, and the next request
   * would travel inside this one's body. The client's HTTP/1.1 connection is closed too, as on the direct
   * path: the rest of its body is not a request. An HTTP/2 client is asked to stop sending (RFC 9113 8.1:
   * RST_STREAM with NO_ERROR after the complete response), and what it sent meanwhile is dropped.
   */
  private void abandonUpload(HttpClientRequest upstream) {
    upstream.reset(0);
    if (upstream.version() != HttpVersion.HTTP_2) {
      upstream.connection().close();
    }
    request.handler(null);
    request.exceptionHandler(null);
    if (request.version() == HttpVersion.HTTP_2) {
      request.resume();
      request.response().reset(0);
    } else {
      request.connection().close();
    }
  }

  /**
   * Once, for a request without a body whose method is safe (RFC 9110 9.2.1), when the backend closed the
   * connection before any of the response arrived (a timeout or a TLS failure is not retried).
   */
  private boolean mayRetry(Throwable cause) {
    HttpMethod method = request.method();
    return !retried && !finished() && cause instanceof HttpClosedException && request.isEnded()
        && forwardedBytes == 0 && framing.length() <= 0 && !framing.chunked()
        && (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.OPTIONS));
  }

  @Override
  boolean upstreamHeadSent() {
    return headSent;
  }

  @Override
  boolean awaitsContinue() {
    return !continued && !request.isEnded() && expectsContinue(request);
  }

  static boolean expectsContinue(HttpServerRequest request) {
    return request.version() != HttpVersion.HTTP_1_0
        && "100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT));
  }
}
