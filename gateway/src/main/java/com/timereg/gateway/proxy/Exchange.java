package com.timereg.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * One request on its way through the proxy: obtains a backend request, watches the response timeout and
 * the client's connection, and ends exactly once, either completed or failed. Every callback runs on the
 * client connection's event loop (the backend client is used from it), so the state needs no locking.
 */
abstract class Exchange implements ResponseDeadlines.Waiting {

  final ExchangeSupport support;
  final HttpServerRequest request;
  final HeaderHygiene.Forwarding forwarding;
  private final long startNanos;
  HttpClientRequest upstream;
  /** Whether this exchange holds a place among the backend client's ({@link BackendClient#admit}). */
  private boolean admitted;
  private ResponseDeadlines.Deadline deadline;
  private boolean responded;
  private boolean finished;

  Exchange(ExchangeSupport support, HttpServerRequest request, HeaderHygiene.Forwarding forwarding,
      long startNanos) {
    this.support = support;
    this.request = request;
    this.forwarding = forwarding;
    this.startNanos = startNanos;
  }

  /**
   * @param context the request's routing context: the client going away is heard through its end handlers,
   *     which the response's single close handler slot also serves (the access log is one of them)
   */
  final void start(RoutingContext context) {
    context.addEndHandler(ended -> {
      // Over HTTP/2 the stream closes while the answer's last frame is being written, inside
      // response.end() and before Vert.x reports the end: that close is the answer ending, not the
      // client leaving. Were the end not to reach the client, the relay's end future says so.
      if (ended.failed() && !request.response().ended()) {
        fail(ProxyFailure.CLIENT_CLOSED, null);
      }
    });
    if (!support.backend.admit(forwarding.webSocket())) {
      fail(ProxyFailure.POOL_BUSY, new ConnectionPoolTooBusyException("backend pool and wait queue full"));
      return;
    }
    admitted = true;
    dispatch();
  }

  /**
   * Sends the request once more, on whatever connection the pool gives: for a request the backend closed
   * its connection on before answering, when {@link HttpExchange} decides that sending it again is safe.
   */
  final void resend() {
    cancelTimer();
    upstream = null;
    dispatch();
  }

  /**
   * The target as the backend gets it: always origin-form (path and query). A client may send the
   * absolute form ({@code GET http://host/path}); RFC 9112 3.2 has a client send an origin server the
   * origin form, and a backend that took the absolute form's authority for its host would answer for a
   * host the gateway never checked. X-Forwarded-Host stays the Host header's (Vert.x's {@code authority()});
   * with {@code public.allowed-hosts} set, {@code PublicEntry} has checked the target's authority as well.
   */
  static String originForm(HttpServerRequest request) {
    String uri = request.uri();
    if (uri.startsWith("/")) {
      return asciiTarget(uri);
    }
    String path = request.path();
    String query = request.query();
    return asciiTarget((path == null || path.isEmpty() ? "/" : path) + (query == null ? "" : "?" + query));
  }

  /**
   * The target with every octet outside ASCII percent-encoded (RFC 3986 2.1), on both paths to the backend.
   * Some clients send them raw (curl, for a UTF-8 "é" in a query); the server read each octet as one
   * character, and Netty's request encoder, which writes the target as UTF-8, turned C3 A9 into C3 83 C2 A9.
   * Encoded, the backend decodes the same text whichever way and protocol the request came. A character above
   * U+00FF cannot come from the wire; it would be encoded as its UTF-8 octets.
   */
  static String asciiTarget(String target) {
    int i = 0;
    int n = target.length();
    while (i < n && target.charAt(i) < 0x80) {
      i++;
    }
    if (i == n) {
      return target;
    }
    StringBuilder out = new StringBuilder(n + 32).append(target, 0, i);
    while (i < n) {
      char c = target.charAt(i);
      if (c < 0x80) {
        out.append(c);
        i++;
      } else if (c <= 0xff) {
        HeaderHygiene.percentEncode(out, c);
        i++;
      } else {
        int cp = target.codePointAt(i);
        for (byte b : new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
          HeaderHygiene.percentEncode(out, b & 0xff);
        }
        i += Character.charCount(cp);
      }
    }
    return out.toString();
  }


