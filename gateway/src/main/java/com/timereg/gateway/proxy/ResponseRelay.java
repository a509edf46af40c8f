package com.timereg.gateway.proxy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Streams a backend response to the client with clean headers and framing derived from the parsed response.
 *
 * <p>Like Vert.x's {@code pipe()}, with one difference: each chunk of the body is held back until the next
 * chunk arrives, the body ends, or the event loop finishes its current turn, whichever comes first. A body
 * that arrives together with its end (most answers: the backend's whole response in one read) then goes
 * out in one write with its end and one flush. With {@code pipe()} it went out as a write and then an empty
 * end, flushed separately: over HTTP/2 a DATA frame and then an empty DATA frame with END_STREAM, in two TLS
 * records and two system calls, which cost about as much as the rest of the kernel's work for the request
 * (docs/benchmarks.md). A streamed body (server-sent events, a slow download) is not delayed beyond the
 * turn in which its chunk arrived.
 */
final class ResponseRelay {

  private final HttpClientResponse backend;
  private final HttpServerResponse response;
  private final Context context;
  private final Promise<Void> result = Promise.promise();
  /** The headers the response had before the backend's were added (null: none), restored if it fails unsent. */
  private final MultiMap gatewayHeaders;
  /** A chunk not yet written: the next chunk, the end or the end of the turn writes it. */
  private Buffer held;
  private boolean turnEndScheduled;
  private boolean done;

  private ResponseRelay(HttpClientResponse backend, HttpServerResponse response, Context context,
      MultiMap gatewayHeaders) {
    this.backend = backend;
    this.response = response;
    this.context = context;
    this.gatewayHeaders = gatewayHeaders;
  }

  /**
   * Relays the response with back-pressure: the client's pace throttles reads from the backend, so the
   * gateway holds at most a few buffers of any body. Fails when either side breaks off; the response is
   * then left un-ended for the caller to reset, so a cut body never looks complete, or, when none of it has
   * gone out yet, to answer with its own status: the backend's headers are taken off it again. Call it on the event
   * loop of the client's connection (the backend response's callbacks run there).
   */
  static Future<Void> relay(HttpServerRequest request, HttpClientResponse backend, String gatewayCookiePrefix) {
    HttpServerResponse response = request.response();
    int status = backend.statusCode();
    response.setStatusCode(status);
    // Kept to be restored should the backend fail before the head goes out: the caller then answers 502 itself,
    // and the backend's Content-Length (which framed the gateway's small body wrongly), Set-Cookie or
    // Content-Encoding must not go out with it.
    MultiMap gatewayHeaders = response.headers().isEmpty() ? null : HttpHeaders.headers().addAll(response.headers());
    // The gateway's Strict-Transport-Security, when it sends one, stands for the host: not the backend's too.
    String hsts = response.headers().get("Strict-Transport-Security");
    HeaderHygiene.toClient(backend.headers(), response.headers(), false, gatewayCookiePrefix);
    if (hsts != null) {
      response.headers().set("Strict-Transport-Security", hsts);
    }
    // A chunked body is read by its chunks (Netty drops Content-Length beside chunked only for HTTP/1.1): a length
    // beside it would make the client read the rest of the body as the answer to its next request.
    String length = chunked(backend) ? null : backend.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, length);
    } else if (mayHaveBody(request.method(), status)) {
      response.setChunked(true);
    }
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("a response is relayed on the event loop of its connection");
    }
    return new ResponseRelay(backend, response, context, gatewayHeaders).start();
  }

  private Future<Void> start() {
    backend.pause();
    backend.exceptionHandler(this::fail);
    backend.endHandler(end -> end());
    backend.handler(this::chunk);
    backend.resume();
    return result.future();
  }

  private void chunk(Buffer data) {
    if (done) {
      return;
    }
    Buffer earlier = held;
    held = data;
    if (earlier != null) {
      write(earlier);
    }
    if (!turnEndScheduled && !done) {
      turnEndScheduled = true;
      // Runs after the I/O the loop is handling now: the backend's read that brought this chunk is over.
      context.runOnContext(turnEnd -> {
        turnEndScheduled = false;
        Buffer pending = held;
        if (pending != null && !done) {
          held = null;
          write(pending);
        }
      });
    }
  }

  private void write(Buffer data) {
    response.write(data).onFailure(this::fail);
    if (response.writeQueueFull()) {
      backend.pause();
      response.drainHandler(drained -> backend.resume());
    }
  }

  private void end() {
    if (done) {
      return;
    }
    done = true;
    Buffer last = held;
    held = null;
    detach();
    (last == null ? response.end() : response.end(last)).onComplete(result);
  }

  private void fail(Throwable cause) {
    if (done) {
      return;
    }
    done = true;
    held = null;
    detach();
    if (!response.headWritten() && !response.closed()) {
      response.headers().clear();
      if (gatewayHeaders != null) {
        response.headers().addAll(gatewayHeaders);
      }
      response.setChunked(false);
    }
    // Reading on lets the backend connection finish its response (or close) instead of stalling paused.
    backend.resume();
    result.tryFail(cause);
  }

  private void detach() {
    backend.handler(null);
    backend.exceptionHandler(null);
    backend.endHandler(null);
    response.drainHandler(null);
  }

  /** Whether the response's body was framed by chunks, as Netty's decoder decides it. */
  private static boolean chunked(HttpClientResponse backend) {
    for (String value : backend.headers().getAll(HttpHeaders.TRANSFER_ENCODING)) {
      for (String coding : value.split(",")) {
        if (coding.trim().equalsIgnoreCase("chunked")) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean mayHaveBody(HttpMethod method, int status) {
    return method != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
  }
}
