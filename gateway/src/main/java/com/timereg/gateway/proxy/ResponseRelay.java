package com.timereg.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** Streams a backend response to the client with clean headers and framing derived from the parsed response. */
final class ResponseRelay {

  private ResponseRelay() {}

  /**
   * Pipes the response with back-pressure: the client's pace throttles reads from the backend, so the
   * gateway holds at most a few buffers of any body. Fails when either side breaks off; the response is
   * then left un-ended for the caller to reset, so a cut body never looks complete.
   */
  static Future<Void> relay(HttpServerRequest request, HttpClientResponse backend, String gatewayCookiePrefix) {
    HttpServerResponse response = request.response();
    int status = backend.statusCode();
    response.setStatusCode(status);
    HeaderHygiene.toClient(backend.headers(), response.headers(), false, gatewayCookiePrefix);
    String length = backend.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, length);
    } else if (mayHaveBody(request.method(), status)) {
      response.setChunked(true);
    }
    return backend.pipe().endOnFailure(false).to(response);
  }

  private static boolean mayHaveBody(HttpMethod method, int status) {
    return method != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
  }
}