  private void dispatch() {
    support.backend.request(request.method(), originForm(request), forwarding.webSocket()).onComplete(ar -> {
      if (ar.failed()) {
        fail(ProxyFailure.ofConnect(ar.cause()), ar.cause());
      } else if (finished) {
        // The client left while we waited for a connection: abort the unsent request, returning it. The reset
        // reports itself to the request's exception handler; without one Vert.x logs it at ERROR, a line per
        // client that gave up waiting (the failure was logged and counted as client_closed already).
        HttpClientRequest unsent = ar.result();
        unsent.exceptionHandler(failure -> support.logQuietly(request, failure));
        if (unsent.version() == HttpVersion.HTTP_2) {
          cancelUnsentStream(unsent);
        } else {
          unsent.reset();
        }
      } else {
        if (!support.backend.holdsPlaceToTheEnd(forwarding.webSocket())) {
          // An HTTP/2 stream: the place was one among those waiting for it.
          releasePlace();
        }
        upstream = ar.result();
        // Failures also fail the response future, which decides the outcome; this only keeps Vert.x from
        // logging them as unhandled (e.g. the backend closing a finished WebSocket tunnel).
        upstream.exceptionHandler(failure -> support.logQuietly(request, failure));
        try {
          send(upstream);
        } catch (IllegalArgumentException e) {
          // A header value the backend's HTTP/1.1 head cannot carry (PublicEntry refuses those first):
          // answer and give the connection back rather than leave the client waiting and the slot taken.
          fail(ProxyFailure.BAD_FRAMING, e);
        }
      }
    });
  }

  /**
   * Gives back an HTTP/2 stream whose request head was never written. Vert.x gives a stream back to the pool when
   * the stream closes, and one reset before its head was written never opened, so never closed: the connection lost
   * that stream for good (with a backend allowing one at a time, every later request waited for the connect timeout
   * and got 504). So its head goes out, without the headers (the identity ones among them: no request is made of
   * it), and a RST_STREAM (CANCEL) right after it, as when a client leaves just after its request was forwarded.
   */
  private static void cancelUnsentStream(HttpClientRequest unsent) {
    unsent.headers().clear();
    unsent.sendHead().onComplete(sent -> unsent.reset(0x8));
  }

  /** Sends the request head (and body) to the backend and relays what comes back. */
  abstract void send(HttpClientRequest upstream);

  /** The exchange has failed (once, before anything is answered); for what a subclass holds. */
  void failed() {}

  /**
   * Whether {@link #upstream}'s head has been written (Vert.x writes it with the first body bytes, the end, or a
   * connect): until then an HTTP/2 stream has not opened, and a reset would not give it back.
   */
  boolean upstreamHeadSent() {
    return true;
  }

  /** Whether the client waits for a 100 Continue the gateway has not sent, its body unsent. */
  boolean awaitsContinue() {
    return false;
  }

  boolean finished() {
    return finished;
  }

  /** Starts the response timeout; called once the request has been forwarded completely. */
  final void armResponseTimeout() {
    if (responded || finished || deadline != null) {
      return;
    }
    deadline = support.deadlines.start(this);
  }

  /** Called by {@link ResponseDeadlines} when no response head arrived in time. */
  @Override
  public final void responseTimedOut() {
    deadline = null;
    long millis = support.settings.responseTimeout().toMillis();
    fail(ProxyFailure.RESPONSE_TIMEOUT, new ProxyFailure.ResponseTimeoutException(millis));
  }

  /** Records that the response head arrived; false if the exchange already ended (timed out, client gone). */
  final boolean responseArrived() {
    if (finished) {
      return false;
    }
    responded = true;
    cancelTimer();
    return true;
  }

  /**
   * Watches the answer being relayed until it ends: when the session that authenticated the request is revoked,
   * the answer is cut ({@link OpenTunnels}), as a tunnel is. Not when its access token expires, unlike a tunnel's:
   * that happens every few minutes to a live session, and a download that outlasted its token's remaining time
   * was cut ({@code StreamingPastTokenExpiryTest}).
   */
  final void watchAnswer() {
    ForwardedIdentity identity = forwarding.identity();
    if (!finished && identity != null && identity.session() != null) {
      support.tunnels.answering(identity.session(), this,
          () -> fail(ProxyFailure.SESSION_ENDED, null));
    }
  }

  final void completed(int status) {
    if (finished) {
      return;
    }
    finished = true;
    support.tunnels.answered(this);
    cancelTimer();
    releasePlace();
    support.metrics.requestCompleted(status, System.nanoTime() - startNanos);
  }

  final void fail(ProxyFailure failure, Throwable cause) {
    if (finished) {
      return;
    }
    finished = true;
    support.tunnels.answered(this);
    failed();
    cancelTimer();
    releasePlace();
    if (upstream != null && upstream.version() == HttpVersion.HTTP_2 && !upstreamHeadSent()) {
      // Obtained, its head not written yet (no body byte had come, or a client awaiting 100 Continue left).
      cancelUnsentStream(upstream);
    } else if (upstream != null) {
      // For HTTP/1.1 this closes the backend connection: a half-used one must not go back to the pool.
      upstream.reset(0, cause);
    }
    support.log(failure, request, cause);
    support.metrics.failed(failure);
    boolean awaitingContinue = awaitsContinue();
    discardRequestBody();
    int status;
    if (failure == ProxyFailure.CLIENT_CLOSED) {
      status = failure.status();
    } else if (!request.response().headWritten()) {
      // A client still waiting for 100 Continue has not sent its body and need not (RFC 9110 10.1.1): kept, the
      // connection would take its next request for that body. It is closed after the answer, which says so.
      boolean closing = awaitingContinue && request.version() != HttpVersion.HTTP_2;
      if (closing) {
        request.response().putHeader(HttpHeaders.CONNECTION, "close");
      }
      Future<Void> sent = ErrorResponses.send(request, failure);
      if (closing || failure == ProxyFailure.BODY_TOO_LARGE && request.version() != HttpVersion.HTTP_2) {
        // Closed after the 413, as ProxyHandler.refuse closes it: the rest of a chunked body already over the
        // limit is not wanted, and read on to its end it could go on for ever.
        sent.onComplete(done -> request.connection().close());
      }
      status = failure.status();
    } else {
      // Too late for a status: cut the connection so the client cannot mistake a partial body for a whole one. Over
      // HTTP/2 the stream is reset with an error code: RST_STREAM with NO_ERROR (what reset() sends) says the answer
      // is complete as far as the server cares (RFC 9113 8.1), and a client may take the part for the whole.
      status = request.response().getStatusCode();
      request.response().reset(resetCode(failure));
    }
    support.metrics.requestCompleted(status, System.nanoTime() - startNanos);
  }

  /**
   * The RST_STREAM code that cuts an HTTP/2 answer already begun (for HTTP/1.x any reset closes the connection):
   * CANCEL when the gateway no longer wants to answer (its session ended, the client left), INTERNAL_ERROR when
   * the backend's answer broke off; never NO_ERROR, which says the answer was whole.
   */
  static long resetCode(ProxyFailure failure) {
    return failure == ProxyFailure.SESSION_ENDED || failure == ProxyFailure.CLIENT_CLOSED
        ? CANCEL : INTERNAL_ERROR;
  }

  /** RFC 9113 7's error codes. */
  static final long INTERNAL_ERROR = 0x2;
  static final long CANCEL = 0x8;

  private void discardRequestBody() {
    if (!request.isEnded()) {
      request.handler(null);
      request.resume();
    }
  }

  private void releasePlace() {
    if (admitted) {
      admitted = false;
      support.backend.release(forwarding.webSocket());
    }
  }

  private void cancelTimer() {
    if (deadline != null) {
      support.deadlines.clear(deadline);
      deadline = null;
    }
  }
}
